import { describe, it, expect } from 'vitest';
import { Lock } from '../../src/resources/lock.js';
import type { SimClock } from '../../src/resources/resource.js';
import { pick, xorshift } from './xorshift.js';

const WAIT = { wait: true };
const NOWAIT = { wait: false };

function make(flavour: 'spin' | 'sleep' = 'sleep') {
  const clock: SimClock = { now: 0, step: 0 };
  return { clock, lock: new Lock({ name: 'v_interlock', flavour }, clock) };
}

describe('Lock', () => {
  it('a free lock is taken at once', () => {
    const { lock } = make();
    expect(lock.acquire('p', WAIT)).toEqual({ status: 'ok', wakeups: [] });
    expect(lock.owner).toBe('p');
    expect(lock.level).toBe(1);
  });

  it('a held lock parks a waiting caller and refuses a trylock', () => {
    const { lock, clock } = make();
    lock.acquire('p', WAIT);
    expect(lock.acquire('q', NOWAIT)).toEqual({ status: 'eagain', wakeups: [] });
    clock.step = 2;
    expect(lock.acquire('q', WAIT).status).toBe('blocked');
    expect(lock.waiters()).toEqual([{ ctx: 'q', what: 'lock', since: 2 }]);
  });

  it('release hands ownership to the oldest waiter and wakes it', () => {
    const { lock } = make();
    lock.acquire('p', WAIT);
    lock.acquire('q', WAIT);
    lock.acquire('r', WAIT);
    expect(lock.release('p').wakeups).toEqual([{ ctx: 'q', op: 'acquire' }]);
    expect(lock.owner).toBe('q');
    expect(lock.waiters().map((w) => w.ctx)).toEqual(['r']);
  });

  it('release with nobody waiting frees the lock', () => {
    const { lock } = make();
    lock.acquire('p', WAIT);
    expect(lock.release('p')).toEqual({ status: 'ok', wakeups: [] });
    expect(lock.owner).toBeUndefined();
  });

  it('release by a non-owner throws, naming the lock', () => {
    const { lock } = make('spin');
    lock.acquire('p', WAIT);
    expect(() => lock.release('q')).toThrow('spin lock v_interlock: release by q, but it is held by p');
    const free = make().lock;
    expect(() => free.release('q')).toThrow('sleep lock v_interlock: release by q, but it is not held');
  });

  it('recursive acquire by the owner parks it on its own lock (self-deadlock)', () => {
    const { lock } = make();
    lock.acquire('p', WAIT);
    expect(lock.acquire('p', WAIT).status).toBe('blocked');
    expect(lock.releasers(lock.waiters()[0])).toEqual([{ ctx: 'p', edge: 'held-by' }]);
  });

  it('acquiring again while parked throws', () => {
    const { lock } = make();
    lock.acquire('p', WAIT);
    lock.acquire('q', WAIT);
    expect(() => lock.acquire('q', WAIT)).toThrow(/lock v_interlock: q calls acquire while already parked/);
  });

  it('a waiter is released by the owner', () => {
    const { lock } = make();
    lock.acquire('biodone', WAIT);
    lock.acquire('syncer', WAIT);
    expect(lock.releasers(lock.waiters()[0])).toEqual([{ ctx: 'biodone', edge: 'held-by' }]);
  });

  it('describes flavour, owner and waiters', () => {
    const { lock } = make('spin');
    expect(lock.describe()).toBe('spin lock v_interlock (free)');
    lock.acquire('p', WAIT);
    lock.acquire('q', WAIT);
    expect(lock.describe()).toBe('spin lock v_interlock (held by p, 1 waiting)');
  });

  it('occupancy history records each change once', () => {
    const { lock, clock } = make();
    clock.step = 1;
    lock.acquire('p', WAIT);
    clock.step = 2;
    lock.acquire('q', WAIT);
    clock.step = 3;
    lock.release('p'); // straight to q: still held
    clock.step = 4;
    lock.release('q');
    expect(lock.history.map((s) => [s.step, s.level])).toEqual([
      [0, 0],
      [1, 1],
      [4, 0],
    ]);
  });

  it('fingerprint is equal for equal states and differs after a change', () => {
    const a = make().lock;
    const b = make().lock;
    a.acquire('p', WAIT);
    b.acquire('p', WAIT);
    expect(a.fingerprint()).toBe(b.fingerprint());
    b.acquire('q', WAIT);
    expect(a.fingerprint()).not.toBe(b.fingerprint());
  });

  it('conservation holds after seeded random op sequences', () => {
    const ctxs = ['a', 'b', 'c'];
    for (let seed = 1; seed <= 50; seed++) {
      const rng = xorshift(seed);
      const { lock, clock } = make();
      for (let i = 0; i < 200; i++) {
        clock.step = i;
        const parked = new Set(lock.waiters().map((w) => w.ctx));
        const owner = lock.owner;
        if (owner !== undefined && !parked.has(owner) && rng() < 0.5) {
          lock.release(owner);
        } else {
          const free = ctxs.filter((c) => !parked.has(c) && c !== lock.owner);
          if (free.length > 0) lock.acquire(free[pick(rng, free.length)], { wait: rng() < 0.7 });
        }
        const problem = lock.checkConservation();
        if (problem !== undefined) expect(problem, `seed ${seed} step ${i}`).toBeUndefined();
      }
    }
  });
});
