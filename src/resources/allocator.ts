/**
 * The page allocator behind kmalloc (and behind every mempool). Memory
 * pressure shows up as a failed attempt: what GFP_ATOMIC / GFP_NOWAIT callers
 * and mempool_alloc's first try see. A GFP_KERNEL caller instead sleeps until
 * some free hands it memory (`alloc` with `wait`): any free anywhere refills
 * the allocator, so such a sleeper never closes a cycle in the wait-for graph
 * (`releasers` is `anyone`). If nothing is ever freed, the run ends in an
 * orphaned wait (quiescent with bios open) or no-progress (other events keep
 * happening) — never in a cycle.
 */
import { NO_WAKEUPS, Resource, type CtxId, type OpResult, type Releasers, type ResourceState, type SimClock, type Waiter, type Wakeup } from './resource.js';
import type { RandomStream, RandomStreamState } from './random-stream.js';
import { WaitQueue, type WaitQueueState } from './wait-queue.js';

/**
 * `none`: every attempt succeeds (up to `limit`); `always`: every attempt
 * fails (the "failAll" switch); `failP`: each attempt fails with that
 * probability, drawn from the seeded stream.
 */
export type MemoryPressure = 'none' | 'always' | { readonly failP: number };

export interface PageAllocatorOptions {
  readonly name: string;
  readonly pressure: MemoryPressure;
  /** Hard cap on elements out at once; unlimited if absent. */
  readonly limit?: number;
}

/** A page allocator's mutable state (`save` / `restore`). */
export interface PageAllocatorState extends ResourceState {
  /** Elements out and their holders, in allocation order. */
  readonly out: readonly (readonly [element: string, ctx: CtxId])[];
  readonly sleeping: WaitQueueState<undefined>;
  readonly seq: number;
  readonly failCount: number;
  readonly sleeps: number;
  /** Position in the failure stream; null when the stream is a bare function (see the constructor). */
  readonly rng: RandomStreamState | null;
}

export class PageAllocator extends Resource {
  readonly kind = 'allocator';

  /** Attempts that failed (pressure or limit). */
  failCount = 0;
  /** GFP_KERNEL allocations that found no memory and slept. */
  sleeps = 0;

  readonly pressure: MemoryPressure;
  private readonly limit: number;
  // Element -> context it was handed to; insertion order is allocation order.
  private out = new Map<string, CtxId>();
  // Hand-off: exclusive sleepers, FIFO; a free gives its element to the oldest.
  private readonly parked = new WaitQueue<undefined>();
  private seq = 0;
  private readonly draw: () => number;
  private readonly stream: RandomStream | undefined;

