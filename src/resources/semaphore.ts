/**
 * A counting semaphore (down()/up()), e.g. the one guarding UML's static
 * emergency buffer, downed by the submitter and upped by the interrupt
 * handler that frees the buffer. Unlike a lock, the up may come from a
 * context that never did the down, so who can release a waiter is either
 * declared (`upBy`) or guessed from who holds a unit.
 */
import {
  NO_WAKEUPS,
  Resource,
  type CtxId,
  type OpResult,
  type Releasers,
  type ResourceState,
  type SimClock,
  type Waiter,
} from './resource.js';
import { WaitQueue, type WaitQueueState } from './wait-queue.js';

export interface SemaphoreOptions {
  readonly name: string;
  /** Initial count (sema_init). */
  readonly count: number;
  /** Contexts that call up(), if known up front. */
  readonly upBy?: readonly CtxId[];
}

/** A semaphore's mutable state (`save` / `restore`). */
export interface SemaphoreState extends ResourceState {
  readonly value: number;
  readonly units: number;
  readonly held: readonly CtxId[];
  readonly waiting: WaitQueueState<undefined>;
  readonly downsBlocked: number;
}

export class Semaphore extends Resource {
  readonly kind = 'semaphore';

  /** down() calls that had to sleep. */
  downsBlocked = 0;

  /** Units available to down() now. */
  private value: number;
  // Units in existence: the initial count, plus every up() that matched no
  // outstanding down() (a semaphore used as a completion grows this way).
  private units: number;
  // One entry per down() not yet matched by an up(), oldest first.
  private held: CtxId[] = [];
  // Hand-off: exclusive waiters, FIFO (down() sleeps exclusive); up() gives its unit to the oldest.
  private readonly parked = new WaitQueue<undefined>();
  private readonly upBy: readonly CtxId[] | undefined;

  constructor(opts: SemaphoreOptions, clock: SimClock) {
    super(opts.name, clock);
    if (!Number.isInteger(opts.count) || opts.count < 0) {
      throw new Error(`semaphore ${opts.name}: count must be a whole number >= 0, got ${opts.count}`);
    }
    this.value = opts.count;
    this.units = opts.count;
    this.upBy = opts.upBy;
    this.recordLevel();
  }

  get capacity(): number {
    return this.units;
  }

  /** Units held (downs not yet matched by an up). */
  get level(): number {
    return this.held.length;
  }

  /** Units free now. */
  get count(): number {
    return this.value;
  }

  down(ctx: CtxId, opts: { wait: boolean }): OpResult {
    this.refuseIfParked(ctx, 'down');
    if (this.value > 0) {
      this.value--;
      this.held.push(ctx);
      this.recordLevel();
      return { status: 'ok', wakeups: NO_WAKEUPS };
    }
    if (!opts.wait) return { status: 'eagain', wakeups: NO_WAKEUPS };
    this.downsBlocked++;
    this.parked.park({ ctx, what: 'semaphore', since: this.clock.step, exclusive: true, data: undefined });
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }

  /**
   * up() matches ctx's own oldest down if it has one, else the oldest down
   * of anyone (the interrupt handler releasing the submitter's unit). The
   * unit goes straight to the oldest waiter, if any.
   */
  up(ctx: CtxId): OpResult {
    const own = this.held.indexOf(ctx);
    if (own >= 0) this.held.splice(own, 1);
    else if (this.held.length > 0) this.held.shift();
    else this.units++;
    const next = this.parked.wakeOne();
    if (next !== undefined) this.held.push(next.ctx);
    else this.value++;
    this.recordLevel();
    return { status: 'ok', wakeups: next === undefined ? NO_WAKEUPS : [{ ctx: next.ctx, op: 'down' }] };
  }

  /**
   * down_timeout() gave up (kernel/semaphore.c, 2.6.26+: __down_common's
   * `timed_out:` does list_del of the waiter and returns -ETIME). The waiter
   * held no unit yet, so count and holders stay as they are.
   */
  override withdraw(ctx: CtxId): boolean {
    return this.parked.remove(ctx) !== undefined;
  }

  /** Contexts with a down not yet matched by an up, in order, each once. */
  holders(): CtxId[] {
    return [...new Set(this.held)];
  }

  override metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel, waits: this.downsBlocked };
  }

  waiters(): readonly Waiter[] {
    return this.parked.list();
  }

  /**
   * Declared uppers; else the holders, the waiter itself last: a waiter that
   * holds a unit cannot up() it while it sleeps, so another holder is the
   * one a wait-for cycle goes through (two contexts each holding one of two
   * units and waiting for a second is a cycle of two, not of one).
   */
  releasers(waiter: Waiter): Releasers {
    if (this.upBy !== undefined) return this.upBy.map((ctx) => ({ ctx, edge: 'may-release' }));
    const holders = this.holders();
    const others = holders.filter((ctx) => ctx !== waiter.ctx);
    const ordered = others.length === holders.length ? holders : [...others, waiter.ctx];
    return ordered.map((ctx) => ({ ctx, edge: 'held-by' }));
  }

  describe(): string {
    const held = this.held.length > 0 ? `, held by ${this.holders().join(' ')}` : '';
    const waiting = this.parked.length > 0 ? `, ${this.parked.length} waiting` : '';
    return `${this.kind} ${this.name} (${this.value}/${this.units} free${held}${waiting})`;
  }

  checkConservation(): string | undefined {
    const where = `${this.kind} ${this.name}`;
    if (this.value + this.held.length !== this.units) {
      return `${where}: ${this.value} free + ${this.held.length} held != ${this.units} units`;
    }
    if (this.parked.length > 0 && this.value > 0) {
      return `${where} has ${this.parked.length} context(s) parked while ${this.value} units are free`;
    }
    return undefined;
  }

  fingerprint(): string {
    return `${this.kind} ${this.name} free[${this.value}] held[${this.held.join(',')}] wait[${this.parked.fingerprint()}]`;
  }

  save(): SemaphoreState {
    return { ...this.saveBase(), value: this.value, units: this.units, held: this.held.slice(), waiting: this.parked.save(), downsBlocked: this.downsBlocked };
  }

  restore(state: SemaphoreState): void {
    this.restoreBase(state);
    this.value = state.value;
    this.units = state.units;
    this.held = state.held.slice();
    this.parked.restore(state.waiting);
    this.downsBlocked = state.downsBlocked;
  }
}
