/**
 * A bounded FIFO between contexts: a mailbox, a request queue, a ring of
 * records. A put to a full channel either parks the writer *with its item*
 * (a blocking write) or returns EAGAIN (a non-blocking one); the caller
 * chooses per call, because the same channel can have a blocking end and a
 * non-blocking end (the UML AIO thread vs the ubd driver).
 */
import {
  canonicalText,
  mentionsBio,
  NO_WAKEUPS,
  Resource,
  type CtxId,
  type OpResult,
  type Releaser,
  type Releasers,
  type ResourceState,
  type SimClock,
  type Wakeup,
  type Waiter,
} from './resource.js';
import { WaitQueue, type WaitQueueState } from './wait-queue.js';

export interface ChannelOptions {
  readonly name: string;
  /** Records it holds; `Infinity` for an unbounded queue. At least 1. */
  readonly capacity: number;
  /** Contexts that read it, if known up front (the wait-for graph trusts them). */
  readonly readers?: readonly CtxId[];
  /** Contexts that write it, if known up front. */
  readonly writers?: readonly CtxId[];
  /** Unit shown in `describe()`; `records` by default. */
  readonly unit?: string;
}

/** What a writer parked on a full channel still holds: the item it wanted to write, and where. */
export interface PendingPut<T> {
  readonly item: T;
  readonly front: boolean;
}

/** A channel's mutable state (`save` / `restore`). */
export interface ChannelState<T> extends ResourceState {
  /** Items in delivery order (head first). */
  readonly items: readonly T[];
  readonly putters: WaitQueueState<PendingPut<T>>;
  readonly getters: WaitQueueState<undefined>;
  readonly observedReaders: readonly CtxId[];
  readonly observedWriters: readonly CtxId[];
  readonly putsBlocked: number;
  readonly eagainCount: number;
  readonly fullCount: number;
}

export class Channel<T = unknown> extends Resource {
  // An accessor, not a field, so Pipe can override it with another name.
  get kind(): string {
    return 'channel';
  }

  /** Puts that found the channel full and parked. */
  putsBlocked = 0;
  /** Puts that found the channel full and returned EAGAIN. */
  eagainCount = 0;
  /** Times the channel went from not full to full. */
  fullCount = 0;

  private items: T[] = [];
  // Both hand-off (exclusive waiters, FIFO): a get moves the oldest writer's
  // item in, a put hands its item to the oldest reader.
  private readonly putters = new WaitQueue<PendingPut<T>>();
  private readonly getters = new WaitQueue<undefined>();
  private readonly declaredReaders: readonly CtxId[] | undefined;
  private readonly declaredWriters: readonly CtxId[] | undefined;
  // Without a declaration, whoever has used the channel is the best guess at
  // who may use it again; first-seen order keeps the wait-for graph stable.
  private observedReaders: CtxId[] = [];
  private observedWriters: CtxId[] = [];
  private readonly unit: string;
  private readonly slots: number;

