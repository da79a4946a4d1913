/**
 * A monotonic counter that contexts wait on until it reaches their ticket:
 * Jeff Dike's `started`/`submitted` sequencing for ubd (a request may go to
 * the host only once `submitted` equals its ticket). Its failure mode is the
 * ticket leak: a request that errors out without advancing the counter
 * leaves every later request waiting for something nobody will do — an
 * orphaned wait, which `releasers` reports as an empty list.
 */
import {
  NO_WAKEUPS,
  Resource,
  type CtxId,
  type OpResult,
  type Releasers,
  type SimClock,
  type Wakeup,
  type Waiter,
} from './resource.js';

export interface TicketCounterOptions {
  readonly name: string;
  /** Starting value; 0 by default. */
  readonly value?: number;
  /** Contexts that advance it, if known up front. */
  readonly advancers?: readonly CtxId[];
}

interface ParkedTicket extends Waiter {
  readonly target: number;
}

export class TicketCounter extends Resource {
  readonly kind = 'counter';

  private current: number;
  private readonly parked: ParkedTicket[] = [];
  private readonly declaredAdvancers: readonly CtxId[] | undefined;
  private readonly observedAdvancers: CtxId[] = [];

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

  /** Proceed once the counter has reached `target`. */
  waitFor(ctx: CtxId, target: number, opts: { wait: boolean }): OpResult {
    this.refuseIfParked(ctx, 'waitFor');
    if (this.current >= target) return { status: 'ok', wakeups: NO_WAKEUPS };
    if (!opts.wait) return { status: 'eagain', wakeups: NO_WAKEUPS };
    this.parked.push({ ctx, what: `ticket ${target}`, since: this.clock.step, target });
    this.recordLevel();
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }

  /** Bump the counter (atomic_add + wake_up) and release every ticket it now covers, oldest first. */
  advance(ctx: CtxId, by = 1): OpResult {
    if (!Number.isInteger(by) || by < 1) {
      throw new Error(`counter ${this.name}: ${ctx} advances by ${by}; the step must be a whole number >= 1`);
    }
    if (!this.observedAdvancers.includes(ctx)) this.observedAdvancers.push(ctx);
    this.current += by;
    const wakeups: Wakeup[] = [];
    for (let i = 0; i < this.parked.length; ) {
      const waiter = this.parked[i];
      if (waiter.target <= this.current) {
        this.parked.splice(i, 1);
        wakeups.push({ ctx: waiter.ctx, op: 'waitFor' });
      } else {
        i++;
      }
    }
    this.recordLevel();
    return { status: 'ok', wakeups: wakeups.length > 0 ? wakeups : NO_WAKEUPS };
  }

  waiters(): readonly Waiter[] {
    return this.parked.map(({ ctx, what, since }) => ({ ctx, what, since }));
  }

  /** Declared advancers, else whoever advanced it so far; nobody means an orphaned wait. */
  releasers(_waiter: Waiter): Releasers {
    const advancers = this.declaredAdvancers ?? this.observedAdvancers;
    return advancers.map((ctx) => ({ ctx, edge: 'may-release' }));
  }

  describe(): string {
    const waiting = this.parked.length > 0 ? `, ${this.parked.length} waiting: ${this.parked.map((w) => w.what).join(', ')}` : '';
    return `${this.kind} ${this.name} (value ${this.current}${waiting})`;
  }

  checkConservation(): string | undefined {
    const stale = this.parked.find((w) => w.target <= this.current);
    if (stale !== undefined) {
      return `${this.kind} ${this.name} is at ${this.current} but ${stale.ctx} still waits for ticket ${stale.target}`;
    }
    return undefined;
  }

  fingerprint(): string {
    const waiting = this.parked.map((w) => `${w.ctx}:${w.target}`).join(',');
    return `${this.kind} ${this.name} value[${this.current}] wait[${waiting}]`;
  }
}
