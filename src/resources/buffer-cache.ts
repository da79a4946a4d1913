/**
 * The NetBSD buffer cache (`sys/kern/vfs_bio.c`: rev 1.155 of 2006, and the
 * 2005 code Chuck Silvers describes in seed 000). Buffers are named by
 * (vnode, block). A buffer is either B_BUSY — a sleep lock owned by one
 * context, or an async write that whoever completes it will release — or on
 * a free queue (AGE, then LRU); B_DELWRI ones are dirty. Buffer memory,
 * `bufmem`, is held against a soft `hiwater` (allocbuf trims above it) and a
 * hard `memory` limit (buf_malloc sleeps at it). Every buffer is one block:
 * one unit of bufmem.
 *
 * What the wait-for graph asks of it, and why that explains seed 000:
 * - getblk on a B_BUSY buffer (B_WANTED, sleep "getblk") is released by the
 *   buffer's owner — or, for an async write, by the contexts that will
 *   complete it (the vnd thread it is queued at, the disk and its interrupt).
 *   A context that sleeps on a buffer it owns closes a cycle of one.
 * - needbuffer (getnewbuf or buf_malloc sleeping for a free buffer) is woken
 *   by any brelse, so it is released by every context that will brelse a busy
 *   buffer holding memory. When those are all async writes queued at the vnd
 *   thread, the vnd thread waiting on needbuffer waits for itself.
 *
 * Simplifications, each a decision: buffer headers are unlimited (getblk of a
 * block not in core always gets a fresh header; memory is what runs out);
 * getnewbuf is only called from buf_trim (`from_bufq`) and, when both free
 * queues are empty, sleeps on needbuffer until a brelse as DOMAIN.md §1.A.1
 * describes it (rev 1.155 passes a 1-tick timeout there; with it the
 * two-context deadlock needs buf_malloc's untimed sleep, i.e. memory = hiwater);
 * a brelse that finds B_WANTED sleepers hands the buffer to the oldest one
 * instead of waking all of them to race for it.
 */
import {
  NO_WAKEUPS,
  Resource,
  type CtxId,
  type Releaser,
  type Releasers,
  type ResourceState,
  type SimClock,
  type Waiter,
  type Wakeup,
} from './resource.js';
import { WaitQueue, type WaitQueueState } from './wait-queue.js';

import type { BufId, BufCacheEffect, BufCacheReply } from '../model/buffer-cache-effects.js';
export type { BufId, BufCacheEffect, BufCacheReply };

/** A buffer present at boot, in LRU order (head first): valid data, with memory. */
export interface InitialBuf {
  readonly vnode: string;
  readonly blkno: number | string;
  readonly dirty: boolean;
}

export interface BufferCacheOptions {
  readonly name: string;
  /** bufmem_hiwater, in blocks: allocbuf trims above it. */
  readonly hiwater: number;
  /** The hard limit, in blocks: buf_malloc sleeps when it is reached. */
  readonly memory: number;
  readonly buffers?: readonly InitialBuf[];
}

/** One buffer header: its flags, where it is, and its I/O. */
export interface Buf {
  readonly id: BufId;
  readonly vnode: string;
  busy: boolean;
  /** Who locked it (getblk, getnewbuf, vflushbuf); undefined while free. */
  owner: CtxId | undefined;
  delwri: boolean;
  /** B_ASYNC: released by whoever completes the write. */
  async: boolean;
  /** B_AGE: reuse soon (a buffer that went through the LRU and was written). */
  age: boolean;
  /** B_DONE: holds valid data. */
  done: boolean;
  hasMemory: boolean;
  /** The free queue it is on, if any. */
  queue: 'AGE' | 'LRU' | undefined;
  /** I/O in progress and the contexts that will complete it. */
  io: 'read' | 'write' | undefined;
  via: CtxId[];
}

