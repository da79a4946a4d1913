/**
 * The page allocator behind kmalloc (and behind every mempool), after Linux
 * mm/page_alloc.c `__alloc_pages` (2.6.14; `__alloc_pages_slowpath` in
 * 2.6.32 keeps the same shape). Memory pressure shows up as a failed
 * attempt. What a caller does next depends on its mask (model/gfp.ts), and
 * the kmalloc handler (kernel/kinds/kmalloc.ts) drives it:
 *
 * - every caller gets one attempt; one with `__GFP_HIGH` (GFP_ATOMIC) may
 *   then take from the `reserve` (the pages below the zone's `pages_min`
 *   that `zone_watermark_ok` lets only `gfp_high` callers reach); GFP_NOWAIT
 *   may not;
 * - a caller with `__GFP_WAIT` does not sleep until some free: it loops,
 *   reclaiming and then sleeping in `blk_congestion_wait(WRITE, HZ/50)`
 *   (2.6.14; `congestion_wait(BLK_RW_ASYNC, HZ/50)` in 2.6.32) until an
 *   attempt succeeds. `congestionWait` parks such a caller with its
 *   deadline; nothing here wakes it early (a kfree does not: the kernel's
 *   congestion waiters are woken by a queue leaving congestion, or the
 *   timeout), so it retries when the timeout passes.
 *
 * Who could end such a wait is what `releasers` tells the wait-for graph.
 * Normally anyone: any free anywhere, or reclaim of anything, may turn up a
 * page, so the wait never closes a cycle. A system may instead declare the
 * memory `exhausted` except the dirty pages of some devices: then only the
 * writeback of those pages can free any, and the releasers are exactly the
 * contexts doing that writeback, for the devices the waiter's mask lets
 * reclaim write back (`writeback-of` edges). A mask that allows none has
 * no releaser at all.
 */
import { NO_WAKEUPS, Resource, type CtxId, type Releaser, type Releasers, type ResourceState, type SimClock, type Waiter, type Wakeup } from './resource.js';
import type { RandomStream, RandomStreamState } from './random-stream.js';
import { WaitQueue, type WaitQueueState } from './wait-queue.js';
import type { GfpFlag } from '../model/gfp.js';

/**
 * `none`: every attempt succeeds (up to `limit`); `always`: every attempt
 * fails (the "failAll" switch); `failP`: each attempt fails with that
 * probability, drawn from the seeded stream.
 */
export type MemoryPressure = 'none' | 'always' | { readonly failP: number };

/** What kind of dirty pages a device holds, which decides the mask reclaim needs to write them back. */
export const DIRTY_PAGES = ['file', 'swap'] as const;
export type DirtyPages = (typeof DIRTY_PAGES)[number];

/**
 * One device whose dirty pages are all that reclaim could still free. In
 * 2.6.14 `shrink_list` writes a dirty page back only if `may_enter_fs`:
 * `__GFP_FS`, or `__GFP_IO` for a page in the swap cache.
 */
export interface DirtyDevice {
  /** The device (`X`). */
  readonly device: string;
  /** The contexts whose progress writes those pages back: the device's request path. */
  readonly writeback: readonly CtxId[];
  /** The device's request queue, when reclaim submits the writeback through one (a request-queue resource). */
  readonly queue?: string;
  /** `file` (page cache: needs `__GFP_FS`, the default) or `swap` (swap cache: `__GFP_IO` is enough). */
  readonly pages?: DirtyPages;
  /**
   * Contexts that write back to the queue even when it is congested:
   * `may_write_to_queue` (mm/vmscan.c, 2.6.14) lets kswapd, pdflush and a
   * task whose `current->backing_dev_info` is the device's (set by
   * `generic_file_aio_write` while it writes a file on it) through; any other
   * reclaimer skips a congested queue and goes to `congestion_wait`.
   */
  readonly writers?: readonly CtxId[];
}

/** Memory exhausted except the dirty pages of `dirtyOn`: only their writeback can free any. */
export interface Exhaustion {
  readonly dirtyOn: readonly DirtyDevice[];
}

