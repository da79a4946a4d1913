/**
 * A monotonic counter that contexts wait on until it reaches their ticket:
 * Jeff Dike's `started`/`submitted` sequencing for ubd (a request may go to
 * the host only once `submitted` equals its ticket). `take` is the `started`
 * side (atomic_inc_return at dequeue), `advance` the `submitted` side. Its
 * failure mode is the ticket leak: a request that errors out without
 * advancing the counter leaves every later request waiting for something
 * nobody will do — an orphaned wait, which `releasers` reports as an empty
 * list (or as a chain ending at the context that took the ticket and exited).
 */
import {
  NO_WAKEUPS,
  Resource,
  type CtxId,
  type OpResult,
  type Releasers,
  type ResourceState,
  type SimClock,
  type Wakeup,
  type Waiter,
} from './resource.js';
import { WaitQueue, type WaitQueueState } from './wait-queue.js';

export interface TicketCounterOptions {
  readonly name: string;
  /** Starting value; 0 by default. */
  readonly value?: number;
  /** Contexts that advance it, if known up front. */
  readonly advancers?: readonly CtxId[];
}

/** What a waiter waits for: the counter to reach its ticket. */
export interface TicketWait {
  readonly target: number;
}

/** A ticket handed out by `take` and not yet passed on by its holder's `advance`. */
export interface Outstanding {
  readonly ticket: number;
  readonly ctx: CtxId;
  /** Its holder took a newer ticket without advancing this one: nobody will ever pass it on. */
  abandoned: boolean;
}

/** A ticket counter's mutable state (`save` / `restore`). */
export interface TicketCounterState extends ResourceState {
  readonly current: number;
  readonly waiting: WaitQueueState<TicketWait>;
  readonly observedAdvancers: readonly CtxId[];
  readonly started: number;
  readonly outstanding: readonly Outstanding[];
  readonly waitsBlocked: number;
}

export class TicketCounter extends Resource {
  readonly kind = 'counter';

  private current: number;
  // Wake-all: non-exclusive waiters (wait_var_event); an advance wakes every one whose ticket it reached.
  private readonly parked = new WaitQueue<TicketWait>();
  private readonly declaredAdvancers: readonly CtxId[] | undefined;
  private observedAdvancers: CtxId[] = [];
  // Jeff's `started`: the next ticket `take` hands out.
  private started = 0;
  private outstanding: Outstanding[] = [];

  /** waitFor calls that had to sleep. */
  waitsBlocked = 0;

  constructor(opts: TicketCounterOptions, clock: SimClock) {
    super(opts.name, clock);
    const value = opts.value ?? 0;
    if (!Number.isInteger(value)) {
      throw new Error(`counter ${opts.name}: value must be a whole number, got ${value}`);
    }
    this.current = value;
    this.declaredAdvancers = opts.advancers;
    this.recordLevel();
  }

  /** Any number of contexts may wait. */
  get capacity(): number {
    return Infinity;
  }

  /** Contexts waiting for their ticket. */
  get level(): number {
    return this.parked.length;
  }

  get value(): number {
    return this.current;
  }

  /** Tickets handed out so far (the `started` counter). */
  get taken(): number {
    return this.started;
  }

  /**
   * Hand out the next ticket (`atomic_inc_return(&started) - 1`), never
   * blocking. A context that takes a ticket while an older one of its own is
   * still outstanding has abandoned the older one (it exited the request that
   * held it without advancing: the leak).
   */
  take(ctx: CtxId): number {
    for (const t of this.outstanding) if (t.ctx === ctx) t.abandoned = true;
    const ticket = this.started++;
    this.outstanding.push({ ticket, ctx, abandoned: false });
    return ticket;
  }

  /** Proceed once the counter has reached `target`. */
  waitFor(ctx: CtxId, target: number, opts: { wait: boolean }): OpResult {
    this.refuseIfParked(ctx, 'waitFor');
    if (this.current >= target) return { status: 'ok', wakeups: NO_WAKEUPS };
    if (!opts.wait) return { status: 'eagain', wakeups: NO_WAKEUPS };
    this.waitsBlocked++;
    this.parked.park({ ctx, what: `ticket ${target}`, since: this.clock.step, exclusive: false, data: { target } });
    this.recordLevel();
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }

