/**
 * A mempool (Linux `mm/mempool.c`, in the version its spec names:
 * mempool-versions.ts): `minNr` preallocated elements kept in reserve in
 * front of a backing allocator, so a caller that may sleep is guaranteed an
 * element eventually — provided every element handed out is freed. That
 * proviso is what the wait-for graph checks: a waiter depends on the holders
 * of this pool's elements, and a holder that waits (directly or not) for the
 * waiter closes a cycle (shared bioset starvation).
 *
 * There is no hand-off: `mempool_free` refills the reserve and wakes every
 * sleeper, each of which re-runs `repeat_alloc` later (the allocator first,
 * then the reserve) — so another caller may take the refilled element in
 * between, and a woken sleeper may find nothing and sleep again.
 */
import { parseGfp, type Gfp } from '../model/gfp.js';
import type { PageAllocator } from './allocator.js';
import { DEFAULT_MEMPOOL_VERSION, mempoolVersion, type MempoolVersion, type MempoolVersionName } from './mempool-versions.js';
import {
  NO_WAKEUPS,
  Resource,
  type CtxId,
  type OpResult,
  type Releasers,
  type ResourceState,
  type SimClock,
  type Waiter,
  type Wakeup,
} from './resource.js';
import { WaitQueue, type WaitQueueState } from './wait-queue.js';

export interface MempoolOptions {
  readonly name: string;
  /** Elements kept in reserve (mempool_create's `min_nr`). */
  readonly minNr: number;
  readonly backing: PageAllocator;
  /**
   * Contexts that free its elements, if known up front: an element that
   * travels with an I/O is freed by the completion path (an interrupt
   * handler), not by the context that allocated it.
   */
  readonly freedBy?: readonly CtxId[];
  /** Whose mm/mempool.c it follows; default 2.6.14. */
  readonly version?: MempoolVersionName;
}

/**
 * A mempool's own mutable state (`save` / `restore`). The backing
 * allocator's is not in it: that allocator is a resource of its own, saved
 * and restored by whoever saves the pool.
 */
export interface MempoolState extends ResourceState {
  /** The reserve, taken from the end. */
  readonly reserve: readonly string[];
  /** Elements out and the contexts that allocated them, in allocation order. */
  readonly out: readonly (readonly [element: string, ctx: CtxId])[];
  readonly waiting: WaitQueueState<undefined>;
  /** Contexts inside mempool_alloc that slept at least once, with the virtual time they first slept. */
  readonly sleepingSince: readonly (readonly [ctx: CtxId, time: number])[];
  readonly eagainCount: number;
  readonly allocsBlocked: number;
  readonly reserveAllocs: number;
  readonly futileWakeups: number;
  readonly timeouts: number;
  readonly longestWait: number;
}

/** The pseudo-context that owns the reserve's elements in the backing allocator. */
const BOOT: CtxId = 'boot';

/** Why a sleeper re-runs `repeat_alloc`: a free woke it, or its `io_schedule_timeout` expired. */
export type RetryReason = 'released' | 'timed-out';

export class Mempool extends Resource {
  readonly kind = 'mempool';

  /** Allocations that found the reserve empty and returned NULL (no __GFP_WAIT). */
  eagainCount = 0;
  /** Allocations that had to sleep (each counted once, however often it slept). */
  allocsBlocked = 0;
  /** Elements served from the reserve because the allocator failed. */
  reserveAllocs = 0;
  /** Sleepers a free woke that re-tested, found nothing and slept again (someone else took the element). */
  futileWakeups = 0;
  /** Timed sleeps (io_schedule_timeout) that ran out before a free woke them. */
  timeouts = 0;
  /** Longest wait, in virtual ticks, from a caller's first sleep to getting its element. */
  longestWait = 0;

  readonly minNr: number;
  readonly version: MempoolVersion;
  private readonly backing: PageAllocator;

  /** The backing allocator's name (its `failP` draws are the handler's choice points). */
  get backingName(): string {
    return this.backing.name;
  }
  // Taken from the end, like the kernel's `elements[--curr_nr]`.
  private reserve: string[] = [];
  // Element -> context that allocated it; insertion order is allocation order.
  private out = new Map<string, CtxId>();
  // pool->wait: non-exclusive sleepers (prepare_to_wait), all woken by a refill.
  private readonly parked = new WaitQueue<undefined>();
  private sleepingSince = new Map<CtxId, number>();
  private readonly freedBy: readonly CtxId[] | undefined;