/** Where a context sleeps, and for which buffer. */
export type BufSleep =
  | { readonly kind: 'getblk'; readonly buf: BufId }
  | { readonly kind: 'biowait'; readonly buf: BufId }
  | { readonly kind: 'getnewbuf' }
  | { readonly kind: 'buf_malloc' };

/** A buffer cache's mutable state (`save` / `restore`). */
export interface BufferCacheState extends ResourceState {
  readonly bufmem: number;
  /** Every buffer in core, in creation order. */
  readonly bufs: readonly Buf[];
  readonly ageq: readonly BufId[];
  readonly lruq: readonly BufId[];
  readonly sleeping: WaitQueueState<BufSleep>;
  /** I/Os ever started per block. */
  readonly ios: readonly (readonly [buf: BufId, ios: number])[];
  readonly gen: number;
  readonly futileWakeups: number;
}

/** What `perform` did: the reply (if any, and not parked), contexts released, and a note for the trace. */
/** A buffer-cache effect of type `T`. */
export type Op<T extends BufCacheEffect['type']> = Extract<BufCacheEffect, { type: T }>;

export interface BufCacheResult {
  readonly status: 'ok' | 'blocked';
  readonly reply?: BufCacheReply;
  readonly wakeups: readonly Wakeup[];
  readonly note: string;
}

const SHOWN = 6;

export class BufferCache extends Resource {
  readonly kind = 'buffer cache';

  readonly hiwater: number;
  readonly memory: number;
  private bufmem = 0;
  /** Every buffer in core, by name (insertion order is creation order; all listings sort). */
  private bufs = new Map<BufId, Buf>();
  private ageq: BufId[] = [];
  private lruq: BufId[] = [];
  /**
   * One queue for every sleep, in arrival order (deadlock reports list them
   * so). B_WANTED getblk sleepers on a buffer are all woken by its brelse
   * (`wakeup(bp)`) and each re-runs getblk (`goto start`): the first to run
   * gets the buffer, the others find it B_BUSY and sleep again, and a third
   * party may take it first; biowait sleepers (biodone's
   * wake-up of the buffer) and needbuffer sleepers (any release) are
   * non-exclusive, all woken (`wakeAll` of those concerned).
   */
  private readonly parked = new WaitQueue<BufSleep>();
  /** I/Os ever started per block, including blocks no longer in core. */
  private ios = new Map<BufId, number>();
  /** Releases so far (brelse, biodone of an async write, a trim that freed memory): needbuffer's generation. */
  private gen = 0;
  /** Wake-ups that did not get the buffer: the re-run getblk slept again. */
  futileWakeups = 0;

  constructor(opts: BufferCacheOptions, clock: SimClock) {
    super(opts.name, clock);
    if (!Number.isInteger(opts.hiwater) || opts.hiwater < 0) throw new Error(`buffer cache ${opts.name}: hiwater must be a whole number of blocks >= 0, got ${opts.hiwater}`);
    if (!Number.isInteger(opts.memory) || opts.memory < 1) throw new Error(`buffer cache ${opts.name}: memory must be a whole number of blocks >= 1, got ${opts.memory}`);
    this.hiwater = opts.hiwater;
    this.memory = opts.memory;
    for (const b of opts.buffers ?? []) {
      const id = bufId(b.vnode, b.blkno);
      if (this.bufs.has(id)) throw new Error(`buffer cache ${opts.name}: buffer ${id} is declared twice`);
      if (this.bufmem >= this.memory) throw new Error(`buffer cache ${opts.name}: ${opts.buffers!.length} initial buffers do not fit in memory ${this.memory}`);
      this.bufs.set(id, { ...freshBuf(id, b.vnode), done: true, delwri: b.dirty, hasMemory: true, queue: 'LRU' });
      this.bufmem++;
      this.lruq.push(id);
    }
    this.recordLevel();
  }

  get capacity(): number {
    return this.memory;
  }

  /** bufmem, in blocks. */
  get level(): number {
    return this.bufmem;
  }