export interface PageAllocatorOptions {
  readonly name: string;
  readonly pressure: MemoryPressure;
  /** Hard cap on elements out at once (the reserve apart); unlimited if absent. */
  readonly limit?: number;
  /** Pages only a `__GFP_HIGH` caller may take once an ordinary attempt fails. Default 0. */
  readonly reserve?: number;
  /** Memory exhausted except dirty pages on these devices (needs pressure `always`). */
  readonly exhausted?: Exhaustion;
}

/** A caller in congestion_wait: its mask decides which writeback could free memory for it. */
interface Reclaimer {
  readonly mask: string;
  readonly flags: readonly GfpFlag[];
}

/** A page allocator's mutable state (`save` / `restore`). */
export interface PageAllocatorState extends ResourceState {
  /** Elements out and their holders, in allocation order. */
  readonly out: readonly (readonly [element: string, ctx: CtxId])[];
  /** The elements out that came from the reserve. */
  readonly fromReserve: readonly string[];
  readonly sleeping: WaitQueueState<Reclaimer>;
  readonly seq: number;
  readonly failCount: number;
  readonly sleeps: number;
  readonly reserveAllocs: number;
  /** Position in the failure stream; null when the stream is a bare function (see the constructor). */
  readonly rng: RandomStreamState | null;
}

export class PageAllocator extends Resource {
  readonly kind = 'allocator';

  /** Ordinary attempts that failed (pressure or limit), whether or not the reserve then served them. */
  failCount = 0;
  /** Reclaim rounds that ended in congestion_wait. */
  sleeps = 0;
  /** `__GFP_HIGH` allocations served from the reserve. */
  reserveAllocs = 0;

