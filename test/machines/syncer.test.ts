import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { syncer } from '../../machines/syncer.js';
import type { StorageEnv } from '../../machines/storage-env.js';
import { effectsOf } from '../../src/model/index.js';

const ENV: StorageEnv = {
  vnodes: { vnd0: { cache: 'bufcache', dev: 'vnd0' } },
  files: {},
  devices: { vnd0: { kind: 'vnd', file: 'F0', mode: 'threaded', preloaded: false, queue: 'q', thread: 't', active: 'a' } },
  trim: 'allocbuf',
};
const BUFS = [
  { buf: 'vnd0:12', ios: 0 },
  { buf: 'vnd0:13', ios: 2 },
];

describe('syncer: VOP_FSYNC of the vnd every period', () => {
  it('locks every dirty buffer at once (vflushbuf), then bawrites them one by one in LRU order', () => {
    const [s0, a0] = initialTransition(syncer, { env: ENV, vnodes: ['vnd0'] });
    expect(effectsOf(a0)).toEqual([
      { type: 'metric', name: 'syncerRounds', add: 1 },
      { type: 'vflushbuf', cache: 'bufcache', vnode: 'vnd0' },
    ]);
    const [s1, a1] = transition(syncer, s0, { type: 'vflushbuf.ok', cache: 'bufcache', bufs: BUFS });
    expect(effectsOf(a1)).toEqual([{ type: 'call', machine: 'bawrite', input: { env: ENV, fn: 'bawrite', buf: 'vnd0:12', ios: 0 } }]);
    const [s2, a2] = transition(syncer, s1, { type: 'call.return', machine: 'bawrite', output: {} });
    expect(effectsOf(a2)).toEqual([{ type: 'call', machine: 'bawrite', input: { env: ENV, fn: 'bawrite', buf: 'vnd0:13', ios: 2 } }]);
    // Without a period it flushes once and exits.
    expect(transition(syncer, s2, { type: 'call.return', machine: 'bawrite', output: {} })[0].status).toBe('done');
  });

  it('with a period it sleeps between rounds, and after the workload says it finished, flushes once more and exits', () => {
    const [s0] = initialTransition(syncer, { env: ENV, vnodes: ['vnd0'], period: 30, done: 'writer.done' });
    const [sleeping] = transition(syncer, s0, { type: 'vflushbuf.ok', cache: 'bufcache', bufs: [] });
    expect(sleeping.value).toBe('sleeping');
    expect(sleeping.hasTag('idle')).toBe(true);
    const [checking, a] = transition(syncer, sleeping, { type: 'xstate.after.period.syncer.sleeping' } as never);
    expect(checking.value).toBe('checkingWorkload');
    expect(effectsOf(a)).toEqual([{ type: 'get', chan: 'writer.done', wait: false }]);
    const [again] = transition(syncer, checking, { type: 'get.eagain', chan: 'writer.done' });
    expect(again.value).toBe('flushing');
    const [last] = transition(syncer, checking, { type: 'get.ok', chan: 'writer.done', item: 'finished' });
    expect(last.value).toBe('flushing');
    expect(transition(syncer, last, { type: 'vflushbuf.ok', cache: 'bufcache', bufs: [] })[0].status).toBe('done');
  });
});