  // One public method per buffer-cache effect (the kernel's buffer-cache kind maps each effect type to
  // its method: no switch on effect types here). Each throws on a caller's bookkeeping error (a model bug).

  /** getblk: the block in core, B_BUSY for the caller; sleeps while another holder has it busy. */
  getblk(ctx: CtxId, e: Op<'getblk'>): BufCacheResult {
    this.refuseIfParked(ctx, e.type);
    return this.getblkBuf(ctx, bufId(e.vnode, e.blkno), e.vnode);
  }

  /** buf_malloc / allocbuf's bufmem += size. */
  bufMalloc(ctx: CtxId, e: Op<'bufMalloc'>): BufCacheResult {
    this.refuseIfParked(ctx, e.type);
    return this.mallocBuf(ctx, e.buf);
  }

  /** getnewbuf: the head of AGE, else of LRU; sleeps on needbuffer when both are empty and `wait`. */
  getnewbuf(ctx: CtxId, e: Op<'getnewbuf'>): BufCacheResult {
    this.refuseIfParked(ctx, e.type);
    return this.takeNewbuf(ctx, e.wait);
  }

  /** buf_malloc's sleep on needbuffer, unless a buffer was released since `gen` (no lost wake-up). */
  needbuffer(ctx: CtxId, e: Op<'needbuffer'>): BufCacheResult {
    this.refuseIfParked(ctx, e.type);
    if (this.gen !== e.gen) return { status: 'ok', reply: { type: 'needbuffer.woken', cache: this.name }, wakeups: NO_WAKEUPS, note: 'released meanwhile' };
    this.park(ctx, 'buffer memory', false, { kind: 'buf_malloc' });
    return { status: 'blocked', wakeups: NO_WAKEUPS, note: `buf_malloc, bufmem ${this.bufmem}/${this.memory}` };
  }

  /** bwrite/bawrite's (or a read's) start of I/O on a busy buffer the caller owns. */
  bufio(ctx: CtxId, e: Op<'bufio'>): BufCacheResult {
    this.refuseIfParked(ctx, e.type);
    const b = this.owned(ctx, e.buf, 'bufio');
    if (b.io) throw new Error(`${this.kind} ${this.name}: ${ctx} starts a ${e.op} on ${b.id}, which already has a ${b.io} in flight`);
    b.io = e.op;
    b.via = [ctx];
    if (e.op === 'write') {
      b.delwri = false;
      b.async = true;
      b.done = false;
    }
    this.ios.set(b.id, (this.ios.get(b.id) ?? 0) + 1);
    return { status: 'ok', wakeups: NO_WAKEUPS, note: `${e.op} ${b.id}` };
  }

  /** The buffer's I/O now sits with `via` (queued at a vnd thread; issued to a disk and its interrupt). */
  bufHandoff(ctx: CtxId, e: Op<'bufHandoff'>): BufCacheResult {
    this.refuseIfParked(ctx, e.type);
    const b = this.buf(e.buf, 'bufHandoff');
    if (!b.io || !b.via.includes(ctx)) throw new Error(`${this.kind} ${this.name}: ${ctx} hands on the I/O of ${b.id}, which it does not have (${b.io ? `with ${b.via.join(', ')}` : 'no I/O in flight'})`);
    b.via = [...e.via];
    return { status: 'ok', wakeups: NO_WAKEUPS, note: `${b.id} -> ${e.via.join(', ')}` };
  }

  /** biowait: sleep until the buffer's I/O is done. */
  biowait(ctx: CtxId, e: Op<'biowait'>): BufCacheResult {
    this.refuseIfParked(ctx, e.type);
    const b = this.buf(e.buf, 'biowait');
    if (!b.io) return { status: 'ok', reply: { type: 'biowait.ok', cache: this.name, buf: b.id }, wakeups: NO_WAKEUPS, note: `${b.id} done` };
    this.park(ctx, `biowait(${b.id})`, false, { kind: 'biowait', buf: b.id });
    return { status: 'blocked', wakeups: NO_WAKEUPS, note: `${b.id} ${b.io} in flight` };
  }

