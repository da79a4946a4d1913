import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { vnd, vndstrategy, vndthread, type VndInput } from '../../machines/vnd.js';
import { biodone } from '../../machines/biodone.js';
import type { StorageEnv, VndRequest } from '../../machines/storage-env.js';
import { effectsOf } from '../../src/model/index.js';

const disk = { kind: 'disk', queue: 'disk.queue', ctx: 'disk', done: 'biodone', intr: 'biodone' } as const;
const F0 = { dev: 'disk', cache: 'bufcache', direct: 12, perIndirect: 4, dataAt: 1000, indirectAt: 500 };

function env(vnd0: Partial<Extract<StorageEnv['devices'][string], { kind: 'vnd' }>>): StorageEnv {
  return {
    vnodes: { vnd0: { cache: 'bufcache', dev: 'vnd0' }, F0: { cache: 'bufcache', dev: 'disk' } },
    files: { F0 },
    devices: { disk, vnd0: { kind: 'vnd', file: 'F0', mode: 'sync', preloaded: false, ...vnd0 } },
    trim: 'allocbuf',
  };
}
const SYNC = env({});
const THREADED = env({ mode: 'threaded', queue: 'vnd0.queue', thread: 'vnd0-thread', active: 'vnd0.active' });
const D1: VndRequest = { bio: 'vnd0:12#w1', op: 'write', block: 12, buf: 'vnd0:12', units: [] };

describe('vnd: vndstrategy and the unit thread', () => {
  it('the chart, vndstrategy and vndthread are one chart under three names', () => {
    expect([vnd.id, vndstrategy.id, vndthread.id]).toEqual(['vnd', 'vndstrategy', 'vndthread']);
  });

  it('synchronous vndstrategy maps the buf on the caller\'s stack (bmap of the backing file), then issues it to the disk', () => {
    const [s, actions] = initialTransition(vndstrategy, { env: SYNC, role: 'strategy', unit: 'vnd0', req: D1 } satisfies VndInput);
    expect(s.value).toBe('readingBlockMap');
    expect(effectsOf(actions)).toEqual([{ type: 'call', machine: 'bmap', input: { env: SYNC, fn: 'bmap', file: 'F0', block: 12, why: 'vnd write' } }]);
    const [done, issued] = transition(vndstrategy, s, { type: 'call.return', machine: 'bmap', output: {} });
    expect(done.status).toBe('done');
    expect(effectsOf(issued)).toEqual([
      { type: 'bufHandoff', cache: 'bufcache', buf: 'vnd0:12', via: ['disk', 'biodone'] },
      { type: 'put', chan: 'disk.queue', item: { id: 'vnd0:12#w1@vnd0', bio: 'vnd0:12#w1', replyTo: 'biodone' } },
    ]);
  });

  it('with a preloaded block map (A-F2) translation reads nothing', () => {
    const pre = env({ preloaded: true });
    const [s, actions] = initialTransition(vndstrategy, { env: pre, role: 'strategy', unit: 'vnd0', req: D1 });
    expect(s.status).toBe('done');
    expect(effectsOf(actions).map((e) => (e as { type: string }).type)).toEqual(['metric', 'bufHandoff', 'put']);
  });

  it('threaded vndstrategy only queues the buf for the unit thread, which now completes it', () => {
    const [s, actions] = initialTransition(vndstrategy, { env: THREADED, role: 'strategy', unit: 'vnd0', req: D1 });
    expect(s.status).toBe('done');
    expect(effectsOf(actions)).toEqual([
      { type: 'bufHandoff', cache: 'bufcache', buf: 'vnd0:12', via: ['vnd0-thread'] },
      { type: 'put', chan: 'vnd0.queue', item: D1 },
      { type: 'metric', name: 'vndHandoffs', add: 1 },
    ]);
  });

  it('the unit thread takes a buf, waits for a transfer slot ("vndac"), maps it on its own stack, issues it, and waits for work again', () => {
    const [idle, a0] = initialTransition(vndthread, { env: THREADED, role: 'thread', unit: 'vnd0' });
    expect(idle.value).toBe('waitingForWork');
    expect(idle.hasTag('idle')).toBe(true);
    expect(effectsOf(a0)).toEqual([{ type: 'get', chan: 'vnd0.queue' }]);
    const [slot, a1] = transition(vndthread, idle, { type: 'get.ok', chan: 'vnd0.queue', item: D1 });
    expect(slot.value).toBe('waitingForTransferSlot');
    expect(effectsOf(a1)).toEqual([{ type: 'down', sem: 'vnd0.active' }]);
    const [mapping] = transition(vndthread, slot, { type: 'down.ok', sem: 'vnd0.active' });
    expect(mapping.value).toBe('readingBlockMap');
    const [again, a3] = transition(vndthread, mapping, { type: 'call.return', machine: 'bmap', output: {} });
    expect(again.value).toBe('waitingForWork');
    expect(effectsOf(a3).map((e) => (e as { type: string }).type)).toEqual(['bufHandoff', 'put', 'get']);
  });

  it('nested: when the backing file lives on another vnd, the buf goes to that unit\'s vndstrategy, at the file\'s block there', () => {
    const nested: StorageEnv = {
      ...SYNC,
      vnodes: { ...SYNC.vnodes, vnd1: { cache: 'bufcache', dev: 'vnd1' }, F1: { cache: 'bufcache', dev: 'vnd0' } },
      files: { F0, F1: { dev: 'vnd0', cache: 'bufcache', direct: 12, perIndirect: 4, dataAt: 16, indirectAt: 0 } },
      devices: { ...SYNC.devices, vnd1: { kind: 'vnd', file: 'F1', mode: 'sync', preloaded: true } },
    };
    const req: VndRequest = { bio: 'vnd1:12#w1', op: 'write', block: 12, buf: 'vnd1:12', units: [] };
    const [s, actions] = initialTransition(vndstrategy, { env: nested, role: 'strategy', unit: 'vnd1', req });
    expect(s.value).toBe('issuingToLowerVnd');
    expect(effectsOf(actions)).toEqual([
      { type: 'metric', name: 'bmapPreloaded', add: 1 },
      { type: 'call', machine: 'vndstrategy', input: { env: nested, role: 'strategy', unit: 'vnd0', req: { ...req, block: 28, units: ['vnd1'] } } },
    ]);
  });
});

describe('biodone: the disk\'s completion interrupt', () => {
  it('for a write through a threaded vnd: sc_active-- of each unit, innermost first, then biodone of the buf (which releases it), then the bio completes', () => {
    const [s] = initialTransition(biodone, { env: THREADED });
    const [, actions] = transition(biodone, s, { type: 'get.ok', chan: 'biodone', item: { id: 'vnd0:12#w1@vnd1>vnd0', bio: 'vnd0:12#w1', res: 0 } });
    expect(effectsOf(actions)).toEqual([
      { type: 'up', sem: 'vnd0.active' },
      { type: 'biodone', cache: 'bufcache', buf: 'vnd0:12' },
      { type: 'bioComplete', bio: 'vnd0:12#w1', error: 0 },
    ]);
  });

  it('a raw write (no buffer-cache buffer) only completes its bio', () => {
    const [s] = initialTransition(biodone, { env: SYNC });
    const [, actions] = transition(biodone, s, { type: 'get.ok', chan: 'biodone', item: { id: 'rvnd0:5#w3@vnd0', bio: 'rvnd0:5#w3', res: 0 } });
    expect(effectsOf(actions)).toEqual([{ type: 'bioComplete', bio: 'rvnd0:5#w3', error: 0 }]);
  });
});