  constructor(opts: MempoolOptions, clock: SimClock) {
    super(opts.name, clock);
    this.freedBy = opts.freedBy;
    if (!Number.isInteger(opts.minNr) || opts.minNr < 0) {
      throw new Error(`mempool ${opts.name}: minNr must be a whole number >= 0, got ${opts.minNr}`);
    }
    this.minNr = opts.minNr;
    try {
      this.version = mempoolVersion(opts.version ?? DEFAULT_MEMPOOL_VERSION);
    } catch (e) {
      throw new Error(`mempool ${opts.name}: ${(e as Error).message}`);
    }
    this.backing = opts.backing;
    // mempool_create fills the reserve at once; at boot there is no pressure.
    for (let i = 0; i < this.reserveRoom; i++) {
      const element = this.backing.tryAlloc(BOOT, { ignorePressure: true });
      if (element === undefined) {
        throw new Error(
          `mempool ${opts.name}: backing allocator ${this.backing.name} could not supply the ${this.reserveRoom} reserve elements (limit reached after ${i})`,
        );
      }
      this.reserve.push(element);
    }
    this.recordLevel();
  }

  /** The guaranteed part: the reserve. More may be out when the allocator is generous. */
  get capacity(): number {
    return this.minNr;
  }

  /** Elements handed out and not freed. */
  get level(): number {
    return this.out.size;
  }

  /** Elements in reserve now (the kernel's `curr_nr`). */
  get reserveLevel(): number {
    return this.reserve.length;
  }

  /**
   * Slots of the reserve: `min_nr`, but one for a zero-minimum pool once the
   * fix preallocates `max(1, min_nr)` and lets a free refill an empty one.
   */
  get reserveRoom(): number {
    return this.version.zeroMinRefill ? Math.max(1, this.minNr) : this.minNr;
  }

  /**
   * mempool_alloc with mask `gfp`: a first round without __GFP_WAIT|__GFP_IO
   * (the allocator, then the reserve); on 4.x, a second round at once with
   * the full mask if that differs; then NULL without __GFP_WAIT, or a sleep
   * on the pool's wait queue (`retry` continues after it).
   */
  alloc(ctx: CtxId, mask: Gfp, backingFails?: boolean): OpResult<string> {
    this.refuseIfParked(ctx, 'alloc');
    const gfp = parseGfp(mask).flags;
    const got = this.round(ctx, backingFails);
    if (got !== undefined) return got;
    const firstRoundWasWeaker = gfp.has('__GFP_WAIT') || gfp.has('__GFP_IO');
    if (this.version.immediateRetry && firstRoundWasWeaker) {
      // The same drawn fate: the full-mask retry follows at once and sees the same memory.
      const again = this.round(ctx, backingFails);
      if (again !== undefined) return again;
    }
    if (!gfp.has('__GFP_WAIT')) {
      this.eagainCount++;
      return { status: 'eagain', wakeups: NO_WAKEUPS };
    }
    this.allocsBlocked++;
    this.sleepingSince.set(ctx, this.clock.now);
    return this.sleep(ctx);
  }

  /**
   * `goto repeat_alloc` after the sleep ended (a free woke it, or the timeout
   * expired), with the full mask now: the allocator, the reserve, else sleep
   * again. The kernel left it off the wait queue already (woken or withdrawn).
   */
  retry(ctx: CtxId, why: RetryReason, backingFails?: boolean): OpResult<string> {
    if (why === 'timed-out') this.timeouts++;
    const got = this.round(ctx, backingFails);
    if (got !== undefined) return got;
    if (why === 'released') this.futileWakeups++;
    return this.sleep(ctx);
  }

  /**
   * mempool_free: below `min_nr` (or, with the fix, into an empty
   * zero-minimum pool) the element refills the reserve and `wake_up` lets
   * every sleeper go to re-test; otherwise it goes back to the allocator,
   * where it may wake a GFP_KERNEL sleeper, and nobody here is woken.
   */
  free(ctx: CtxId, element: string): OpResult {
    if (!this.out.delete(element)) {
      throw new Error(
        `mempool ${this.name}: ${ctx} frees ${element}, which the pool did not hand out or was already freed`,
      );
    }
    const refills = this.reserve.length < this.minNr || (this.version.zeroMinRefill && this.minNr === 0 && this.reserve.length === 0);
    if (!refills) {
      const wakeups = this.backing.free(element);
      this.recordLevel();
      return { status: 'ok', wakeups };
    }
    this.reserve.push(element);
    this.recordLevel();
    const woken: Wakeup[] = this.parked.wakeAll().map((e) => ({ ctx: e.ctx, op: 'alloc', recheck: true }));
    return { status: 'ok', wakeups: woken };
  }

  /** Contexts holding elements of this pool, in allocation order, each once. */
  holders(): CtxId[] {
    return [...new Set(this.out.values())];
  }

  override metrics(): Readonly<Record<string, number>> {
    return {
      maxLevel: this.maxLevel,
      waits: this.allocsBlocked,
      reserveAllocs: this.reserveAllocs,
      futileWakeups: this.futileWakeups,
      timeouts: this.timeouts,
      longestWait: this.longestWait,
    };
  }

  waiters(): readonly Waiter[] {
    return this.parked.list();
  }

  /** io_schedule_timeout expired: the sleeper leaves the queue (finish_wait) and re-runs repeat_alloc. */
  override withdraw(ctx: CtxId): boolean {
    return this.parked.remove(ctx) !== undefined;
  }