  /** biodone: I/O done; an async write is released (brelse), a read wakes its biowait. */
  biodone(ctx: CtxId, e: Op<'biodone'>): BufCacheResult {
    this.refuseIfParked(ctx, e.type);
    return this.doneBuf(e.buf);
  }

  /** brelse / bdwrite: give the buffer back to the free queues, waking its sleepers. */
  brelse(ctx: CtxId, e: Op<'brelse'>): BufCacheResult {
    this.refuseIfParked(ctx, e.type);
    const b = this.owned(ctx, e.buf, 'brelse');
    if (b.io) throw new Error(`${this.kind} ${this.name}: ${ctx} releases ${b.id} with its ${b.io} still in flight`);
    if (e.delwri) b.delwri = true;
    const wakeups = this.release(b);
    const reply: BufCacheReply | undefined = e.ack ? { type: 'brelse.ok', cache: this.name, buf: b.id, locked: this.lockedBy(ctx), over: this.bufmem > this.hiwater } : undefined;
    return { status: 'ok', reply, wakeups, note: `${e.delwri ? 'bdwrite' : 'brelse'} ${b.id}` };
  }

  /** vflushbuf: mark every B_DELWRI buffer of the vnode busy for the caller to write. */
  vflushbuf(ctx: CtxId, e: Op<'vflushbuf'>): BufCacheResult {
    this.refuseIfParked(ctx, e.type);
    const out: { buf: BufId; ios: number }[] = [];
    for (const id of [...this.ageq, ...this.lruq]) {
      const b = this.bufs.get(id)!;
      if (b.vnode !== e.vnode || !b.delwri) continue;
      this.unqueue(id);
      b.busy = true;
      b.owner = ctx;
      out.push({ buf: id, ios: this.ios.get(id) ?? 0 });
    }
    return { status: 'ok', reply: { type: 'vflushbuf.ok', cache: this.name, bufs: out }, wakeups: NO_WAKEUPS, note: `${e.vnode}: ${out.length} dirty` };
  }

  private getblkBuf(ctx: CtxId, id: BufId, vnode: string): BufCacheResult {
    const b = this.bufs.get(id);
    if (b === undefined) {
      this.bufs.set(id, { ...freshBuf(id, vnode), busy: true, owner: ctx });
      return { status: 'ok', reply: this.getblkOk(id, false, true), wakeups: NO_WAKEUPS, note: `${id} miss` };
    }
    if (b.busy) {
      this.park(ctx, `getblk(${id})`, true, { kind: 'getblk', buf: id });
      return { status: 'blocked', wakeups: NO_WAKEUPS, note: `${id} B_BUSY, ${this.holderText(b)}` };
    }
    this.unqueue(id);
    b.busy = true;
    b.owner = ctx;
    return { status: 'ok', reply: this.getblkOk(id, b.done || b.delwri, false), wakeups: NO_WAKEUPS, note: `${id} hit` };
  }

  /** Park `ctx`. `what` is only a label: `waiters()` words each sleep from the state at the time it is asked. */
  private park(ctx: CtxId, what: string, exclusive: boolean, data: BufSleep): void {
    this.parked.park({ ctx, what, since: this.clock.step, exclusive, data });
  }

  private getblkOk(id: BufId, cached: boolean, fresh: boolean): BufCacheReply {
    return { type: 'getblk.ok', cache: this.name, buf: id, cached, fresh, ios: this.ios.get(id) ?? 0 };
  }