  readonly pressure: MemoryPressure;
  readonly reserve: number;
  readonly exhausted: Exhaustion | undefined;
  private readonly limit: number;
  // Element -> context it was handed to; insertion order is allocation order.
  private out = new Map<string, CtxId>();
  private fromReserve = new Set<string>();
  // Callers in congestion_wait: they leave by their timeout only (withdraw).
  private readonly parked = new WaitQueue<Reclaimer>();
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
    const { pressure, limit, reserve } = opts;
    if (typeof pressure === 'object' && !(pressure.failP >= 0 && pressure.failP <= 1)) {
      throw new Error(`allocator ${opts.name}: pressure.failP must be in [0, 1], got ${pressure.failP}`);
    }
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new Error(`allocator ${opts.name}: limit must be a whole number >= 0, got ${limit}`);
    }
    if (reserve !== undefined && !(Number.isInteger(reserve) && reserve >= 0)) {
      throw new Error(`allocator ${opts.name}: reserve must be a whole number >= 0, got ${reserve}`);
    }
    if (opts.exhausted !== undefined) checkExhaustion(opts.name, pressure, opts.exhausted);
    this.pressure = pressure;
    this.limit = limit ?? Infinity;
    this.reserve = reserve ?? 0;
    this.exhausted = opts.exhausted;
    this.recordLevel();
  }

  get capacity(): number {
    return this.limit + this.reserve;
  }

  get level(): number {
    return this.out.size;
  }

  /**
   * Under `failP` pressure (0 < p < 1) an attempt's fate is a model draw,
   * which the kernel makes a choice point (DESIGN.md): the options `ok` and
   * `fail` with weights 1 - p and p; the handler passes the one taken as
   * `tryAlloc`'s `fails`. Undefined when nothing is drawn (`none`, `always`,
   * p of 0 or 1).
   */
  failChoice(): { readonly point: string; readonly options: readonly ['ok', 'fail']; readonly weights: readonly [number, number] } | undefined {
    const p = this.pressure;
    if (typeof p !== 'object' || !(p.failP > 0 && p.failP < 1)) return undefined;
    return { point: `${this.name}:fail`, options: ['ok', 'fail'], weights: [1 - p.failP, p.failP] };
  }

  /** Reserve pages free now. */
  get reserveFree(): number {
    return this.reserve - this.fromReserve.size;
  }

  /**
   * One attempt without sleeping: an ordinary page (pressure and limit
   * permitting), else, for `high` (`__GFP_HIGH`), a reserve page.
   * `ignorePressure` is for boot-time allocations such as mempool_create's
   * reserve fill, which happen before any pressure exists; the limit still
   * applies.
   */
  tryAlloc(ctx: CtxId, opts: { ignorePressure?: boolean; high?: boolean; fails?: boolean } = {}): string | undefined {
    // `fails`: the scheduler already drew this attempt's fate at a choice point (failChoice); no stream draw then.
    const pressed = opts.ignorePressure ? false : (opts.fails ?? this.underPressure());
    if (this.out.size - this.fromReserve.size < this.limit && !pressed) return this.handOut(ctx);
    this.failCount++;
    if (opts.high && this.reserveFree > 0) {
      const element = this.handOut(ctx);
      this.fromReserve.add(element);
      this.reserveAllocs++;
      return element;
    }
    return undefined;
  }

  /**
   * The dirty devices reclaim with these flags may write back, when memory
   * is exhausted (none otherwise: reclaim is then not modelled device by
   * device).
   */
  reclaimable(flags: ReadonlySet<GfpFlag>): readonly DirtyDevice[] {
    if (this.exhausted === undefined) return [];
    return this.exhausted.dirtyOn.filter((d) => flags.has((d.pages ?? 'file') === 'swap' ? '__GFP_IO' : '__GFP_FS'));
  }

  /**
   * The caller ends a fruitless reclaim round in congestion_wait until
   * `deadline` (a timed sleep: only `withdraw` takes it off).
   */
  congestionWait(ctx: CtxId, mask: string, flags: ReadonlySet<GfpFlag>, deadline: number): void {
    this.refuseIfParked(ctx, 'kmalloc');
    this.sleeps++;
    this.parked.park({ ctx, what: 'memory', since: this.clock.step, deadline, exclusive: false, data: { mask, flags: [...flags] } });
  }

  /** The congestion_wait timed out: the caller goes round again. */
  override withdraw(ctx: CtxId): boolean {
    return this.parked.remove(ctx) !== undefined;
  }

  /**
   * kfree (or a mempool giving an element back). A reserve page goes back to
   * the reserve. Nobody is woken: a sleeper in congestion_wait finds the
   * memory on its next round.
   */
  free(element: string): readonly Wakeup[] {
    if (!this.out.delete(element)) {
      throw new Error(`allocator ${this.name}: free of ${element}, which it did not hand out or was already freed`);
    }
    this.fromReserve.delete(element);
    this.recordLevel();
    return NO_WAKEUPS;
  }

  override metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel, failures: this.failCount, sleeps: this.sleeps, reserveAllocs: this.reserveAllocs };
  }

  /** Callers in congestion_wait, oldest first. */
  waiters(): readonly Waiter[] {
    return this.parked.list();
  }

  /**
   * Anyone, unless memory is exhausted: then the writeback contexts of the
   * dirty devices the waiter's mask may write back, and nobody else.
   */
  releasers(waiter: Waiter): Releasers {
    if (this.exhausted === undefined) return 'anyone';
    const flags = new Set(this.parked.find(waiter.ctx)?.data.flags);
    const out: Releaser[] = [];
    for (const d of this.reclaimable(flags)) for (const ctx of d.writeback) out.push({ ctx, edge: 'writeback-of', device: d.device });
    return out;
  }

  describe(): string {
    const fill = this.limit === Infinity ? `${this.out.size} out` : `${this.out.size}/${this.limit} out`;
    const reserve = this.reserve > 0 ? `, reserve ${this.reserveFree}/${this.reserve}` : '';
    const exhausted = this.exhausted ? `, exhausted except dirty pages on ${this.exhausted.dirtyOn.map((d) => d.device).join(', ') || 'no device'}` : '';
    const sleeping = this.parked.length > 0 ? `, ${this.parked.length} in congestion_wait` : '';
    return `${this.kind} ${this.name} (${fill}${reserve}, pressure ${pressureText(this.pressure)}${exhausted}${sleeping})`;
  }

  checkConservation(): string | undefined {
    const where = `${this.kind} ${this.name}`;
    if (this.out.size - this.fromReserve.size > this.limit) return `${where} has ${this.out.size - this.fromReserve.size} elements out, more than its limit ${this.limit}`;
    if (this.fromReserve.size > this.reserve) return `${where} has ${this.fromReserve.size} reserve pages out, more than its reserve ${this.reserve}`;
    for (const e of this.fromReserve) if (!this.out.has(e)) return `${where} counts ${e} as a reserve page out, but it is not out`;
    return undefined;
  }

  /**
   * Elements out and their holders, reserve pages, sleepers with their
   * deadlines. The id sequence is left out: states that differ only in the
   * next id behave the same up to renaming.
   */
  fingerprint(): string {
    const out = [...this.out].map(([element, ctx]) => `${element}@${ctx}${this.fromReserve.has(element) ? '!' : ''}`).join(',');
    const wait = this.parked.fingerprint((e) => `${e.ctx}:${e.data.mask}@${e.deadline}`);
    return `${this.kind} ${this.name} out[${out}] wait[${wait}]`;
  }

  save(): PageAllocatorState {
    if (this.stream === undefined && typeof this.pressure === 'object') {
      throw new Error(`allocator ${this.name}: cannot save its state: pressure failP draws from a bare function, whose position cannot be saved (pass a RandomStream)`);
    }
    return {
      ...this.saveBase(),
      out: [...this.out],
      fromReserve: [...this.fromReserve],
      sleeping: this.parked.save(),
      seq: this.seq,
      failCount: this.failCount,
      sleeps: this.sleeps,
      reserveAllocs: this.reserveAllocs,
      rng: this.stream?.save() ?? null,
    };
  }

  restore(state: PageAllocatorState): void {
    this.restoreBase(state);
    this.out = new Map(state.out);
    this.fromReserve = new Set(state.fromReserve);
    this.parked.restore(state.sleeping);
    this.seq = state.seq;
    this.failCount = state.failCount;
    this.sleeps = state.sleeps;
    this.reserveAllocs = state.reserveAllocs;
    if (state.rng !== null) {
      if (this.stream === undefined) throw new Error(`allocator ${this.name}: cannot restore a stream position into a bare function`);
      this.stream.restore(state.rng);
    }
  }

  private handOut(ctx: CtxId): string {
    const element = `${this.name}#${++this.seq}`;
    this.out.set(element, ctx);
    this.recordLevel();
    return element;
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

/** An exhaustion declaration that means what it says, or an error naming the field. */
function checkExhaustion(name: string, pressure: MemoryPressure, ex: Exhaustion): void {
  const at = `allocator ${name}: exhausted`;
  if (pressure !== 'always') throw new Error(`${at} needs pressure 'always' (exhausted memory fails every ordinary attempt), got pressure ${pressureText(pressure)}`);
  if (!Array.isArray(ex.dirtyOn)) throw new Error(`${at}.dirtyOn must be a list of { device, writeback, queue?, pages?, writers? }, got ${JSON.stringify(ex.dirtyOn)}`);
  const names = (v: unknown): boolean => Array.isArray(v) && v.every((c) => typeof c === 'string' && c !== '');
  const seen = new Set<string>();
  ex.dirtyOn.forEach((d, i) => {
    const f = `${at}.dirtyOn[${i}]`;
    if (typeof d.device !== 'string' || d.device === '') throw new Error(`${f}.device must name the device, got ${JSON.stringify(d.device)}`);
    if (seen.has(d.device)) throw new Error(`${f}.device: '${d.device}' is listed twice`);
    seen.add(d.device);
    if (!names(d.writeback) || d.writeback.length === 0) throw new Error(`${f}.writeback must list the contexts that write ${d.device}'s dirty pages back (context names), got ${JSON.stringify(d.writeback)}`);
    if (d.queue !== undefined && (typeof d.queue !== 'string' || d.queue === '')) throw new Error(`${f}.queue must name a request-queue resource, got ${JSON.stringify(d.queue)}`);
    if (d.pages !== undefined && !DIRTY_PAGES.includes(d.pages)) throw new Error(`${f}.pages must be one of ${DIRTY_PAGES.join(', ')}, got ${JSON.stringify(d.pages)}`);
    if (d.writers !== undefined && !names(d.writers)) throw new Error(`${f}.writers must list context names, got ${JSON.stringify(d.writers)}`);
  });
}