  constructor(opts: ChannelOptions, clock: SimClock) {
    super(opts.name, clock);
    const { capacity } = opts;
    if (!(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 1))) {
      throw new Error(
        `channel ${opts.name}: capacity must be a whole number >= 1 or Infinity, got ${capacity}`,
      );
    }
    this.slots = capacity;
    this.declaredReaders = opts.readers;
    this.declaredWriters = opts.writers;
    this.unit = opts.unit ?? 'records';
    this.recordLevel();
  }

  get capacity(): number {
    return this.slots;
  }

  /** Items in the channel; a parked writer's item is not in it yet. */
  get level(): number {
    return this.items.length;
  }

  get length(): number {
    return this.items.length;
  }

  get isFull(): boolean {
    return this.items.length >= this.slots;
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }

  /** Items in delivery order (head first). */
  peekAll(): readonly T[] {
    return this.items.slice();
  }

  override holds(bio: string): boolean {
    return this.items.some((it) => mentionsBio(it, bio));
  }

  /**
   * Write one item. `front` requeues at the head (a request that could not be
   * issued goes back where it was, so queue order is kept).
   */
  put(ctx: CtxId, item: T, opts: { wait: boolean; front?: boolean }): OpResult {
    this.refuseIfParked(ctx, 'put');
    noteFirstSeen(this.observedWriters, ctx);
    const getter = this.getters.wakeOne();
    if (getter !== undefined) {
      // A parked reader means the channel is empty: hand over directly, as a
      // pipe write copies straight into a sleeping reader's buffer.
      return { status: 'ok', wakeups: [{ ctx: getter.ctx, op: 'get', value: item }] };
    }
    if (!this.isFull) {
      this.insert(item, opts.front ?? false);
      // Counted here only: a get that moves a parked writer's item in keeps
      // the channel full without making it become full.
      if (this.isFull) this.fullCount++;
      return { status: 'ok', wakeups: NO_WAKEUPS };
    }
    if (!opts.wait) {
      this.eagainCount++;
      return { status: 'eagain', wakeups: NO_WAKEUPS };
    }
    this.putsBlocked++;
    this.putters.park({ ctx, what: 'space', since: this.clock.step, exclusive: true, data: { item, front: opts.front ?? false } });
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }

  /** Read the head item; the slot it frees goes to the oldest parked writer. */
  get(ctx: CtxId, opts: { wait: boolean }): OpResult<T> {
    this.refuseIfParked(ctx, 'get');
    noteFirstSeen(this.observedReaders, ctx);
    if (this.items.length === 0) {
      if (!opts.wait) return { status: 'eagain', wakeups: NO_WAKEUPS };
      this.getters.park({ ctx, what: 'data', since: this.clock.step, exclusive: true, data: undefined });
      return { status: 'blocked', wakeups: NO_WAKEUPS };
    }
    const item = this.items.shift() as T;
    const putter = this.putters.wakeOne();
    let wakeups: readonly Wakeup[] = NO_WAKEUPS;
    if (putter !== undefined) {
      this.insert(putter.data.item, putter.data.front);
      wakeups = [{ ctx: putter.ctx, op: 'put' }];
    }
    this.recordLevel();
    return { status: 'ok', value: item, wakeups };
  }

  /**
   * A timed reader or writer gives up (wait_event_timeout returning 0:
   * finish_wait takes it off the queue). A writer leaves with its item still
   * in hand: the item never entered the channel, so the channel is as full
   * as before and no slot changes hands.
   */
  override withdraw(ctx: CtxId): boolean {
    return this.getters.remove(ctx) !== undefined || this.putters.remove(ctx) !== undefined;
  }

  override metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel, fullCount: this.fullCount, eagain: this.eagainCount, putsBlocked: this.putsBlocked };
  }

  waiters(): readonly Waiter[] {
    // Getters park only on an empty channel and putters only on a full one,
    // so at most one of the two lists is non-empty: concatenation is FIFO.
    return [...this.getters.list(), ...this.putters.list()];
  }

  releasers(waiter: Waiter): Releasers {
    if (waiter.what === 'space') return roleReleasers(this.declaredReaders, this.observedReaders, 'only-reader');
    if (waiter.what === 'data') return roleReleasers(this.declaredWriters, this.observedWriters, 'only-writer');
    return [];
  }

  describe(): string {
    const fill =
      this.slots === Infinity ? `${this.items.length} queued` : `${this.items.length}/${this.slots} ${this.unit}`;
    const parked = this.getters.length + this.putters.length;
    return `${this.kind} ${this.name} (${fill}${parked > 0 ? `, ${parked} waiting` : ''})`;
  }

  checkConservation(): string | undefined {
    const where = `${this.kind} ${this.name}`;
    if (this.items.length > this.slots) {
      return `${where} holds ${this.items.length} ${this.unit}, more than its capacity ${this.slots}`;
    }
    if (this.getters.length > 0 && this.items.length > 0) {
      return `${where} has ${this.getters.length} reader(s) parked while ${this.items.length} ${this.unit} wait to be read`;
    }
    if (this.putters.length > 0 && !this.isFull) {
      return `${where} has ${this.putters.length} writer(s) parked while it has room`;
    }
    return undefined;
  }

  /** Contents and parked contexts in order; `since` and the counters are history, not state. */
  fingerprint(): string {
    const items = this.items.map(canonicalText).join(',');
    const putters = this.putters.fingerprint((p) => `${p.ctx}${p.data.front ? '^' : ''}=${canonicalText(p.data.item)}`);
    const getters = this.getters.fingerprint();
    return `${this.kind} ${this.name}[${items}] put[${putters}] get[${getters}]`;
  }

  save(): ChannelState<T> {
    return {
      ...this.saveBase(),
      items: this.items.slice(),
      putters: this.putters.save(),
      getters: this.getters.save(),
      observedReaders: this.observedReaders.slice(),
      observedWriters: this.observedWriters.slice(),
      putsBlocked: this.putsBlocked,
      eagainCount: this.eagainCount,
      fullCount: this.fullCount,
    };
  }

  restore(state: ChannelState<T>): void {
    this.restoreBase(state);
    this.items = state.items.slice();
    this.putters.restore(state.putters);
    this.getters.restore(state.getters);
    this.observedReaders = state.observedReaders.slice();
    this.observedWriters = state.observedWriters.slice();
    this.putsBlocked = state.putsBlocked;
    this.eagainCount = state.eagainCount;
    this.fullCount = state.fullCount;
  }

  private insert(item: T, front: boolean): void {
    if (front) this.items.unshift(item);
    else this.items.push(item);
    this.recordLevel();
  }
}

function noteFirstSeen(list: CtxId[], ctx: CtxId): void {
  if (!list.includes(ctx)) list.push(ctx);
}

/**
 * A single declared counterpart is the only one who can help (the edge that
 * makes a cycle certain); several, or a guess from observation, only may.
 */
function roleReleasers(
  declared: readonly CtxId[] | undefined,
  observed: readonly CtxId[],
  onlyEdge: Releaser['edge'],
): readonly Releaser[] {
  if (declared === undefined) return observed.map((ctx) => ({ ctx, edge: 'may-release' }));
  if (declared.length === 1) return [{ ctx: declared[0], edge: onlyEdge }];
  return declared.map((ctx) => ({ ctx, edge: 'may-release' }));
}