  private mallocBuf(ctx: CtxId, id: BufId): BufCacheResult {
    const b = this.owned(ctx, id, 'bufMalloc');
    if (b.hasMemory) throw new Error(`${this.kind} ${this.name}: ${ctx} allocates memory for ${id}, which already has some`);
    if (this.bufmem + 1 > this.memory) {
      return { status: 'ok', reply: { type: 'bufMalloc.full', cache: this.name, buf: id, gen: this.gen }, wakeups: NO_WAKEUPS, note: `${id}: full (${this.bufmem}/${this.memory})` };
    }
    b.hasMemory = true;
    this.bufmem++;
    this.recordLevel();
    const reply: BufCacheReply = { type: 'bufMalloc.ok', cache: this.name, buf: id, bufmem: this.bufmem, hiwater: this.hiwater, over: this.bufmem > this.hiwater, locked: this.lockedBy(ctx) - 1 };
    return { status: 'ok', reply, wakeups: NO_WAKEUPS, note: `${id}: bufmem ${this.bufmem}/${this.memory}` };
  }

  private takeNewbuf(ctx: CtxId, wait: boolean): BufCacheResult {
    const id = this.ageq[0] ?? this.lruq[0];
    if (id === undefined) {
      if (wait) {
        this.park(ctx, 'a free buffer', false, { kind: 'getnewbuf' });
        return { status: 'blocked', wakeups: NO_WAKEUPS, note: 'AGE and LRU empty' };
      }
      return { status: 'ok', reply: { type: 'getnewbuf.empty', cache: this.name, over: this.bufmem > this.hiwater }, wakeups: NO_WAKEUPS, note: 'AGE and LRU empty' };
    }
    const b = this.bufs.get(id)!;
    this.unqueue(id);
    if (b.delwri) {
      b.busy = true;
      b.owner = ctx;
      b.age = true;
      return { status: 'ok', reply: { type: 'getnewbuf.delwri', cache: this.name, buf: id, ios: this.ios.get(id) ?? 0 }, wakeups: NO_WAKEUPS, note: `${id} B_DELWRI` };
    }
    // buf_trim: strip it, free its memory, return the header (and wake needbuffer).
    this.bufs.delete(id);
    if (b.hasMemory) this.bufmem--;
    this.recordLevel();
    this.gen++;
    const wakeups = this.wakeNeedbuffer();
    return { status: 'ok', reply: { type: 'getnewbuf.freed', cache: this.name, buf: id, over: this.bufmem > this.hiwater }, wakeups, note: `${id} freed` };
  }

  private doneBuf(id: BufId): BufCacheResult {
    const b = this.buf(id, 'biodone');
    if (!b.io) throw new Error(`${this.kind} ${this.name}: biodone of ${id}, which has no I/O in flight`);
    const op = b.io;
    b.io = undefined;
    b.via = [];
    b.done = true;
    if (b.async) return { status: 'ok', wakeups: this.release(b), note: `${id} ${op} done, released` };
    const wakeups: Wakeup[] = this.parked
      .wakeAll((p) => p.data.kind === 'biowait' && p.data.buf === id)
      .map((p) => ({ ctx: p.ctx, op: 'biowait', value: { type: 'biowait.ok', cache: this.name, buf: id } satisfies BufCacheReply }));
    return { status: 'ok', wakeups, note: `${id} ${op} done` };
  }

  /**
   * brelse (vfs_bio.c 1.123, 2004): wake needbuffer, then, if B_WANTED,
   * `wakeup(bp)`: every getblk sleeper on this buffer, each to re-run getblk
   * (a wake-up with re-check, no hand-off); queue the buffer (AGE if B_AGE,
   * else LRU — brelse clears B_AGE when it had waiters; a buffer without
   * memory is returned to the header pool).
   */
  private release(b: Buf): Wakeup[] {
    b.busy = false;
    b.owner = undefined;
    b.async = false;
    this.gen++;
    const wakeups = this.wakeNeedbuffer();
    const wanted = this.parked.wakeAll((x) => x.data.kind === 'getblk' && x.data.buf === b.id);
    for (const p of wanted) wakeups.push({ ctx: p.ctx, op: 'getblk', recheck: true });
    if (wanted.length > 0) b.age = false;
    if (!b.hasMemory) {
      this.bufs.delete(b.id);
      return wakeups;
    }
    if (b.age) {
      b.age = false;
      b.queue = 'AGE';
      this.ageq.push(b.id);
    } else {
      b.queue = 'LRU';
      this.lruq.push(b.id);
    }
    return wakeups;
  }