  /**
   * `rng` is the seeded stream `failP` pressure draws from: a `RandomStream`
   * (the kernel passes its `Prng`), whose position `save` records, or a bare
   * function, whose position cannot be saved — `save` then refuses under
   * `failP` (under `none` or `always` nothing is ever drawn, so there is
   * nothing to lose).
   */
  constructor(opts: PageAllocatorOptions, clock: SimClock, rng: RandomStream | (() => number)) {
    super(opts.name, clock);
    if (typeof rng === 'function') {
      this.draw = rng;
      this.stream = undefined;
    } else {
      this.draw = () => rng.next();
      this.stream = rng;
    }
    const { pressure, limit } = opts;
    if (typeof pressure === 'object' && !(pressure.failP >= 0 && pressure.failP <= 1)) {
      throw new Error(`allocator ${opts.name}: pressure.failP must be in [0, 1], got ${pressure.failP}`);
    }
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new Error(`allocator ${opts.name}: limit must be a whole number >= 0, got ${limit}`);
    }
    this.pressure = pressure;
    this.limit = limit ?? Infinity;
    this.recordLevel();
  }

  get capacity(): number {
    return this.limit;
  }

  get level(): number {
    return this.out.size;
  }

  /**
   * One no-wait attempt (GFP_NOWAIT). `ignorePressure` is for boot-time
   * allocations such as mempool_create's reserve fill, which happen before
   * any pressure exists; the limit still applies.
   */
  tryAlloc(ctx: CtxId, opts: { ignorePressure?: boolean } = {}): string | undefined {
    if (this.out.size >= this.limit || (!opts.ignorePressure && this.underPressure())) {
      this.failCount++;
      return undefined;
    }
    const element = `${this.name}#${++this.seq}`;
    this.out.set(element, ctx);
    this.recordLevel();
    return element;
  }

  /**
   * kmalloc: one attempt; on failure a GFP_KERNEL caller (`wait`) sleeps
   * until a free hands it memory, a GFP_ATOMIC caller gets EAGAIN (NULL).
   */
  alloc(ctx: CtxId, opts: { wait: boolean }): OpResult<string> {
    this.refuseIfParked(ctx, 'kmalloc');
    const element = this.tryAlloc(ctx);
    if (element !== undefined) return { status: 'ok', value: element, wakeups: NO_WAKEUPS };
    if (!opts.wait) return { status: 'eagain', wakeups: NO_WAKEUPS };
    this.sleeps++;
    this.parked.park({ ctx, what: 'memory', since: this.clock.step, exclusive: true, data: undefined });
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }

  /**
   * kfree (or a mempool giving an element back). Memory freed while someone
   * sleeps in GFP_KERNEL goes straight to the oldest sleeper: that is what
   * the free's wake-up of the reclaim waiters amounts to.
   */
  free(element: string): readonly Wakeup[] {
    if (!this.out.delete(element)) {
      throw new Error(`allocator ${this.name}: free of ${element}, which it did not hand out or was already freed`);
    }
    const sleeper = this.parked.wakeOne();
    if (sleeper !== undefined) {
      this.out.set(element, sleeper.ctx);
      return [{ ctx: sleeper.ctx, op: 'kmalloc', value: element }];
    }
    this.recordLevel();
    return NO_WAKEUPS;
  }

  /** GFP_KERNEL callers sleeping for memory, oldest first. */
  override metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel, failures: this.failCount, sleeps: this.sleeps };
  }

  waiters(): readonly Waiter[] {
    return this.parked.list();
  }

  /** Any free anywhere may refill it, so it never closes a cycle. */
  releasers(_waiter: Waiter): Releasers {
    return 'anyone';
  }

  describe(): string {
    const fill = this.limit === Infinity ? `${this.out.size} out` : `${this.out.size}/${this.limit} out`;
    const sleeping = this.parked.length > 0 ? `, ${this.parked.length} sleeping` : '';
    return `${this.kind} ${this.name} (${fill}, pressure ${pressureText(this.pressure)}${sleeping})`;
  }

  checkConservation(): string | undefined {
    if (this.out.size > this.limit) {
      return `${this.kind} ${this.name} has ${this.out.size} elements out, more than its limit ${this.limit}`;
    }
    return undefined;
  }

  /**
   * Elements out and their holders. The id sequence is left out: states that
   * differ only in the next id behave the same up to renaming.
   */
  fingerprint(): string {
    const out = [...this.out].map(([element, ctx]) => `${element}@${ctx}`).join(',');
    return `${this.kind} ${this.name} out[${out}] wait[${this.parked.fingerprint()}]`;
  }

  save(): PageAllocatorState {
    if (this.stream === undefined && typeof this.pressure === 'object') {
      throw new Error(`allocator ${this.name}: cannot save its state: pressure failP draws from a bare function, whose position cannot be saved (pass a RandomStream)`);
    }
    return {
      ...this.saveBase(),
      out: [...this.out],
      sleeping: this.parked.save(),
      seq: this.seq,
      failCount: this.failCount,
      sleeps: this.sleeps,
      rng: this.stream?.save() ?? null,
    };
  }

  restore(state: PageAllocatorState): void {
    this.restoreBase(state);
    this.out = new Map(state.out);
    this.parked.restore(state.sleeping);
    this.seq = state.seq;
    this.failCount = state.failCount;
    this.sleeps = state.sleeps;
    if (state.rng !== null) {
      if (this.stream === undefined) throw new Error(`allocator ${this.name}: cannot restore a stream position into a bare function`);
      this.stream.restore(state.rng);
    }
  }

  private underPressure(): boolean {
    if (this.pressure === 'none') return false;
    if (this.pressure === 'always') return true;
    return this.draw() < this.pressure.failP;
  }
}

function pressureText(pressure: MemoryPressure): string {
  return typeof pressure === 'object' ? `failP ${pressure.failP}` : pressure;
}
