import { performOn } from './buffer-cache-perform.js';
import { describe, expect, it } from 'vitest';
import { BufferCache, type BufCacheEffect, type BufCacheResult, type InitialBuf } from '../../src/resources/buffer-cache.js';
import type { SimClock } from '../../src/resources/resource.js';

const C = 'bufcache';

/** An effect without its cache (every call here is on the one cache). */
type Op = BufCacheEffect extends infer E ? (E extends unknown ? Omit<E, 'cache'> : never) : never;

function make(opts: { hiwater?: number; memory?: number; buffers?: readonly InitialBuf[] } = {}) {
  const clock: SimClock = { now: 0, step: 0 };
  const cache = new BufferCache({ name: C, hiwater: opts.hiwater ?? 2, memory: opts.memory ?? 4, buffers: opts.buffers }, clock);
  // Every operation must leave the cache consistent.
  const run = (ctx: string, e: Op): BufCacheResult => {
    const r = performOn(cache, ctx, { ...e, cache: C } as BufCacheEffect);
    expect(cache.checkConservation()).toBeUndefined();
    return r;
  };
  return { clock, cache, run };
}

const dirty = (blkno: number): InitialBuf => ({ vnode: 'vnd0', blkno, dirty: true });
const clean = (blkno: number): InitialBuf => ({ vnode: 'L', blkno, dirty: false });