  /** Bump the counter (atomic_add + wake_up) and release every ticket it now covers, oldest first. */
  advance(ctx: CtxId, by = 1): OpResult {
    if (!Number.isInteger(by) || by < 1) {
      throw new Error(`counter ${this.name}: ${ctx} advances by ${by}; the step must be a whole number >= 1`);
    }
    if (!this.observedAdvancers.includes(ctx)) this.observedAdvancers.push(ctx);
    // The advancer passes on its own oldest live ticket, if it took any.
    for (let n = 0; n < by; n++) {
      const mine = this.outstanding.findIndex((t) => t.ctx === ctx && !t.abandoned);
      if (mine < 0) break;
      this.outstanding.splice(mine, 1);
    }
    this.current += by;
    // wake_up_var: each waiter's condition is checked where it sleeps, so one
    // whose ticket is still ahead is not woken and keeps its place.
    const wakeups: Wakeup[] = this.parked
      .wakeAll((w) => w.data.target <= this.current)
      .map((w) => ({ ctx: w.ctx, op: 'waitFor' }));
    this.recordLevel();
    return { status: 'ok', wakeups: wakeups.length > 0 ? wakeups : NO_WAKEUPS };
  }

  /**
   * wait_event_timeout() returned 0 (include/linux/wait.h: finish_wait takes
   * the entry off): the waiter leaves, its ticket still outstanding, so
   * whoever holds it must still advance past it.
   */
  override withdraw(ctx: CtxId): boolean {
    if (this.parked.remove(ctx) === undefined) return false;
    this.recordLevel();
    return true;
  }

  override metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel, waits: this.waitsBlocked };
  }

  waiters(): readonly Waiter[] {
    return this.parked.list();
  }

  /**
   * Declared advancers; else, once tickets are handed out, the holders of
   * live tickets before the waiter's (only they can move the counter to it);
   * else whoever advanced it so far. Nobody means an orphaned wait.
   */
  releasers(waiter: Waiter): Releasers {
    if (this.declaredAdvancers !== undefined) return this.declaredAdvancers.map((ctx) => ({ ctx, edge: 'may-release' }));
    if (this.started > 0) {
      const target = this.parked.find(waiter.ctx)?.data.target ?? Infinity;
      const holders = this.outstanding.filter((t) => t.ticket < target && !t.abandoned && t.ctx !== waiter.ctx).map((t) => t.ctx);
      return [...new Set(holders)].map((ctx) => ({ ctx, edge: 'may-release' }));
    }
    return this.observedAdvancers.map((ctx) => ({ ctx, edge: 'may-release' }));
  }

  describe(): string {
    const waiting = this.parked.length > 0 ? `, ${this.parked.length} waiting: ${this.parked.all().map((w) => w.what).join(', ')}` : '';
    const lost = this.outstanding.filter((t) => t.abandoned).map((t) => `ticket ${t.ticket} abandoned by ${t.ctx}`);
    const tickets = this.started > 0 ? `, ${this.started} tickets taken${lost.length > 0 ? `; ${lost.join(', ')}` : ''}` : '';
    return `${this.kind} ${this.name} (value ${this.current}${tickets}${waiting})`;
  }

  checkConservation(): string | undefined {
    const stale = this.parked.all().find((w) => w.data.target <= this.current);
    if (stale !== undefined) {
      return `${this.kind} ${this.name} is at ${this.current} but ${stale.ctx} still waits for ticket ${stale.data.target}`;
    }
    return undefined;
  }

  fingerprint(): string {
    const waiting = this.parked.fingerprint((w) => `${w.ctx}:${w.data.target}`);
    const held = this.outstanding.map((t) => `${t.ticket}@${t.ctx}${t.abandoned ? '!' : ''}`).join(',');
    return `${this.kind} ${this.name} value[${this.current}] started[${this.started}] held[${held}] wait[${waiting}]`;
  }

  save(): TicketCounterState {
    return {
      ...this.saveBase(),
      current: this.current,
      waiting: this.parked.save(),
      observedAdvancers: this.observedAdvancers.slice(),
      started: this.started,
      // Copied: `take` marks an outstanding ticket abandoned in place.
      outstanding: this.outstanding.map((t) => ({ ...t })),
      waitsBlocked: this.waitsBlocked,
    };
  }

  restore(state: TicketCounterState): void {
    this.restoreBase(state);
    this.current = state.current;
    this.parked.restore(state.waiting);
    this.observedAdvancers = state.observedAdvancers.slice();
    this.started = state.started;
    this.outstanding = state.outstanding.map((t) => ({ ...t }));
    this.waitsBlocked = state.waitsBlocked;
  }
}