  /** needbuffer's wake-up: every getnewbuf and buf_malloc sleeper, oldest first. */
  private wakeNeedbuffer(): Wakeup[] {
    const woken = this.parked.wakeAll((p) => p.data.kind === 'getnewbuf' || p.data.kind === 'buf_malloc');
    return woken.map((p) =>
      p.data.kind === 'getnewbuf'
        ? { ctx: p.ctx, op: 'getnewbuf', value: { type: 'getnewbuf.empty', cache: this.name, over: this.bufmem > this.hiwater } satisfies BufCacheReply }
        : { ctx: p.ctx, op: 'needbuffer', value: { type: 'needbuffer.woken', cache: this.name } satisfies BufCacheReply },
    );
  }

  /** Buffers `ctx` holds locked (busy, owned, not an async write someone else will release). */
  private lockedBy(ctx: CtxId): number {
    let n = 0;
    for (const b of this.bufs.values()) if (b.busy && b.owner === ctx && !b.async) n++;
    return n;
  }

  private unqueue(id: BufId): void {
    const b = this.bufs.get(id)!;
    const q = b.queue === 'AGE' ? this.ageq : this.lruq;
    const i = b.queue === undefined ? -1 : q.indexOf(id);
    if (i < 0) throw new Error(`${this.kind} ${this.name}: ${id} is not on a free queue`);
    q.splice(i, 1);
    b.queue = undefined;
  }

  private buf(id: BufId, op: string): Buf {
    const b = this.bufs.get(id);
    if (b === undefined) throw new Error(`${this.kind} ${this.name}: ${op} of ${id}, which is not in core`);
    return b;
  }

  private owned(ctx: CtxId, id: BufId, op: string): Buf {
    const b = this.buf(id, op);
    if (!b.busy || b.owner !== ctx || b.async) {
      const state = !b.busy ? 'it is not busy' : b.async ? `it is an async write (${b.via.join(', ')} completes it)` : `it is B_BUSY for ${b.owner}`;
      throw new Error(`${this.kind} ${this.name}: ${ctx} does ${op} on ${id}, but ${state}`);
    }
    return b;
  }

  /** `owned by P`, or `async write, completed by vnd0-thread`. */
  private holderText(b: Buf): string {
    if (b.async) return `async write, completed by ${b.via.join(' or ')}`;
    if (b.io === 'read') return `owned by ${b.owner}, read in flight`;
    return `owned by ${b.owner}`;
  }

  waiters(): readonly Waiter[] {
    return this.parked.all().map((p) => ({ ctx: p.ctx, what: this.waitText(p.data), since: p.since }));
  }

  private waitText(p: BufSleep): string {
    switch (p.kind) {
      case 'getblk': {
        const b = this.bufs.get(p.buf)!;
        return `getblk(${p.buf}): ${p.buf} is B_BUSY, ${this.holderText(b)}`;
      }
      case 'biowait': {
        const b = this.bufs.get(p.buf)!;
        return `biowait(${p.buf}): ${b.io ?? 'I/O'} in flight, completed by ${b.via.join(' or ')}`;
      }
      case 'getnewbuf':
        return `a free buffer (getnewbuf in buf_trim: AGE and LRU empty, bufmem ${this.bufmem} > hiwater ${this.hiwater})`;
      case 'buf_malloc':
        return `buffer memory (buf_malloc: bufmem ${this.bufmem} = memory ${this.memory}, nothing clean to drain)`;
    }
  }

