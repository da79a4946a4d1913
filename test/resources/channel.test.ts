import { describe, it, expect } from 'vitest';
import { Channel } from '../../src/resources/channel.js';
import type { SimClock } from '../../src/resources/resource.js';
import { pick, xorshift } from './xorshift.js';

const WAIT = { wait: true };
const NOWAIT = { wait: false };

function make(capacity: number, extra: { readers?: string[]; writers?: string[] } = {}) {
  const clock: SimClock = { now: 0, step: 0 };
  return { clock, ch: new Channel<string>({ name: 'ubd.queue', capacity, ...extra }, clock) };
}

describe('Channel', () => {
  it('delivers items in FIFO order', () => {
    const { ch } = make(4);
    ch.put('w', 'a', WAIT);
    ch.put('w', 'b', WAIT);
    expect(ch.peekAll()).toEqual(['a', 'b']);
    expect(ch.get('r', WAIT)).toEqual({ status: 'ok', value: 'a', wakeups: [] });
    expect(ch.get('r', WAIT).value).toBe('b');
    expect(ch.isEmpty).toBe(true);
  });

  it('put with front requeues at the head', () => {
    const { ch } = make(4);
    ch.put('w', 'b', WAIT);
    ch.put('w', 'a', { wait: true, front: true });
    expect(ch.peekAll()).toEqual(['a', 'b']);
  });

  it('put to a full channel parks the writer with its item', () => {
    const { ch, clock } = make(1);
    expect(ch.put('w1', 'a', WAIT).status).toBe('ok');
    clock.step = 3;
    expect(ch.put('w2', 'b', WAIT)).toEqual({ status: 'blocked', wakeups: [] });
    expect(ch.peekAll()).toEqual(['a']);
    expect(ch.waiters()).toEqual([{ ctx: 'w2', what: 'space', since: 3 }]);
    expect(ch.putsBlocked).toBe(1);
    expect(ch.level).toBe(1);
  });

  it('put to a full channel without wait returns EAGAIN and counts it', () => {
    const { ch } = make(1);
    ch.put('w', 'a', NOWAIT);
    expect(ch.put('w', 'b', NOWAIT)).toEqual({ status: 'eagain', wakeups: [] });
    expect(ch.eagainCount).toBe(1);
    expect(ch.waiters()).toEqual([]);
  });

  it('get frees a slot and wakes the oldest parked writer', () => {
    const { ch } = make(1);
    ch.put('w0', 'a', WAIT);
    ch.put('w1', 'b', WAIT);
    ch.put('w2', 'c', WAIT);
    const r = ch.get('r', WAIT);
    expect(r.value).toBe('a');
    expect(r.wakeups).toEqual([{ ctx: 'w1', op: 'put' }]);
    expect(ch.peekAll()).toEqual(['b']);
    expect(ch.waiters().map((w) => w.ctx)).toEqual(['w2']);
  });

  it('a parked writer that asked for front lands at the head when a slot frees', () => {
    const { ch } = make(2);
    ch.put('w', 'a', WAIT);
    ch.put('w', 'b', WAIT);
    ch.put('x', 'z', { wait: true, front: true });
    ch.get('r', WAIT);
    expect(ch.peekAll()).toEqual(['z', 'b']);
  });

  it('get on an empty channel parks the reader, and the next put hands the item straight to it', () => {
    const { ch } = make(2);
    expect(ch.get('r1', WAIT).status).toBe('blocked');
    expect(ch.get('r2', WAIT).status).toBe('blocked');
    const p = ch.put('w', 'a', WAIT);
    expect(p.status).toBe('ok');
    expect(p.wakeups).toEqual([{ ctx: 'r1', op: 'get', value: 'a' }]);
    expect(ch.isEmpty).toBe(true);
    expect(ch.waiters().map((w) => w.ctx)).toEqual(['r2']);
  });

  it('get on an empty channel without wait returns EAGAIN', () => {
    const { ch } = make(2);
    expect(ch.get('r', NOWAIT)).toEqual({ status: 'eagain', wakeups: [] });
    expect(ch.waiters()).toEqual([]);
  });

  it('getting twice while already parked throws, naming the channel', () => {
    const { ch } = make(1);
    ch.get('r', WAIT);
    expect(() => ch.get('r', WAIT)).toThrow(/channel ubd\.queue: r calls get while already parked/);
    expect(() => ch.put('r', 'x', NOWAIT)).toThrow(/ubd\.queue/);
  });

  it('rejects a capacity below 1, naming the channel', () => {
    expect(() => make(0)).toThrow(/channel ubd\.queue: capacity/);
    expect(() => make(-1)).toThrow(/capacity/);
    expect(() => make(1.5)).toThrow(/capacity/);
  });

  it('counts becoming full once per transition', () => {
    const { ch } = make(2);
    ch.put('w', 'a', WAIT);
    ch.put('w', 'b', WAIT);
    ch.put('x', 'c', WAIT);
    ch.get('r', WAIT); // refilled by x: still full, not "became full"
    expect(ch.fullCount).toBe(1);
    ch.get('r', WAIT);
    ch.put('w', 'd', WAIT);
    expect(ch.fullCount).toBe(2);
    expect(ch.isFull).toBe(true);
  });

  it('occupancy history records each change once', () => {
    const { ch, clock } = make(2);
    clock.step = 1;
    ch.put('w', 'a', WAIT);
    clock.step = 2;
    ch.put('w', 'b', WAIT);
    ch.put('x', 'c', WAIT); // parks: level unchanged
    clock.step = 3;
    ch.get('r', WAIT); // take + refill: level unchanged
    clock.step = 4;
    ch.get('r', WAIT);
    expect(ch.history.map((s) => [s.step, s.level])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [4, 1],
    ]);
    expect(ch.maxLevel).toBe(2);
  });

  it('describes itself in records, or as a queue length when unbounded', () => {
    const { ch } = make(8);
    ch.put('w', 'a', WAIT);
    ch.put('w', 'b', WAIT);
    ch.put('w', 'c', WAIT);
    expect(ch.describe()).toBe('channel ubd.queue (3/8 records)');
    const unbounded = make(Infinity).ch;
    unbounded.put('w', 'a', WAIT);
    expect(unbounded.describe()).toBe('channel ubd.queue (1 queued)');
    const one = make(1).ch;
    one.put('w', 'a', WAIT);
    one.put('x', 'b', WAIT);
    expect(one.describe()).toBe('channel ubd.queue (1/1 records, 1 waiting)');
  });

  it('the only declared reader releases a writer waiting for space', () => {
    const { ch } = make(1, { readers: ['uirq'], writers: ['t', 'u'] });
    ch.put('t', 'a', WAIT);
    ch.put('u', 'b', WAIT);
    const [waiter] = ch.waiters();
    expect(ch.releasers(waiter)).toEqual([{ ctx: 'uirq', edge: 'only-reader' }]);
  });

  it('several declared writers may release a reader waiting for data', () => {
    const { ch } = make(1, { readers: ['uirq'], writers: ['t', 'u'] });
    ch.get('uirq', WAIT);
    const [waiter] = ch.waiters();
    expect(ch.releasers(waiter)).toEqual([
      { ctx: 't', edge: 'may-release' },
      { ctx: 'u', edge: 'may-release' },
    ]);
  });

  it('the only declared writer releases a reader', () => {
    const { ch } = make(1, { writers: ['t'] });
    ch.get('r', WAIT);
    expect(ch.releasers(ch.waiters()[0])).toEqual([{ ctx: 't', edge: 'only-writer' }]);
  });

  it('without declarations, releasers are the contexts seen using it, in first-seen order', () => {
    const { ch } = make(1);
    ch.get('r2', NOWAIT);
    ch.get('r1', NOWAIT);
    ch.put('w', 'a', WAIT);
    ch.put('v', 'b', WAIT);
    expect(ch.releasers(ch.waiters()[0])).toEqual([
      { ctx: 'r2', edge: 'may-release' },
      { ctx: 'r1', edge: 'may-release' },
    ]);
  });

  it('fingerprint is equal for equal states and differs after a change', () => {
    const a = make(2).ch;
    const b = make(2).ch;
    a.put('w', 'x', WAIT);
    b.put('w', 'x', WAIT);
    expect(a.fingerprint()).toBe(b.fingerprint());
    b.put('w', 'y', WAIT);
    expect(a.fingerprint()).not.toBe(b.fingerprint());
  });

  it('fingerprint of object items does not depend on field order', () => {
    const clock: SimClock = { now: 0, step: 0 };
    const a = new Channel<{ id: string; sector: number }>({ name: 'q', capacity: 2 }, clock);
    const b = new Channel<{ id: string; sector: number }>({ name: 'q', capacity: 2 }, clock);
    a.put('w', { id: 'ubd#1', sector: 100 }, WAIT);
    b.put('w', { sector: 100, id: 'ubd#1' }, WAIT);
    expect(a.fingerprint()).toBe(b.fingerprint());
  });

  it('conservation holds after seeded random op sequences', () => {
    const ctxs = ['a', 'b', 'c', 'd'];
    for (let seed = 1; seed <= 50; seed++) {
      const rng = xorshift(seed);
      const { ch, clock } = make(1 + pick(rng, 3));
      let n = 0;
      let delivered = 0;
      for (let i = 0; i < 200; i++) {
        clock.step = i;
        const parked = new Set(ch.waiters().map((w) => w.ctx));
        const free = ctxs.filter((c) => !parked.has(c));
        if (free.length === 0) break;
        const ctx = free[pick(rng, free.length)];
        const wait = rng() < 0.5;
        const r = rng() < 0.5 ? ch.put(ctx, `m${n++}`, { wait, front: rng() < 0.2 }) : ch.get(ctx, { wait });
        delivered += r.wakeups.filter((w) => w.op === 'get').length + (r.value !== undefined ? 1 : 0);
        const accepted = n - ch.eagainCount;
        const parkedWriters = ch.waiters().filter((w) => w.what === 'space').length;
        // Items are never lost nor duplicated: every accepted put is delivered, queued or parked.
        const problem =
          ch.checkConservation() ??
          (delivered + ch.length + parkedWriters === accepted ? undefined : 'an item was lost or duplicated');
        if (problem !== undefined) expect(problem, `seed ${seed} step ${i}`).toBeUndefined();
      }
    }
  });
});