describe('BufferCache: getblk and brelse (a B_BUSY buffer is a sleep lock)', () => {
  it('getblk of a block not in core hashes a fresh B_BUSY buffer without memory', () => {
    const { cache, run } = make();
    expect(run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' }).reply).toEqual({ type: 'getblk.ok', cache: C, buf: 'F0:ind0', cached: false, fresh: true, ios: 0 });
    expect(cache.level).toBe(0);
    expect(cache.describe()).toContain('B_BUSY F0:ind0 (locked by P)');
  });

  it('getblk of a free buffer in core takes it off its free queue, with its data', () => {
    const { cache, run } = make({ buffers: [dirty(12), clean(0)] });
    expect(run('P', { type: 'getblk', vnode: 'L', blkno: 0 }).reply).toMatchObject({ buf: 'L:0', cached: true, fresh: false });
    expect(cache.describe()).toContain('LRU vnd0:12;');
  });

  it('getblk of a B_BUSY buffer sleeps ("getblk"), and says whose buffer it is', () => {
    const { cache, run, clock } = make();
    run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    clock.step = 5;
    expect(run('V', { type: 'getblk', vnode: 'F0', blkno: 'ind0' }).status).toBe('blocked');
    expect(cache.waiters()).toEqual([{ ctx: 'V', what: 'getblk(F0:ind0): F0:ind0 is B_BUSY, owned by P', since: 5 }]);
    expect(cache.releasers(cache.waiters()[0])).toEqual([{ ctx: 'P', edge: 'held-by' }]);
  });

  it('a context that getblks a buffer it holds itself sleeps on it: its own releaser (self-deadlock)', () => {
    const { cache, run } = make();
    run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    expect(run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' }).status).toBe('blocked');
    expect(cache.releasers(cache.waiters()[0])).toEqual([{ ctx: 'P', edge: 'held-by' }]);
  });

  it('brelse wakes every B_WANTED sleeper on the buffer to re-run getblk (wakeup(bp), no hand-off): the buffer is free until one of them runs', () => {
    const { cache, run } = make({ memory: 4 });
    run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    run('P', { type: 'bufMalloc', buf: 'F0:ind0' });
    run('V', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    run('W', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    const r = run('P', { type: 'brelse', buf: 'F0:ind0' });
    expect(r.wakeups).toEqual([
      { ctx: 'V', op: 'getblk', recheck: true },
      { ctx: 'W', op: 'getblk', recheck: true },
    ]);
    expect(cache.waiters()).toEqual([]);
    // A third party may take it before either re-runs getblk; the first re-run after it sleeps again.
    expect(run('X', { type: 'getblk', vnode: 'F0', blkno: 'ind0' }).status).toBe('ok');
    expect(run('V', { type: 'getblk', vnode: 'F0', blkno: 'ind0' }).status).toBe('blocked');
    expect(cache.releasers(cache.waiters()[0])).toEqual([{ ctx: 'X', edge: 'held-by' }]);
  });

  it('brelse queues valid data on the LRU tail; bdwrite marks it B_DELWRI; a buffer without memory goes back to the header pool', () => {
    const { cache, run } = make({ buffers: [clean(0)] });
    run('P', { type: 'getblk', vnode: 'vnd0', blkno: 7 });
    run('P', { type: 'bufMalloc', buf: 'vnd0:7' });
    run('P', { type: 'brelse', buf: 'vnd0:7', delwri: true });
    run('P', { type: 'getblk', vnode: 'L', blkno: 9 });
    run('P', { type: 'brelse', buf: 'L:9' });
    expect(cache.describe()).toBe('buffer cache bufcache (bufmem 2/4, hiwater 2; AGE -; LRU L:0, vnd0:7; B_BUSY -)');
    expect(run('S', { type: 'vflushbuf', vnode: 'vnd0' }).reply).toEqual({ type: 'vflushbuf.ok', cache: C, bufs: [{ buf: 'vnd0:7', ios: 0 }] });
  });

  it('releasing a buffer one does not hold is a bookkeeping error, named', () => {
    const { cache, run } = make({ buffers: [clean(0)] });
    expect(() => cache.brelse('P', { type: 'brelse', cache: C, buf: 'L:0' })).toThrow('buffer cache bufcache: P does brelse on L:0, but it is not busy');
    run('V', { type: 'getblk', vnode: 'L', blkno: 0 });
    expect(() => cache.brelse('P', { type: 'brelse', cache: C, buf: 'L:0' })).toThrow('P does brelse on L:0, but it is B_BUSY for V');
  });
});

describe('BufferCache: memory (bufmem against hiwater and the hard limit)', () => {
  it('bufMalloc counts bufmem, says whether it is over hiwater and how many other buffers the caller holds', () => {
    const { cache, run } = make({ hiwater: 1, memory: 3 });
    run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    expect(run('P', { type: 'bufMalloc', buf: 'F0:ind0' }).reply).toMatchObject({ bufmem: 1, hiwater: 1, over: false, locked: 0 });
    run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind1' });
    expect(run('P', { type: 'bufMalloc', buf: 'F0:ind1' }).reply).toMatchObject({ bufmem: 2, over: true, locked: 1 });
    expect(cache.level).toBe(2);
  });

  it('at the hard limit bufMalloc says full with the needbuffer generation; needbuffer then sleeps until a release', () => {
    const { cache, run } = make({ hiwater: 1, memory: 1, buffers: [dirty(12)] });
    run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    const full = run('P', { type: 'bufMalloc', buf: 'F0:ind0' }).reply;
    expect(full).toEqual({ type: 'bufMalloc.full', cache: C, buf: 'F0:ind0', gen: 0 });
    expect(run('P', { type: 'needbuffer', gen: 0 }).status).toBe('blocked');
    expect(cache.waiters()[0].what).toBe('buffer memory (buf_malloc: bufmem 1 = memory 1, nothing clean to drain)');
  });

  it('needbuffer does not sleep when a buffer was released since the generation it saw (no lost wake-up)', () => {
    const { run } = make({ hiwater: 1, memory: 1, buffers: [clean(0)] });
    run('V', { type: 'getblk', vnode: 'L', blkno: 0 });
    run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    run('P', { type: 'bufMalloc', buf: 'F0:ind0' });
    run('V', { type: 'brelse', buf: 'L:0' });
    expect(run('P', { type: 'needbuffer', gen: 0 }).reply).toEqual({ type: 'needbuffer.woken', cache: C });
  });

  it('getnewbuf takes AGE before LRU: a clean buffer is freed, a B_DELWRI one is locked for the caller to bawrite', () => {
    const { cache, run } = make({ hiwater: 1, memory: 4, buffers: [dirty(12), clean(0)] });
    expect(run('P', { type: 'getnewbuf', wait: true }).reply).toEqual({ type: 'getnewbuf.delwri', cache: C, buf: 'vnd0:12', ios: 0 });
    expect(run('P', { type: 'getnewbuf', wait: true }).reply).toEqual({ type: 'getnewbuf.freed', cache: C, buf: 'L:0', over: false });
    expect(cache.level).toBe(1);
    // The delayed write, once written, is released to AGE (B_AGE), and is the next to go.
    run('P', { type: 'bufio', buf: 'vnd0:12', op: 'write' });
    run('P', { type: 'biodone', buf: 'vnd0:12' });
    expect(cache.describe()).toContain('AGE vnd0:12; LRU -');
  });

  it('getnewbuf with both free queues empty sleeps on needbuffer when it may, else returns empty', () => {
    const { cache, run } = make({ hiwater: 0, memory: 2 });
    expect(run('P', { type: 'getnewbuf', wait: false }).reply).toEqual({ type: 'getnewbuf.empty', cache: C, over: false });
    expect(run('P', { type: 'getnewbuf', wait: true }).status).toBe('blocked');
    expect(cache.waiters()[0].what).toBe('a free buffer (getnewbuf in buf_trim: AGE and LRU empty, bufmem 0 > hiwater 0)');
  });

  it('any release wakes every needbuffer sleeper: getnewbuf returns empty, buf_malloc retries', () => {
    const { run } = make({ hiwater: 0, memory: 1, buffers: [clean(0)] });
    run('V', { type: 'getblk', vnode: 'L', blkno: 0 });
    run('P', { type: 'getnewbuf', wait: true });
    run('Q', { type: 'needbuffer', gen: 0 });
    expect(run('V', { type: 'brelse', buf: 'L:0' }).wakeups).toEqual([
      { ctx: 'P', op: 'getnewbuf', value: { type: 'getnewbuf.empty', cache: C, over: true } },
      { ctx: 'Q', op: 'needbuffer', value: { type: 'needbuffer.woken', cache: C } },
    ]);
  });
});

describe('BufferCache: who can release a sleeper (the wait-for edges)', () => {
  it('an async write is released by whoever completes it: first its starter, then the vnd thread it is queued at, then the disk and its interrupt', () => {
    const { cache, run } = make({ buffers: [dirty(12)] });
    run('S', { type: 'vflushbuf', vnode: 'vnd0' });
    run('S', { type: 'bufio', buf: 'vnd0:12', op: 'write' });
    run('P', { type: 'getblk', vnode: 'vnd0', blkno: 12 });
    const w = cache.waiters()[0];
    expect(w.what).toBe('getblk(vnd0:12): vnd0:12 is B_BUSY, async write, completed by S');
    expect(cache.releasers(w)).toEqual([{ ctx: 'S', edge: 'completes' }]);
    run('S', { type: 'bufHandoff', buf: 'vnd0:12', via: ['vnd0-thread'] });
    expect(cache.releasers(w)).toEqual([{ ctx: 'vnd0-thread', edge: 'completes' }]);
    expect(() => cache.bufHandoff('S', { type: 'bufHandoff', cache: C, buf: 'vnd0:12', via: ['disk'] })).toThrow('S hands on the I/O of vnd0:12, which it does not have (with vnd0-thread)');
    run('vnd0-thread', { type: 'bufHandoff', buf: 'vnd0:12', via: ['disk', 'biodone'] });
    expect(cache.releasers(w)).toEqual([
      { ctx: 'disk', edge: 'completes' },
      { ctx: 'biodone', edge: 'completes' },
    ]);
    // biodone of the async write releases it (brelse), straight to the sleeper.
    expect(run('biodone', { type: 'biodone', buf: 'vnd0:12' }).wakeups.map((x) => x.ctx)).toEqual(['P']);
  });

  it('a needbuffer sleeper is released by everyone who will brelse a busy buffer holding memory: writes in flight first, itself last', () => {
    const { cache, run } = make({ hiwater: 2, memory: 3, buffers: [dirty(12), dirty(13)] });
    run('syncer', { type: 'vflushbuf', vnode: 'vnd0' });
    for (const b of ['vnd0:12', 'vnd0:13']) {
      run('syncer', { type: 'bufio', buf: b, op: 'write' });
      run('syncer', { type: 'bufHandoff', buf: b, via: ['vnd0-thread'] });
    }
    run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    run('P', { type: 'bufMalloc', buf: 'F0:ind0' });
    run('P', { type: 'getnewbuf', wait: true });
    expect(cache.releasers(cache.waiters()[0])).toEqual([
      { ctx: 'vnd0-thread', edge: 'completes' },
      { ctx: 'P', edge: 'held-by' },
    ]);
    expect(cache.describe()).toBe(
      'buffer cache bufcache (bufmem 3/3, hiwater 2; AGE -; LRU -; B_BUSY F0:ind0 (locked by P), vnd0:12 (async write, vnd0-thread completes), vnd0:13 (async write, vnd0-thread completes))',
    );
  });

  it('a read: biowait sleeps until biodone, released by the disk path', () => {
    const { cache, run } = make();
    run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    run('P', { type: 'bufMalloc', buf: 'F0:ind0' });
    run('P', { type: 'bufio', buf: 'F0:ind0', op: 'read' });
    run('P', { type: 'bufHandoff', buf: 'F0:ind0', via: ['disk', 'biodone'] });
    expect(run('P', { type: 'biowait', buf: 'F0:ind0' }).status).toBe('blocked');
    expect(cache.releasers(cache.waiters()[0])).toEqual([
      { ctx: 'disk', edge: 'completes' },
      { ctx: 'biodone', edge: 'completes' },
    ]);
    expect(run('biodone', { type: 'biodone', buf: 'F0:ind0' }).wakeups).toEqual([{ ctx: 'P', op: 'biowait', value: { type: 'biowait.ok', cache: C, buf: 'F0:ind0' } }]);
    // Still P's: the reader releases it, and the block is now cached with its I/O counted.
    run('P', { type: 'brelse', buf: 'F0:ind0' });
    expect(run('V', { type: 'getblk', vnode: 'F0', blkno: 'ind0' }).reply).toMatchObject({ cached: true, ios: 1 });
  });
});

describe('BufferCache: bookkeeping', () => {
  it('fingerprints equal states equally whatever order the buffers were created in', () => {
    const a = make({ buffers: [clean(0), clean(1)] });
    const b = make({ buffers: [clean(0), clean(1)] });
    a.run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind1' });
    a.run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    b.run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    b.run('P', { type: 'getblk', vnode: 'F0', blkno: 'ind1' });
    expect(a.cache.fingerprint()).toBe(b.cache.fingerprint());
  });

  it('lists blocks in numeric order', () => {
    const { cache } = make({ memory: 3, buffers: [dirty(140), dirty(1001), dirty(9)] });
    expect(cache.describe()).toContain('LRU vnd0:140, vnd0:1001, vnd0:9;');
    const { run, cache: c2 } = make({ memory: 3, buffers: [dirty(140), dirty(1001), dirty(9)] });
    run('S', { type: 'vflushbuf', vnode: 'vnd0' });
    expect(c2.describe()).toContain('B_BUSY vnd0:9 (locked by S), vnd0:140 (locked by S), vnd0:1001 (locked by S)');
  });

  it('initial buffers that do not fit in memory are refused, naming the cache', () => {
    expect(() => make({ memory: 1, buffers: [clean(0), clean(1)] })).toThrow('buffer cache bufcache: 2 initial buffers do not fit in memory 1');
  });
});
