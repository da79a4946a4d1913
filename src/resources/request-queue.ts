/**
 * A block device's request queue as the 2.6 block layer bounds it
 * (block/ll_rw_blk.c, 2.6.10-2.6.17): at most `nr_requests` requests out at
 * once. `get_request` takes one; `get_request_wait` sleeps, untimed
 * (`io_schedule()`), on the queue's exclusive wait queue while none is left;
 * `blk_put_request` (after `end_that_request_last`) gives one back, and
 * `freed_request` wakes one sleeper, which then gets it.
 *
 * The queue is also what decides congestion (`bdi_write_congested`): it
 * becomes congested when the requests out reach `nr_congestion_on` and stops
 * being so below `nr_congestion_off` (`blk_queue_congestion_threshold`), a
 * little hysteresis. Page reclaim reads it (vmscan.c `may_write_to_queue`).
 *
 * Not modelled: batching (`ioc_batching` lets the task that filled the queue,
 * or one just woken, take a few requests beyond `nr_requests`), the READ and
 * WRITE halves (one list here), the elevator (what a request carries travels
 * in channels of its own).
 */
import { NO_WAKEUPS, Resource, type CtxId, type OpResult, type Releasers, type ResourceState, type SimClock, type Waiter, type Wakeup } from './resource.js';
import { WaitQueue, type WaitQueueState } from './wait-queue.js';

export interface RequestQueueOptions {
  readonly name: string;
  /** `q->nr_requests` (BLKDEV_MAX_RQ, 128, by default in 2.6). */
  readonly nrRequests: number;
  /** The contexts that complete this queue's requests (its driver's request path): who can wake a sleeper. */
  readonly completedBy: readonly CtxId[];
}

/**
 * A sleeper in `get_request_wait`: a submitter, or page reclaim writing back
 * `writeback`'s dirty pages (then what it waits for is that writeback).
 */
interface Sleeper {
  readonly writeback?: string;
}

/** A request queue's mutable state (`save` / `restore`). */
export interface RequestQueueState extends ResourceState {
  readonly count: number;
  readonly congested: boolean;
  readonly sleeping: WaitQueueState<Sleeper>;
  readonly waits: number;
  readonly writebackWaits: number;
}

export class RequestQueue extends Resource {
  readonly kind = 'request-queue';

  /** get_request_wait calls by submitters that had to sleep. */
  waits = 0;
  /** Reclaim that had to sleep to submit a device's writeback. */
  writebackWaits = 0;

  readonly nrRequests: number;
  /** `q->nr_congestion_on` / `q->nr_congestion_off`. */
  readonly congestionOn: number;
  readonly congestionOff: number;
  private readonly completedBy: readonly CtxId[];
  // rl->count: requests out.
  private count = 0;
  private congestedNow = false;
  // Exclusive FIFO (prepare_to_wait_exclusive): a freed request wakes the oldest.
  private readonly parked = new WaitQueue<Sleeper>();

  constructor(opts: RequestQueueOptions, clock: SimClock) {
    super(opts.name, clock);
    if (!Number.isInteger(opts.nrRequests) || opts.nrRequests < 1) {
      throw new Error(`request-queue ${opts.name}: nrRequests must be a whole number >= 1, got ${opts.nrRequests}`);
    }
    if (!Array.isArray(opts.completedBy) || opts.completedBy.some((c) => typeof c !== 'string' || c === '')) {
      throw new Error(`request-queue ${opts.name}: completedBy must list the contexts that complete its requests (context names), got ${JSON.stringify(opts.completedBy)}`);
    }
    this.nrRequests = opts.nrRequests;
    this.completedBy = opts.completedBy;
    const nr = opts.nrRequests;
    // blk_queue_congestion_threshold (2.6.10+): on at 7/8 + 1, off a sixteenth lower.
    this.congestionOn = Math.min(nr, nr - Math.floor(nr / 8) + 1);
    this.congestionOff = Math.max(1, nr - Math.floor(nr / 8) - Math.floor(nr / 16) - 1);
    this.recordLevel();
  }

  get capacity(): number {
    return this.nrRequests;
  }

  /** Requests out. */
  get level(): number {
    return this.count;
  }

  /** Every request is out: get_request fails, get_request_wait sleeps. */
  get full(): boolean {
    return this.count >= this.nrRequests;
  }

  /** `bdi_write_congested` of the device this queue serves. */
  get congested(): boolean {
    return this.congestedNow;
  }