  /**
   * The predicate a sleeper tested before sleeping (`if (!pool->curr_nr)`,
   * or `curr_nr == 0` under pool->lock on 4.x): if the reserve holds an
   * element while it is still parked, a wake-up was lost.
   */
  override readyWaiter(_waiter: Waiter): string | undefined {
    return this.reserve.length > 0 ? `curr_nr > 0 (${this.reserve.length} in reserve)` : undefined;
  }

  /**
   * Only a free that refills the reserve wakes a sleeper (a free elsewhere
   * refills the allocator, which it re-tries only when woken or timed out):
   * the declared freers, else the holders. A zero-minimum pool without the
   * fix is never refilled: an untimed sleeper there has no releaser at all,
   * and a timed one gets out only through the allocator it re-tries.
   */
  releasers(waiter: Waiter): Releasers {
    if (this.reserveRoom === 0) return this.version.sleepSeconds === undefined ? [] : this.backing.releasers(waiter);
    if (this.freedBy !== undefined) return this.freedBy.map((ctx) => ({ ctx, edge: 'may-release' }));
    return this.holders().map((ctx) => ({ ctx, edge: 'held-by' }));
  }

  describe(): string {
    const waiting = this.parked.length > 0 ? `, ${this.parked.length} waiting` : '';
    return `${this.kind} ${this.name} (reserve ${this.reserve.length}/${this.minNr}, ${this.out.size} out${waiting})`;
  }

  /**
   * The reserve may be lent out but never lost: every reserve slot that is
   * empty corresponds to an element still out, hence reserve + out >= minNr.
   * (A sleeper parked beside a full reserve is a lost wake-up, reported by
   * check/lost-wakeup.ts through `readyWaiter`.)
   */
  checkConservation(): string | undefined {
    const where = `${this.kind} ${this.name}`;
    if (this.reserve.length > this.reserveRoom) {
      return `${where} holds ${this.reserve.length} elements in reserve, more than its ${this.reserveRoom} slots (minNr ${this.minNr})`;
    }
    if (this.reserve.length + this.out.size < this.minNr) {
      return `${where} lost reserve elements: ${this.reserve.length} in reserve + ${this.out.size} out < minNr ${this.minNr}`;
    }
    if (this.reserve.some((e) => this.out.has(e))) return `${where} has an element both in reserve and handed out`;
    if (new Set(this.reserve).size !== this.reserve.length) return `${where} holds the same element twice in reserve`;
    return undefined;
  }

  /** Reserve, elements out with their holders, waiters in order; counters and wait times are history, not state. */
  fingerprint(): string {
    const out = [...this.out].map(([element, ctx]) => `${element}@${ctx}`).join(',');
    const waiting = this.parked.fingerprint();
    return `${this.kind} ${this.name} reserve[${this.reserve.join(',')}] out[${out}] wait[${waiting}]`;
  }

  save(): MempoolState {
    return {
      ...this.saveBase(),
      reserve: this.reserve.slice(),
      out: [...this.out],
      waiting: this.parked.save(),
      sleepingSince: [...this.sleepingSince],
      eagainCount: this.eagainCount,
      allocsBlocked: this.allocsBlocked,
      reserveAllocs: this.reserveAllocs,
      futileWakeups: this.futileWakeups,
      timeouts: this.timeouts,
      longestWait: this.longestWait,
    };
  }

  restore(state: MempoolState): void {
    this.restoreBase(state);
    this.reserve = state.reserve.slice();
    this.out = new Map(state.out);
    this.parked.restore(state.waiting);
    this.sleepingSince = new Map(state.sleepingSince);
    this.eagainCount = state.eagainCount;
    this.allocsBlocked = state.allocsBlocked;
    this.reserveAllocs = state.reserveAllocs;
    this.futileWakeups = state.futileWakeups;
    this.timeouts = state.timeouts;
    this.longestWait = state.longestWait;
  }

  /** One round of repeat_alloc: `pool->alloc` (the allocator), then `remove_element` from the reserve. */
  private round(ctx: CtxId, backingFails?: boolean): OpResult<string> | undefined {
    let element = this.backing.tryAlloc(ctx, { fails: backingFails });
    if (element === undefined) {
      element = this.reserve.pop();
      if (element === undefined) return undefined;
      this.reserveAllocs++;
    }
    this.out.set(element, ctx);
    this.recordLevel();
    const since = this.sleepingSince.get(ctx);
    if (since !== undefined) {
      this.sleepingSince.delete(ctx);
      this.longestWait = Math.max(this.longestWait, this.clock.now - since);
    }
    return { status: 'ok', value: element, wakeups: NO_WAKEUPS };
  }

  /** prepare_to_wait(&pool->wait) and sleep: non-exclusive, so every refill wakes it. */
  private sleep(ctx: CtxId): OpResult<string> {
    this.parked.park({ ctx, what: 'element', since: this.clock.step, exclusive: false, data: undefined });
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }
}
