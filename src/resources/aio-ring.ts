/**
 * A Linux AIO context, as created by `io_setup(nrEvents)`. An iocb occupies
 * the ring from io_submit until io_getevents reaps its completion, so events
 * that completed but were not reaped still count: a reaper that stops
 * reaping (UML's AIO thread blocked on its reply pipe) fills the ring, and
 * the next io_submit fails with EAGAIN.
 */
import {
  mentionsBio,
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

export interface AioRingOptions {
  readonly name: string;
  /** The `nr_events` passed to io_setup: iocbs that may be in flight at once. */
  readonly nrEvents: number;
  /** Contexts that call io_submit, if known up front. */
  readonly submitters?: readonly CtxId[];
  /** The device context that completes submitted iocbs. */
  readonly completer?: CtxId;
}

/** A completion as io_getevents returns it (`struct io_event`: the iocb and its `res`). */
export interface AioEvent<I> {
  readonly iocb: I;
  readonly res: number;
}

/** What a context parked in io_getevents(min_nr, nr) asked for. */
export interface GeteventsWait {
  readonly min: number;
  readonly max: number;
}

/** An AIO ring's mutable state (`save` / `restore`). */
export interface AioRingState<I> extends ResourceState {
  /** Submitted, not completed, in submission order. */
  readonly submitted: readonly I[];
  /** Completed, not reaped, in completion order. */
  readonly completed: readonly AioEvent<I>[];
  readonly reapers: WaitQueueState<GeteventsWait>;
  readonly observedSubmitters: readonly CtxId[];
  readonly eagainCount: number;
  readonly fullCount: number;
}

export class AioRing<I extends { id: string }> extends Resource {
  readonly kind = 'aio-ring';

  /** io_submit calls refused with EAGAIN because the ring was full. */
  eagainCount = 0;
  /** Times in-flight iocbs reached nrEvents. */
  fullCount = 0;

  readonly nrEvents: number;
  private submitted = new Map<string, I>();
  private completed: AioEvent<I>[] = [];
  // Hand-off from the head (exclusive, FIFO): a completion serves the oldest
  // reaper once it has its min events, never a younger one first.
  private readonly reapers = new WaitQueue<GeteventsWait>();
  private readonly declaredSubmitters: readonly CtxId[] | undefined;
  private observedSubmitters: CtxId[] = [];
  private readonly completer: CtxId | undefined;

  constructor(opts: AioRingOptions, clock: SimClock) {
    super(opts.name, clock);
    if (!Number.isInteger(opts.nrEvents) || opts.nrEvents < 1) {
      throw new Error(`aio-ring ${opts.name}: nrEvents must be a whole number >= 1, got ${opts.nrEvents}`);
    }
    this.nrEvents = opts.nrEvents;
    this.declaredSubmitters = opts.submitters;
    this.completer = opts.completer;
    this.recordLevel();
  }

  get capacity(): number {
    return this.nrEvents;
  }

  /** In flight: submitted and not yet reaped. */
  get level(): number {
    return this.inFlight;
  }

  get inFlight(): number {
    return this.submitted.size + this.completed.length;
  }

  /** Ids of iocbs the device has not completed yet, in submission order. */
  get submittedNotCompleted(): readonly string[] {
    return [...this.submitted.keys()];
  }

  /** An iocb in flight or completed-not-reaped that carries `bio` (compared exactly). */
  override holds(bio: string): boolean {
    for (const iocb of this.submitted.values()) if (mentionsBio(iocb, bio)) return true;
    return this.completed.some((e) => mentionsBio(e.iocb, bio));
  }

  /** Completions waiting for io_getevents, in completion order. */
  get completedNotReaped(): readonly AioEvent<I>[] {
    return this.completed.slice();
  }

  /** io_submit of one iocb. Never blocks: a full ring is EAGAIN (io_submit(2)). */
  submit(ctx: CtxId, iocb: I): OpResult {
    if (!this.observedSubmitters.includes(ctx)) this.observedSubmitters.push(ctx);
    if (this.submitted.has(iocb.id) || this.completed.some((e) => e.iocb.id === iocb.id)) {
      throw new Error(`aio-ring ${this.name}: ${ctx} submits iocb ${iocb.id}, which is already in flight`);
    }
    if (this.inFlight >= this.nrEvents) {
      this.eagainCount++;
      return { status: 'eagain', wakeups: NO_WAKEUPS };
    }
    this.submitted.set(iocb.id, iocb);
    if (this.inFlight === this.nrEvents) this.fullCount++;
    this.recordLevel();
    return { status: 'ok', wakeups: NO_WAKEUPS };
  }

  /**
   * The device finished iocb `id` with result `res` (bytes, or -errno). Parked
   * reapers are served oldest first while the oldest has its `min` events;
   * a younger reaper never overtakes an older one that is still short.
   */
  complete(id: string, res: number): OpResult {
    const iocb = this.submitted.get(id);
    if (iocb === undefined) {
      throw new Error(`aio-ring ${this.name}: completion of iocb ${id}, which is not submitted-and-pending`);
    }
    this.submitted.delete(id);
    this.completed.push({ iocb, res });
    const wakeups: Wakeup[] = [];
    for (;;) {
      const head = this.reapers.peek();
      if (head === undefined || this.completed.length < head.data.min) break;
      this.reapers.wakeOne();
      wakeups.push({ ctx: head.ctx, op: 'getevents', value: this.reap(head.data.max) });
    }
    return { status: 'ok', wakeups: wakeups.length > 0 ? wakeups : NO_WAKEUPS };
  }

  /**
   * io_getevents(min_nr = min, nr = max). A caller that can be satisfied now
   * is, even if an older reaper waits for more (Linux wakes all of them and
   * lets each re-check); only a caller that must wait joins the FIFO.
   */
  getevents(ctx: CtxId, opts: { min: number; max: number; wait: boolean }): OpResult<AioEvent<I>[]> {
    this.refuseIfParked(ctx, 'io_getevents');
    const { min, max } = opts;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < 1 || min > max) {
      throw new Error(
        `aio-ring ${this.name}: ${ctx} calls io_getevents with min ${min}, max ${max}; need 0 <= min <= max, max >= 1`,
      );
    }
    if (this.completed.length >= min) return { status: 'ok', value: this.reap(max), wakeups: NO_WAKEUPS };
    if (!opts.wait) return { status: 'eagain', wakeups: NO_WAKEUPS };
    this.reapers.park({ ctx, what: 'events', since: this.clock.step, exclusive: true, data: { min, max } });
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }

  /**
   * A timed io_getevents whose timeout passed leaves the queue (the kernel
   * then calls `reapTimedOut` for what it returns).
   */
  override withdraw(ctx: CtxId): boolean {
    return this.reapers.remove(ctx) !== undefined;
  }

  /**
   * What a withdrawn reaper's io_getevents returns: up to `max` of the
   * completions there are, possibly none (2.6 fs/aio.c read_events: on
   * `to.timed_out` it returns the `i` events it read so far). Nobody else is
   * owed a wake-up: the oldest reaper had fewer than its min_nr <= max and
   * takes them all, and a younger one leaves the oldest as short as it was.
   */
  reapTimedOut(ctx: CtxId, max: number): AioEvent<I>[] {
    if (this.reapers.has(ctx)) throw new Error(`aio-ring ${this.name}: ${ctx} reaps after a timeout while still parked`);
    if (!Number.isInteger(max) || max < 1) throw new Error(`aio-ring ${this.name}: ${ctx} reaps with max ${max}; need max >= 1`);
    return this.reap(max);
  }

  override metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel, eagain: this.eagainCount, fullCount: this.fullCount };
  }

  waiters(): readonly Waiter[] {
    return this.reapers.list();
  }

  /**
   * While an iocb is pending, its completion will come from the device.
   * Without a declared device nobody in the graph can be named, yet the
   * completion is still coming (devices do not block), so the ring must not
   * close a cycle. With nothing pending, only a new submission can help.
   */
  releasers(_waiter: Waiter): Releasers {
    if (this.submitted.size > 0) {
      return this.completer === undefined ? 'anyone' : [{ ctx: this.completer, edge: 'completes' }];
    }
    const submitters = this.declaredSubmitters ?? this.observedSubmitters;
    return submitters.map((ctx) => ({ ctx, edge: 'may-release' }));
  }

  describe(): string {
    const parts = [`${this.submitted.size} submitted`, `${this.completed.length} completed`];
    if (this.reapers.length > 0) parts.push(`${this.reapers.length} waiting`);
    return `${this.kind} ${this.name} (${this.inFlight}/${this.nrEvents} events: ${parts.join(', ')})`;
  }

  checkConservation(): string | undefined {
    const where = `${this.kind} ${this.name}`;
    if (this.inFlight > this.nrEvents) {
      return `${where} has ${this.inFlight} iocbs in flight, more than nrEvents ${this.nrEvents}`;
    }
    const ids = [...this.submitted.keys(), ...this.completed.map((e) => e.iocb.id)];
    if (new Set(ids).size !== ids.length) return `${where} holds the same iocb id twice`;
    const oldest = this.reapers.peek();
    if (oldest !== undefined && this.completed.length >= oldest.data.min) {
      return `${where} has ${oldest.ctx} parked for ${oldest.data.min} events while ${this.completed.length} are ready`;
    }
    return undefined;
  }

  /** Iocbs by id (an id names its iocb) and results; `since` and counters are history, not state. */
  fingerprint(): string {
    const pending = [...this.submitted.keys()].join(',');
    const done = this.completed.map((e) => `${e.iocb.id}=${e.res}`).join(',');
    const reapers = this.reapers.fingerprint((r) => `${r.ctx}:${r.data.min}-${r.data.max}`);
    return `${this.kind} ${this.name} sub[${pending}] done[${done}] reap[${reapers}]`;
  }

  save(): AioRingState<I> {
    return {
      ...this.saveBase(),
      submitted: [...this.submitted.values()],
      completed: this.completed.slice(),
      reapers: this.reapers.save(),
      observedSubmitters: this.observedSubmitters.slice(),
      eagainCount: this.eagainCount,
      fullCount: this.fullCount,
    };
  }

  restore(state: AioRingState<I>): void {
    this.restoreBase(state);
    // An iocb is keyed by its id, as `submit` keys it.
    this.submitted = new Map(state.submitted.map((iocb) => [iocb.id, iocb]));
    this.completed = state.completed.slice();
    this.reapers.restore(state.reapers);
    this.observedSubmitters = state.observedSubmitters.slice();
    this.eagainCount = state.eagainCount;
    this.fullCount = state.fullCount;
  }

  private reap(max: number): AioEvent<I>[] {
    const events = this.completed.splice(0, max);
    this.recordLevel();
    return events;
  }
}
