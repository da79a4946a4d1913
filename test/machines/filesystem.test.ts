import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { FS_FUNCTIONS, filesystem, fsFunctions, type FsInput, type FsOutput } from '../../machines/filesystem.js';
import type { StorageEnv } from '../../machines/storage-env.js';
import { effectsOf, type KernelEventOf } from '../../src/model/index.js';

/** What a frame receives: callees of the chart return an FsOutput. */
type KernelEvent = KernelEventOf<unknown, FsOutput>;

/** vnd0 (sync) on F0 on the disk, one global cache. */
const ENV: StorageEnv = {
  vnodes: { vnd0: { cache: 'bufcache', dev: 'vnd0' }, F0: { cache: 'bufcache', dev: 'disk' } },
  files: { F0: { dev: 'disk', cache: 'bufcache', direct: 12, perIndirect: 4, dataAt: 1000, indirectAt: 500 } },
  devices: { disk: { kind: 'disk', queue: 'disk.queue', ctx: 'disk', done: 'biodone', intr: 'biodone' }, vnd0: { kind: 'vnd', file: 'F0', mode: 'sync', preloaded: false } },
  trim: 'allocbuf',
};
const AF4: StorageEnv = { ...ENV, trim: 'brelse' };

function start(input: Omit<FsInput, 'env'> & { env?: StorageEnv }) {
  const [s, actions] = initialTransition(filesystem, { env: ENV, ...input });
  return { s, effects: effectsOf(actions) };
}

function step(s: AnyMachineSnapshot, event: KernelEvent) {
  const [next, actions] = transition(filesystem, s, event);
  return { s: next, effects: effectsOf(actions) };
}

const ret = (output: FsOutput): KernelEvent => ({ type: 'call.return', machine: 'x', output });