  /**
   * A getblk sleeper: the buffer's owner, or whoever completes its async
   * write. A needbuffer sleeper: everyone who will brelse a busy buffer that
   * holds memory, those completing writes first, then those holding buffers
   * locked (the sleeper may be among them: it cannot release anything while
   * it sleeps, and the fixpoint knows that).
   */
  releasers(waiter: Waiter): Releasers {
    const p = this.parked.find(waiter.ctx)?.data;
    if (p === undefined) return [];
    if (p.kind === 'getblk' || p.kind === 'biowait') return this.releasersOf(this.bufs.get(p.buf)!, p.kind);
    const out: Releaser[] = [];
    const seen = new Set<CtxId>();
    const held = this.sorted().filter((b) => b.busy && b.hasMemory);
    // Writes in flight first: whoever completes them releases most of the memory, and
    // "only the vnd thread completes it" is the story when that is the vnd thread.
    for (const b of [...held.filter((x) => x.async), ...held.filter((x) => !x.async)]) {
      for (const r of this.releasersOf(b, 'getblk')) {
        if (seen.has(r.ctx)) continue;
        seen.add(r.ctx);
        out.push(r);
      }
    }
    return out;
  }

  private releasersOf(b: Buf, kind: 'getblk' | 'biowait'): Releaser[] {
    if ((b.async || kind === 'biowait') && b.via.length > 0) return b.via.map((ctx) => ({ ctx, edge: 'completes' }));
    return b.owner === undefined ? [] : [{ ctx: b.owner, edge: 'held-by' }];
  }

  /** Buffers by name, blocks in numeric order (bookkeeping order must never leak into reports or fingerprints). */
  private sorted(): Buf[] {
    return [...this.bufs.values()].sort((a, b) => compareBufIds(a.id, b.id));
  }

  describe(): string {
    const list = (ids: readonly string[]): string => (ids.length === 0 ? '-' : ids.length <= SHOWN ? ids.join(', ') : `${ids.slice(0, SHOWN).join(', ')} +${ids.length - SHOWN} more`);
    const busy = this.sorted()
      .filter((b) => b.busy)
      .map((b) => `${b.id} (${b.async ? `async write, ${b.via.join('/')} completes` : `locked by ${b.owner}${b.io ? `, ${b.io} in flight` : ''}`})`);
    return `${this.kind} ${this.name} (bufmem ${this.bufmem}/${this.memory}, hiwater ${this.hiwater}; AGE ${list(this.ageq)}; LRU ${list(this.lruq)}; B_BUSY ${list(busy)})`;
  }

  checkConservation(): string | undefined {
    const where = `${this.kind} ${this.name}`;
    let withMemory = 0;
    let queued = 0;
    for (const b of this.bufs.values()) {
      if (b.hasMemory) withMemory++;
      if (b.queue !== undefined) queued++;
      if (b.busy === (b.queue !== undefined)) return `${where}: ${b.id} is ${b.busy ? 'B_BUSY and on a free queue' : 'neither B_BUSY nor on a free queue'}`;
      if (!b.busy && !b.hasMemory) return `${where}: ${b.id} is free without memory`;
      if (b.io && b.via.length === 0) return `${where}: ${b.id} has a ${b.io} in flight that nobody will complete`;
    }
    if (withMemory !== this.bufmem) return `${where}: bufmem ${this.bufmem} but ${withMemory} buffers hold memory`;
    if (this.bufmem > this.memory) return `${where}: bufmem ${this.bufmem} exceeds memory ${this.memory}`;
    if (queued !== this.ageq.length + this.lruq.length) return `${where}: ${queued} buffers are marked queued but AGE and LRU hold ${this.ageq.length + this.lruq.length}`;
    for (const id of this.ageq) if (this.bufs.get(id)?.queue !== 'AGE') return `${where}: ${id} is on AGE but not marked so`;
    for (const id of this.lruq) if (this.bufs.get(id)?.queue !== 'LRU') return `${where}: ${id} is on LRU but not marked so`;
    for (const { ctx, data: p } of this.parked.all()) {
      if (p.kind === 'getblk' && !this.bufs.get(p.buf)?.busy) return `${where}: ${ctx} sleeps on ${p.buf}, which is not B_BUSY`;
      if (p.kind === 'biowait' && !this.bufs.get(p.buf)?.io) return `${where}: ${ctx} waits for I/O on ${p.buf}, which has none in flight`;
      if (p.kind === 'getnewbuf' && this.ageq.length + this.lruq.length > 0) return `${where}: ${ctx} sleeps in getnewbuf while buffers are on the free queues (lost wake-up)`;
    }
    return undefined;
  }

