/**
 * A mempool (Linux `mm/mempool.c`): `minNr` preallocated elements kept in
 * reserve in front of a backing allocator, so a caller that may sleep is
 * guaranteed an element eventually — provided every element handed out is
 * freed. That proviso is what the wait-for graph checks: a waiter depends on
 * the holders of this pool's elements, and a holder that waits (directly or
 * not) for the waiter closes a cycle (shared bioset starvation).
 */
import type { PageAllocator } from './allocator.js';
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
  readonly eagainCount: number;
  readonly allocsBlocked: number;
  readonly reserveAllocs: number;
}

/** The pseudo-context that owns the reserve's elements in the backing allocator. */
const BOOT: CtxId = 'boot';

export class Mempool extends Resource {
  readonly kind = 'mempool';

  /** Allocations that found the reserve empty and returned EAGAIN. */
  eagainCount = 0;
  /** Allocations that found the reserve empty and parked. */
  allocsBlocked = 0;
  /** Allocations served from the reserve because the allocator failed. */
  reserveAllocs = 0;

  readonly minNr: number;
  private readonly backing: PageAllocator;
  // Taken from the end, like the kernel's `elements[--curr_nr]`.
  private reserve: string[] = [];
  // Element -> context that allocated it; insertion order is allocation order.
  private out = new Map<string, CtxId>();
  // Hand-off: exclusive waiters, FIFO; a free gives its element to the oldest.
  private readonly parked = new WaitQueue<undefined>();
  private readonly freedBy: readonly CtxId[] | undefined;

  constructor(opts: MempoolOptions, clock: SimClock) {
    super(opts.name, clock);
    this.freedBy = opts.freedBy;
    if (!Number.isInteger(opts.minNr) || opts.minNr < 0) {
      throw new Error(`mempool ${opts.name}: minNr must be a whole number >= 0, got ${opts.minNr}`);
    }
    this.minNr = opts.minNr;
    this.backing = opts.backing;
    // mempool_create fills the reserve at once; at boot there is no pressure.
    for (let i = 0; i < this.minNr; i++) {
      const element = this.backing.tryAlloc(BOOT, { ignorePressure: true });
      if (element === undefined) {
        throw new Error(
          `mempool ${opts.name}: backing allocator ${this.backing.name} could not supply the ${this.minNr} reserve elements (limit reached after ${i})`,
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
   * mempool_alloc: the allocator first (without waiting), the reserve only
   * when it fails, then park — or EAGAIN for a GFP_NOWAIT / GFP_ATOMIC caller.
   */
  alloc(ctx: CtxId, opts: { wait: boolean }): OpResult<string> {
    this.refuseIfParked(ctx, 'alloc');
    let element = this.backing.tryAlloc(ctx);
    if (element === undefined) {
      element = this.reserve.pop();
      if (element !== undefined) this.reserveAllocs++;
    }
    if (element !== undefined) {
      this.out.set(element, ctx);
      this.recordLevel();
      return { status: 'ok', value: element, wakeups: NO_WAKEUPS };
    }
    if (!opts.wait) {
      this.eagainCount++;
      return { status: 'eagain', wakeups: NO_WAKEUPS };
    }
    this.allocsBlocked++;
    this.parked.park({ ctx, what: 'element', since: this.clock.step, exclusive: true, data: undefined });
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }

  /**
   * mempool_free: a freed element refills the reserve before it goes back to
   * the allocator. A waiter can only exist while the reserve is empty, so the
   * element the kernel would add and then `wake_up` for goes straight to the
   * oldest waiter. (With minNr 0 the kernel would free it to the allocator
   * and let the waiter's timed retry find it; handing it over directly is
   * the same outcome without modelling the timeout.)
   */
  free(ctx: CtxId, element: string): OpResult {
    if (!this.out.delete(element)) {
      throw new Error(
        `mempool ${this.name}: ${ctx} frees ${element}, which the pool did not hand out or was already freed`,
      );
    }
    const waiter = this.parked.wakeOne();
    if (waiter !== undefined) {
      this.out.set(element, waiter.ctx);
      return { status: 'ok', wakeups: [{ ctx: waiter.ctx, op: 'alloc', value: element }] };
    }
    let wakeups = NO_WAKEUPS;
    if (this.reserve.length < this.minNr) this.reserve.push(element);
    // Back to the allocator, where it may wake a GFP_KERNEL sleeper.
    else wakeups = this.backing.free(element);
    this.recordLevel();
    return { status: 'ok', wakeups };
  }

  /** Contexts holding elements of this pool, in allocation order, each once. */
  holders(): CtxId[] {
    return [...new Set(this.out.values())];
  }

  override metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel, waits: this.allocsBlocked, reserveAllocs: this.reserveAllocs };
  }

  waiters(): readonly Waiter[] {
    return this.parked.list();
  }

  /**
   * Only a free of one of this pool's elements wakes a waiter (a free
   * elsewhere refills the allocator, which a waiter does not retry here):
   * the declared freers, else the holders.
   */
  releasers(_waiter: Waiter): Releasers {
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
   */
  checkConservation(): string | undefined {
    const where = `${this.kind} ${this.name}`;
    if (this.reserve.length > this.minNr) {
      return `${where} holds ${this.reserve.length} elements in reserve, more than minNr ${this.minNr}`;
    }
    if (this.reserve.length + this.out.size < this.minNr) {
      return `${where} lost reserve elements: ${this.reserve.length} in reserve + ${this.out.size} out < minNr ${this.minNr}`;
    }
    if (this.reserve.some((e) => this.out.has(e))) return `${where} has an element both in reserve and handed out`;
    if (new Set(this.reserve).size !== this.reserve.length) return `${where} holds the same element twice in reserve`;
    if (this.parked.length > 0 && this.reserve.length > 0) {
      return `${where} has ${this.parked.length} waiter(s) parked while ${this.reserve.length} elements are in reserve`;
    }
    return undefined;
  }

  /** Reserve, elements out with their holders, waiters in order; counters are history, not state. */
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
      eagainCount: this.eagainCount,
      allocsBlocked: this.allocsBlocked,
      reserveAllocs: this.reserveAllocs,
    };
  }

  restore(state: MempoolState): void {
    this.restoreBase(state);
    this.reserve = state.reserve.slice();
    this.out = new Map(state.out);
    this.parked.restore(state.waiting);
    this.eagainCount = state.eagainCount;
    this.allocsBlocked = state.allocsBlocked;
    this.reserveAllocs = state.reserveAllocs;
  }
}
