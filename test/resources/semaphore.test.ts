import { describe, it, expect } from 'vitest';
import { Semaphore } from '../../src/resources/semaphore.js';
import type { SimClock } from '../../src/resources/resource.js';
import { pick, xorshift } from './xorshift.js';

const WAIT = { wait: true };
const NOWAIT = { wait: false };

function make(count: number, upBy?: string[]) {
  const clock: SimClock = { now: 0, step: 0 };
  return { clock, sem: new Semaphore({ name: 'emergency', count, upBy }, clock) };
}

describe('Semaphore', () => {
  it('down takes a unit while any is free', () => {
    const { sem } = make(2);
    expect(sem.down('u1', WAIT)).toEqual({ status: 'ok', wakeups: [] });
    expect(sem.down('u2', WAIT).status).toBe('ok');
    expect(sem.count).toBe(0);
    expect(sem.holders()).toEqual(['u1', 'u2']);
  });

  it('down with no unit free parks, or returns EAGAIN without wait (down_trylock)', () => {
    const { sem, clock } = make(1);
    sem.down('u1', WAIT);
    expect(sem.down('u2', NOWAIT)).toEqual({ status: 'eagain', wakeups: [] });
    clock.step = 6;
    expect(sem.down('u2', WAIT).status).toBe('blocked');
    expect(sem.waiters()).toEqual([{ ctx: 'u2', what: 'semaphore', since: 6 }]);
  });

  it('up wakes the oldest waiter and hands it the unit', () => {
    const { sem } = make(1);
    sem.down('u1', WAIT);
    sem.down('u2', WAIT);
    sem.down('u3', WAIT);
    expect(sem.up('uirq').wakeups).toEqual([{ ctx: 'u2', op: 'down' }]);
    expect(sem.count).toBe(0);
    expect(sem.holders()).toEqual(['u2']);
    expect(sem.waiters().map((w) => w.ctx)).toEqual(['u3']);
  });

  it('up from another context matches the oldest outstanding down', () => {
    const { sem } = make(2);
    sem.down('u1', WAIT);
    sem.down('u2', WAIT);
    sem.up('uirq');
    expect(sem.holders()).toEqual(['u2']);
    sem.up('u2');
    expect(sem.holders()).toEqual([]);
    expect(sem.count).toBe(2);
  });

  it('up with nothing held adds a unit (a semaphore used as a completion)', () => {
    const { sem } = make(0);
    sem.up('producer');
    expect(sem.count).toBe(1);
    expect(sem.capacity).toBe(1);
    expect(sem.down('consumer', NOWAIT).status).toBe('ok');
    expect(sem.checkConservation()).toBeUndefined();
  });

  it('rejects a negative count, naming the semaphore', () => {
    expect(() => make(-1)).toThrow(/semaphore emergency: count must be/);
  });

  it('a down while already parked throws', () => {
    const { sem } = make(0);
    sem.down('u', WAIT);
    expect(() => sem.down('u', WAIT)).toThrow(/semaphore emergency: u calls down while already parked/);
  });

  it('declared uppers may release a waiter', () => {
    const { sem } = make(1, ['uirq']);
    sem.down('u1', WAIT);
    sem.down('u2', WAIT);
    expect(sem.releasers(sem.waiters()[0])).toEqual([{ ctx: 'uirq', edge: 'may-release' }]);
  });

  it('without declared uppers, the holders release a waiter', () => {
    const { sem } = make(2);
    sem.down('u1', WAIT);
    sem.down('u2', WAIT);
    sem.down('u3', WAIT);
    expect(sem.releasers(sem.waiters()[0])).toEqual([
      { ctx: 'u1', edge: 'held-by' },
      { ctx: 'u2', edge: 'held-by' },
    ]);
  });

  it('describes free units, holders and waiters', () => {
    const { sem } = make(1);
    expect(sem.describe()).toBe('semaphore emergency (1/1 free)');
    sem.down('u1', WAIT);
    sem.down('u2', WAIT);
    expect(sem.describe()).toBe('semaphore emergency (0/1 free, held by u1, 1 waiting)');
  });

  it('occupancy history records each change once', () => {
    const { sem, clock } = make(1);
    clock.step = 1;
    sem.down('u1', WAIT);
    clock.step = 2;
    sem.down('u2', WAIT);
    clock.step = 3;
    sem.up('uirq'); // unit passes to u2: still one held
    clock.step = 4;
    sem.up('uirq');
    expect(sem.history.map((s) => [s.step, s.level])).toEqual([
      [0, 0],
      [1, 1],
      [4, 0],
    ]);
  });

  it('fingerprint is equal for equal states and differs after a change', () => {
    const a = make(1).sem;
    const b = make(1).sem;
    a.down('u', WAIT);
    b.down('u', WAIT);
    expect(a.fingerprint()).toBe(b.fingerprint());
    b.down('v', WAIT);
    expect(a.fingerprint()).not.toBe(b.fingerprint());
  });

  it('conservation holds after seeded random op sequences', () => {
    const ctxs = ['u1', 'u2', 'u3', 'uirq'];
    for (let seed = 1; seed <= 50; seed++) {
      const rng = xorshift(seed);
      const { sem, clock } = make(pick(rng, 3));
      for (let i = 0; i < 200; i++) {
        clock.step = i;
        const parked = new Set(sem.waiters().map((w) => w.ctx));
        const free = ctxs.filter((c) => !parked.has(c));
        if (free.length === 0) break;
        const ctx = free[pick(rng, free.length)];
        if (rng() < 0.55) sem.down(ctx, { wait: rng() < 0.7 });
        else sem.up(ctx);
        const problem = sem.checkConservation() ?? (sem.level === sem.capacity - sem.count ? undefined : 'level drifted');
        if (problem !== undefined) expect(problem, `seed ${seed} step ${i}`).toBeUndefined();
      }
    }
  });
});