  fingerprint(): string {
    const bufs = this.sorted()
      .map((b) => `${b.id}:${b.busy ? `B${b.owner ?? ''}` : ''}${b.delwri ? 'D' : ''}${b.async ? 'A' : ''}${b.age ? 'G' : ''}${b.done ? 'V' : ''}${b.hasMemory ? 'M' : ''}${b.io ? `${b.io}>${b.via.join('/')}` : ''}`)
      .join(',');
    const ios = [...this.ios].sort(([a], [b]) => compareBufIds(a, b)).map(([k, n]) => `${k}=${n}`).join(',');
    const parked = this.parked.fingerprint((p) => `${p.ctx}:${p.data.kind}${'buf' in p.data ? `(${p.data.buf})` : ''}`);
    return `${this.kind} ${this.name} mem ${this.bufmem} gen ${this.gen} bufs[${bufs}] age[${this.ageq.join(',')}] lru[${this.lruq.join(',')}] ios[${ios}] wait[${parked}]`;
  }

  save(): BufferCacheState {
    return {
      ...this.saveBase(),
      bufmem: this.bufmem,
      // Copied: buffers are mutated in place.
      bufs: [...this.bufs.values()].map(copyBuf),
      ageq: this.ageq.slice(),
      lruq: this.lruq.slice(),
      sleeping: this.parked.save(),
      ios: [...this.ios],
      gen: this.gen,
      futileWakeups: this.futileWakeups,
    };
  }

  restore(state: BufferCacheState): void {
    this.restoreBase(state);
    this.bufmem = state.bufmem;
    this.bufs = new Map(state.bufs.map((b) => [b.id, copyBuf(b)]));
    this.ageq = state.ageq.slice();
    this.lruq = state.lruq.slice();
    this.parked.restore(state.sleeping);
    this.ios = new Map(state.ios);
    this.gen = state.gen;
    this.futileWakeups = state.futileWakeups;
  }

  /** Woken B_WANTED sleepers whose re-run of getblk found the buffer B_BUSY again (someone else ran first). */
  override metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel, futileWakeups: this.futileWakeups };
  }
}

/** `vnode:block`. */
export function bufId(vnode: string, blkno: number | string): BufId {
  return `${vnode}:${blkno}`;
}

/** `F0:ind0` < `vnd0:2` < `vnd0:10`: by vnode, then by block (numbers numerically, before names). */
function compareBufIds(a: BufId, b: BufId): number {
  const [va, ba] = [a.slice(0, a.lastIndexOf(':')), a.slice(a.lastIndexOf(':') + 1)];
  const [vb, bb] = [b.slice(0, b.lastIndexOf(':')), b.slice(b.lastIndexOf(':') + 1)];
  if (va !== vb) return va < vb ? -1 : 1;
  const na = /^\d+$/.test(ba) ? Number(ba) : NaN;
  const nb = /^\d+$/.test(bb) ? Number(bb) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  if (!Number.isNaN(na) || !Number.isNaN(nb)) return Number.isNaN(na) ? 1 : -1;
  return ba < bb ? -1 : ba > bb ? 1 : 0;
}

function copyBuf(b: Buf): Buf {
  return { ...b, via: b.via.slice() };
}

function freshBuf(id: BufId, vnode: string): Buf {
  return { id, vnode, busy: false, owner: undefined, delwri: false, async: false, age: false, done: false, hasMemory: false, queue: undefined, io: undefined, via: [] };
}