describe('filesystem: each kernel function is a frame; callees are called by name', () => {
  it('every function is a callable machine named after it, so a call chain reads getblk -> allocbuf -> buf_trim', () => {
    expect(Object.keys(fsFunctions)).toEqual([...FS_FUNCTIONS]);
    for (const fn of FS_FUNCTIONS) expect(fsFunctions[fn].id).toBe(fn);
  });

  it('getblk locks the block in its vnode\'s cache; a hit returns the buffer', () => {
    const a = start({ fn: 'getblk', vnode: 'F0', blkno: 'ind0' });
    expect(a.s.value).toEqual({ getblk: 'lockingBuffer' });
    expect(a.s.hasTag('blocked')).toBe(true);
    expect(a.effects).toEqual([{ type: 'getblk', cache: 'bufcache', vnode: 'F0', blkno: 'ind0' }]);
    const b = step(a.s, { type: 'getblk.ok', cache: 'bufcache', buf: 'F0:ind0', cached: true, fresh: false, ios: 1 });
    expect(b.s.status).toBe('done');
    expect(b.s.output).toMatchObject({ buf: 'F0:ind0', cached: true, ios: 1 });
  });

  it('getblk of a fresh buffer calls allocbuf while holding it', () => {
    const a = start({ fn: 'getblk', vnode: 'F0', blkno: 'ind0' });
    const b = step(a.s, { type: 'getblk.ok', cache: 'bufcache', buf: 'F0:ind0', cached: false, fresh: true, ios: 0 });
    expect(b.s.value).toEqual({ getblk: 'allocatingMemory' });
    expect(b.effects).toEqual([{ type: 'call', machine: 'allocbuf', input: { env: ENV, fn: 'allocbuf', buf: 'F0:ind0' } }]);
  });

  it('allocbuf over hiwater trims (buf_trim, which may sleep on needbuffer) and records the overshoot', () => {
    const a = start({ fn: 'allocbuf', buf: 'F0:ind0' });
    expect(a.effects).toEqual([{ type: 'bufMalloc', cache: 'bufcache', buf: 'F0:ind0' }]);
    const b = step(a.s, { type: 'bufMalloc.ok', cache: 'bufcache', buf: 'F0:ind0', bufmem: 4, hiwater: 3, over: true, locked: 0 });
    expect(b.s.value).toEqual({ allocbuf: 'trimmingCache' });
    expect(b.effects).toEqual([
      { type: 'metric', name: 'bufmemOvershoot', max: 1 },
      { type: 'metric', name: 'maxLockedAtAlloc', max: 0 },
      { type: 'call', machine: 'buf_trim', input: { env: ENV, fn: 'buf_trim', cache: 'bufcache', wait: true } },
    ]);
    // A trim that freed memory and left bufmem over hiwater trims again; one that started a write stops.
    const c = step(b.s, ret({ freed: 1, over: true }));
    expect(c.s.value).toEqual({ allocbuf: 'trimmingCache' });
    expect(step(c.s, ret({ freed: 0, over: true })).s.status).toBe('done');
  });

  it('allocbuf at the hard limit drains once (buf_trim that may not sleep), then sleeps on needbuffer with the generation it saw', () => {
    const a = start({ fn: 'allocbuf', buf: 'F0:ind0' });
    const b = step(a.s, { type: 'bufMalloc.full', cache: 'bufcache', buf: 'F0:ind0', gen: 7 });
    expect(b.s.value).toEqual({ allocbuf: 'drainingCache' });
    expect(b.effects).toEqual([{ type: 'call', machine: 'buf_trim', input: { env: ENV, fn: 'buf_trim', cache: 'bufcache', wait: false } }]);
    const c = step(b.s, ret({ freed: 0, over: true }));
    expect(c.s.value).toEqual({ allocbuf: 'sleepingForMemory' });
    expect(c.effects).toEqual([{ type: 'needbuffer', cache: 'bufcache', gen: 7 }]);
    expect(step(c.s, { type: 'needbuffer.woken', cache: 'bufcache' }).effects).toEqual([{ type: 'bufMalloc', cache: 'bufcache', buf: 'F0:ind0' }]);
  });

  it('A-F4: allocbuf never trims and never drains; it only allocates (and sleeps at the hard limit)', () => {
    const [s] = initialTransition(filesystem, { env: AF4, fn: 'allocbuf', buf: 'F0:ind0' });
    const [over] = transition(filesystem, s, { type: 'bufMalloc.ok', cache: 'bufcache', buf: 'F0:ind0', bufmem: 4, hiwater: 3, over: true, locked: 0 });
    expect(over.status).toBe('done');
    const [full, actions] = transition(filesystem, s, { type: 'bufMalloc.full', cache: 'bufcache', buf: 'F0:ind0', gen: 2 });
    expect(full.value).toEqual({ allocbuf: 'sleepingForMemory' });
    expect(effectsOf(actions)).toEqual([{ type: 'needbuffer', cache: 'bufcache', gen: 2 }]);
  });

  it('brelse: NetBSD releases and returns; A-F4 asks what the thread still holds and trims after releasing its last lock', () => {
    const a = start({ fn: 'brelse', buf: 'F0:ind0' });
    expect(a.s.status).toBe('done');
    expect(a.effects).toEqual([{ type: 'brelse', cache: 'bufcache', buf: 'F0:ind0', delwri: undefined, ack: false }]);
    const [s, actions] = initialTransition(filesystem, { env: AF4, fn: 'brelse', buf: 'F0:ind0', delwri: true });
    expect(effectsOf(actions)).toEqual([{ type: 'brelse', cache: 'bufcache', buf: 'F0:ind0', delwri: true, ack: true }]);
    const [held] = transition(filesystem, s, { type: 'brelse.ok', cache: 'bufcache', buf: 'F0:ind0', locked: 1, over: true });
    expect(held.status).toBe('done');
    const [last, trim] = transition(filesystem, s, { type: 'brelse.ok', cache: 'bufcache', buf: 'F0:ind0', locked: 0, over: true });
    expect(last.value).toEqual({ brelse: 'trimmingAfterUnlock' });
    expect(effectsOf(trim)).toEqual([{ type: 'call', machine: 'buf_trim', input: { env: AF4, fn: 'buf_trim', cache: 'bufcache', wait: false } }]);
  });

  it('getnewbuf: a delayed write found on the free queue is bawritten, and that trim frees nothing', () => {
    const a = start({ fn: 'getnewbuf', cache: 'bufcache', wait: true });
    expect(a.effects).toEqual([{ type: 'getnewbuf', cache: 'bufcache', wait: true }]);
    const b = step(a.s, { type: 'getnewbuf.delwri', cache: 'bufcache', buf: 'vnd0:12', ios: 0 });
    expect(b.s.value).toEqual({ getnewbuf: 'writingDelayedBuffer' });
    expect(b.effects).toEqual([
      { type: 'metric', name: 'trimWrites', add: 1 },
      { type: 'call', machine: 'bawrite', input: { env: ENV, fn: 'bawrite', buf: 'vnd0:12', ios: 0 } },
    ]);
    expect(step(b.s, ret({})).s.output).toMatchObject({ freed: 0 });
  });

  it('bawrite of a vnd buffer starts the write and calls vndstrategy on the caller\'s stack', () => {
    const a = start({ fn: 'bawrite', buf: 'vnd0:12', ios: 0 });
    expect(a.s.value).toEqual({ bawrite: 'writingThroughVnd' });
    expect(a.effects).toEqual([
      { type: 'bufio', cache: 'bufcache', buf: 'vnd0:12', op: 'write' },
      { type: 'bioSubmit', bio: 'vnd0:12#w1' },
      { type: 'call', machine: 'vndstrategy', input: { env: ENV, role: 'strategy', unit: 'vnd0', req: { bio: 'vnd0:12#w1', op: 'write', block: 12, buf: 'vnd0:12', units: [] } } },
    ]);
  });

  it('bawrite of a disk buffer queues it on the disk, which (with its interrupt) now completes it', () => {
    const a = start({ fn: 'bawrite', buf: 'F0:ind2', ios: 3 });
    expect(a.s.status).toBe('done');
    expect(a.effects).toEqual([
      { type: 'bufio', cache: 'bufcache', buf: 'F0:ind2', op: 'write' },
      { type: 'bioSubmit', bio: 'F0:ind2#w4' },
      { type: 'bufHandoff', cache: 'bufcache', buf: 'F0:ind2', via: ['disk', 'biodone'] },
      { type: 'put', chan: 'disk.queue', item: { id: 'F0:ind2#w4@', bio: 'F0:ind2#w4', replyTo: 'biodone' } },
    ]);
  });

  it('bread: a cached block returns at once; otherwise the read is started and the frame sleeps in biowait', () => {
    const a = start({ fn: 'bread', vnode: 'F0', blkno: 'ind0' });
    expect(a.effects).toEqual([{ type: 'call', machine: 'getblk', input: { env: ENV, fn: 'getblk', vnode: 'F0', blkno: 'ind0' } }]);
    expect(step(a.s, ret({ buf: 'F0:ind0', cached: true, ios: 1 })).s.status).toBe('done');
    const b = step(a.s, ret({ buf: 'F0:ind0', cached: false, ios: 0 }));
    expect(b.s.value).toEqual({ bread: 'waitingForRead' });
    expect(b.effects).toEqual([
      { type: 'bufio', cache: 'bufcache', buf: 'F0:ind0', op: 'read' },
      { type: 'bioSubmit', bio: 'F0:ind0#r1' },
      { type: 'bufHandoff', cache: 'bufcache', buf: 'F0:ind0', via: ['disk', 'biodone'] },
      { type: 'put', chan: 'disk.queue', item: { id: 'F0:ind0#r1@', bio: 'F0:ind0#r1', replyTo: 'biodone' } },
      { type: 'biowait', cache: 'bufcache', buf: 'F0:ind0' },
    ]);
  });

  it('bmap: a direct block needs no buffer; an indirect one is bread and brelsed, counted when a vnd write needed it', () => {
    expect(start({ fn: 'bmap', file: 'F0', block: 11 }).s.status).toBe('done');
    const a = start({ fn: 'bmap', file: 'F0', block: 21, why: 'vnd write' });
    expect(a.effects).toEqual([{ type: 'call', machine: 'bread', input: { env: ENV, fn: 'bread', vnode: 'F0', blkno: 'ind2' } }]);
    const b = step(a.s, ret({ buf: 'F0:ind2', cached: false, ios: 1 }));
    expect(b.s.value).toEqual({ bmap: 'releasingIndirectBlock' });
    expect(b.effects).toEqual([
      { type: 'metric', name: 'lowerBufferReadsDuringWrite', add: 1 },
      { type: 'metric', name: 'indirectMissesDuringWrite', add: 1 },
      { type: 'call', machine: 'brelse', input: { env: ENV, fn: 'brelse', buf: 'F0:ind2' } },
    ]);
  });
});