  /** get_request (`wait` false: fail when full) or get_request_wait (sleep until one is freed). */
  get(ctx: CtxId, opts: { wait: boolean }): OpResult {
    this.refuseIfParked(ctx, 'get_request');
    if (!this.full) {
      this.take();
      return { status: 'ok', wakeups: NO_WAKEUPS };
    }
    if (!opts.wait) return { status: 'eagain', wakeups: NO_WAKEUPS };
    this.waits++;
    this.parked.park({ ctx, what: 'a request', since: this.clock.step, exclusive: true, data: {} });
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }

  /**
   * Page reclaim writing back `device`'s dirty pages through this queue
   * (pageout -> writepage -> submit_bio -> get_request_wait) found it full:
   * it sleeps here, untimed, until a request is freed.
   */
  sleepForWriteback(ctx: CtxId, device: string): void {
    this.refuseIfParked(ctx, 'get_request_wait');
    if (!this.full) throw new Error(`request-queue ${this.name}: ${ctx} sleeps for a request while ${this.nrRequests - this.count} are free`);
    this.writebackWaits++;
    this.parked.park({ ctx, what: `a request to write back ${device}'s dirty pages`, since: this.clock.step, exclusive: true, data: { writeback: device } });
  }

  /**
   * blk_put_request -> freed_request: one request back; below the off
   * threshold the queue is no longer congested; the oldest sleeper is woken
   * and gets it. A reclaim sleeper is woken too, but its writeback request
   * is not kept here (the device's writeback completes it; the model does
   * not carry it): the freed request stays free and the wake goes on to the
   * next sleeper, so no submitter loses its wake-up to it.
   */
  put(ctx: CtxId): OpResult {
    if (this.count === 0) throw new Error(`request-queue ${this.name}: ${ctx} puts a request back while none is out`);
    this.count--;
    if (this.count < this.congestionOff) this.congestedNow = false;
    const wakeups: Wakeup[] = [];
    for (let next = this.parked.wakeOne(); next !== undefined; next = this.parked.wakeOne()) {
      if (next.data.writeback !== undefined) {
        // Nothing handed over: reclaim goes on with its pass when it next runs.
        wakeups.push({ ctx: next.ctx, op: 'get_request_wait', recheck: true });
        continue;
      }
      wakeups.push({ ctx: next.ctx, op: 'get_request_wait' });
      this.take();
      break;
    }
    this.recordLevel();
    return { status: 'ok', wakeups };
  }

  override metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel, waits: this.waits, writebackWaits: this.writebackWaits };
  }

  waiters(): readonly Waiter[] {
    return this.parked.list();
  }

  /**
   * Only a completed request frees one: its completers. For reclaim waiting
   * to write back a device, that completion is the device's writeback.
   */
  releasers(waiter: Waiter): Releasers {
    const device = this.parked.find(waiter.ctx)?.data.writeback;
    if (device !== undefined) return this.completedBy.map((ctx) => ({ ctx, edge: 'writeback-of', device }));
    return this.completedBy.map((ctx) => ({ ctx, edge: 'completes' }));
  }

  describe(): string {
    const congested = this.congestedNow ? ', congested' : '';
    const waiting = this.parked.length > 0 ? `, ${this.parked.length} waiting` : '';
    return `${this.kind} ${this.name} (${this.count}/${this.nrRequests} requests${congested}${waiting})`;
  }

  checkConservation(): string | undefined {
    const where = `${this.kind} ${this.name}`;
    if (this.count < 0 || this.count > this.nrRequests) return `${where} has ${this.count} requests out, outside 0..${this.nrRequests}`;
    if (this.parked.length > 0 && !this.full) return `${where} has ${this.parked.length} sleeper(s) while ${this.nrRequests - this.count} requests are free`;
    return undefined;
  }

  fingerprint(): string {
    const wait = this.parked.fingerprint((e) => (e.data.writeback === undefined ? e.ctx : `${e.ctx}:writeback ${e.data.writeback}`));
    return `${this.kind} ${this.name} out[${this.count}] congested[${this.congestedNow}] wait[${wait}]`;
  }

  save(): RequestQueueState {
    return { ...this.saveBase(), count: this.count, congested: this.congestedNow, sleeping: this.parked.save(), waits: this.waits, writebackWaits: this.writebackWaits };
  }

  restore(state: RequestQueueState): void {
    this.restoreBase(state);
    this.count = state.count;
    this.congestedNow = state.congested;
    this.parked.restore(state.sleeping);
    this.waits = state.waits;
    this.writebackWaits = state.writebackWaits;
  }

  // get_request: one more out; at the on threshold the queue is congested.
  private take(): void {
    this.count++;
    if (this.count >= this.congestionOn) this.congestedNow = true;
    this.recordLevel();
  }
}
