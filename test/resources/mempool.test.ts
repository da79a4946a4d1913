import { describe, it, expect } from 'vitest';
import { PageAllocator, type MemoryPressure } from '../../src/resources/allocator.js';
import { Mempool } from '../../src/resources/mempool.js';
import type { SimClock } from '../../src/resources/resource.js';
import { pick, xorshift } from './xorshift.js';

const WAIT = 'GFP_NOIO';
const NOWAIT = 'GFP_ATOMIC';

function make(minNr: number, pressure: MemoryPressure = 'always', limit?: number, seed = 3) {
  const clock: SimClock = { now: 0, step: 0 };
  const slab = new PageAllocator({ name: 'slab', pressure, limit }, clock, xorshift(seed));
  const pool = new Mempool({ name: 'bioset', minNr, backing: slab }, clock);
  return { clock, slab, pool };
}

describe('Mempool', () => {
  it('mempool_create fills the reserve from the allocator even under pressure', () => {
    const { slab, pool } = make(2, 'always');
    expect(pool.reserveLevel).toBe(2);
    expect(pool.level).toBe(0);
    expect(slab.level).toBe(2);
  });

  it('creation fails, naming the pool, when the allocator cannot supply minNr', () => {
    expect(() => make(3, 'none', 2)).toThrow(/mempool bioset: backing allocator slab could not supply the 3 reserve elements/);
  });

  it('rejects a negative minNr', () => {
    expect(() => make(-1)).toThrow(/mempool bioset: minNr must be/);
  });

  it('min_nr reserve is used only after the allocator fails', () => {
    const { pool } = make(2, 'none');
    const r = pool.alloc('u', WAIT);
    expect(r.status).toBe('ok');
    expect(r.value).toBe('slab#3');
    expect(pool.reserveLevel).toBe(2);
    expect(pool.reserveAllocs).toBe(0);

    const starved = make(2, 'always').pool;
    expect(starved.alloc('u', WAIT).value).toBe('slab#2');
    expect(starved.reserveLevel).toBe(1);
    expect(starved.reserveAllocs).toBe(1);
  });

  it('an empty reserve parks a waiting caller and fails a GFP_NOWAIT one', () => {
    const { pool, clock } = make(1);
    pool.alloc('u', WAIT);
    expect(pool.alloc('a', NOWAIT)).toEqual({ status: 'eagain', wakeups: [] });
    expect(pool.eagainCount).toBe(1);
    clock.step = 4;
    expect(pool.alloc('w', WAIT)).toEqual({ status: 'blocked', wakeups: [] });
    expect(pool.allocsBlocked).toBe(1);
    expect(pool.waiters()).toEqual([{ ctx: 'w', what: 'element', since: 4 }]);
  });

  it('a free refills the reserve before going back to the allocator', () => {
    const { pool, slab } = make(1, 'none');
    const fromSlab = pool.alloc('u', WAIT).value as string;
    pool.free('u', fromSlab); // reserve already full: back to the slab
    expect(pool.reserveLevel).toBe(1);
    expect(slab.level).toBe(1);

    const starved = make(1, 'always');
    const e = starved.pool.alloc('u', WAIT).value as string;
    expect(starved.pool.reserveLevel).toBe(0);
    starved.pool.free('irq', e);
    expect(starved.pool.reserveLevel).toBe(1);
    expect(starved.slab.level).toBe(1);
  });

  it('a refill wakes every sleeper to re-test, handing nothing over (wake_up on a non-exclusive queue)', () => {
    const { pool } = make(1);
    const e = pool.alloc('u', WAIT).value as string;
    pool.alloc('w1', WAIT);
    pool.alloc('w2', WAIT);
    const r = pool.free('irq', e);
    expect(r.wakeups).toEqual([
      { ctx: 'w1', op: 'alloc', recheck: true },
      { ctx: 'w2', op: 'alloc', recheck: true },
    ]);
    expect(pool.reserveLevel).toBe(1);
    expect(pool.holders()).toEqual([]);
    expect(pool.waiters()).toEqual([]);
    // Each re-runs repeat_alloc: the first takes the element, the second sleeps again.
    expect(pool.retry('w1', 'released')).toEqual({ status: 'ok', value: e, wakeups: [] });
    expect(pool.retry('w2', 'released').status).toBe('blocked');
    expect(pool.futileWakeups).toBe(1);
    expect(pool.allocsBlocked).toBe(2);
    expect(pool.waiters().map((w) => w.ctx)).toEqual(['w2']);
  });

  it('a free above min_nr goes to the allocator and wakes nobody on the pool', () => {
    const { pool, slab } = make(0, 'none', 1);
    const e = pool.alloc('u', WAIT).value as string;
    pool.alloc('w', WAIT);
    expect(pool.free('irq', e)).toEqual({ status: 'ok', wakeups: [] });
    expect(slab.level).toBe(0);
    expect(pool.waiters().map((w) => w.ctx)).toEqual(['w']);
  });

  it('freeing an element the pool did not hand out throws, naming the pool', () => {
    const { pool } = make(1, 'none');
    expect(() => pool.free('u', 'slab#1')).toThrow(/mempool bioset: u frees slab#1, which the pool did not hand out/);
    const e = pool.alloc('u', WAIT).value as string;
    pool.free('u', e);
    expect(() => pool.free('u', e)).toThrow(/already freed/);
  });

  it('allocating again while parked throws', () => {
    const { pool } = make(0);
    pool.alloc('u', WAIT);
    expect(() => pool.alloc('u', WAIT)).toThrow(/mempool bioset: u calls alloc while already parked/);
  });

  it('holders are listed in allocation order, each once', () => {
    const { pool } = make(0, 'none');
    pool.alloc('up', WAIT);
    pool.alloc('lo', WAIT);
    pool.alloc('up', WAIT);
    expect(pool.holders()).toEqual(['up', 'lo']);
  });

  it('a waiter is released by the holders of the pool elements', () => {
    const { pool } = make(2);
    pool.alloc('up', WAIT);
    pool.alloc('up2', WAIT);
    pool.alloc('lo', WAIT);
    expect(pool.releasers(pool.waiters()[0])).toEqual([
      { ctx: 'up', edge: 'held-by' },
      { ctx: 'up2', edge: 'held-by' },
    ]);
    const empty = make(0).pool;
    empty.alloc('lo', WAIT);
    expect(empty.releasers(empty.waiters()[0])).toEqual([]);
  });

  it('describes reserve, elements out and waiters', () => {
    const { pool } = make(2, { failP: 0 });
    for (let i = 0; i < 3; i++) pool.alloc('u', WAIT);
    expect(pool.describe()).toBe('mempool bioset (reserve 2/2, 3 out)');
    const starved = make(2).pool;
    starved.alloc('a', WAIT);
    starved.alloc('b', WAIT);
    starved.alloc('c', WAIT);
    expect(starved.describe()).toBe('mempool bioset (reserve 0/2, 2 out, 1 waiting)');
  });

  it('occupancy history records each change once', () => {
    const { pool, clock } = make(1);
    clock.step = 1;
    const e = pool.alloc('u', WAIT).value as string;
    clock.step = 2;
    pool.alloc('w', WAIT); // parks: no change
    clock.step = 3;
    pool.free('irq', e); // back into the reserve: none out
    expect(pool.history.map((s) => [s.step, s.level])).toEqual([
      [0, 0],
      [1, 1],
      [3, 0],
    ]);
  });

  it('fingerprint is equal for equal states and differs after a change', () => {
    const a = make(2).pool;
    const b = make(2).pool;
    a.alloc('u', WAIT);
    b.alloc('u', WAIT);
    expect(a.fingerprint()).toBe(b.fingerprint());
    b.alloc('u2', WAIT);
    expect(a.fingerprint()).not.toBe(b.fingerprint());
  });

  it('conservation holds after seeded random op sequences', () => {
    const ctxs = ['up', 'lo', 'irq'];
    for (let seed = 1; seed <= 50; seed++) {
      const rng = xorshift(seed);
      const { pool, slab, clock } = make(pick(rng, 4), { failP: 0.6 }, 6, seed);
      const held = new Map<string, string>();
      // Woken sleepers, which re-run repeat_alloc when this loop next picks them.
      const woken = new Set<string>();
      for (let i = 0; i < 200; i++) {
        clock.step = i;
        const parked = new Set(pool.waiters().map((w) => w.ctx));
        const free = ctxs.filter((c) => !parked.has(c) && !woken.has(c));
        let wakeups: readonly { ctx: string; recheck?: boolean }[] = [];
        const r0 = rng();
        if (woken.size > 0 && r0 < 0.3) {
          const ctx = [...woken][pick(rng, woken.size)];
          woken.delete(ctx);
          const r = pool.retry(ctx, 'released');
          if (r.status === 'ok') held.set(r.value as string, ctx);
        } else if (free.length > 0 && r0 < 0.65) {
          const ctx = free[pick(rng, free.length)];
          const r = pool.alloc(ctx, rng() < 0.6 ? WAIT : NOWAIT);
          if (r.status === 'ok') held.set(r.value as string, ctx);
        } else if (held.size > 0) {
          const elements = [...held.keys()];
          const e = elements[pick(rng, elements.length)];
          held.delete(e);
          wakeups = pool.free('irq', e).wakeups;
        }
        for (const w of wakeups) {
          expect(w.recheck).toBe(true);
          woken.add(w.ctx);
        }
        const problem =
          pool.checkConservation() ??
          slab.checkConservation() ??
          (pool.level === held.size ? undefined : `pool says ${pool.level} out, callers hold ${held.size}`) ??
          (slab.level === pool.reserveLevel + held.size ? undefined : 'allocator and pool disagree');
        if (problem !== undefined) expect(problem, `seed ${seed} step ${i}`).toBeUndefined();
      }
    }
  });
});

describe('Mempool in front of kmalloc sleepers, freed by the completion path', () => {
  it('an element going back to the allocator wakes nobody there: a GFP_KERNEL caller in congestion_wait finds it on its next round', () => {
    const clock: SimClock = { now: 0, step: 0 };
    const slab = new PageAllocator({ name: 'slab', pressure: 'none', limit: 2 }, clock, xorshift(1));
    const pool = new Mempool({ name: 'bioset', minNr: 1, backing: slab }, clock);
    const e = pool.alloc('u', WAIT).value as string; // from the slab (the reserve stays full)
    expect(slab.tryAlloc('k')).toBeUndefined(); // limit 2 reached: reserve + e
    slab.congestionWait('k', 'GFP_KERNEL', new Set(['__GFP_WAIT', '__GFP_IO', '__GFP_FS']), 2);
    expect(pool.free('irq', e).wakeups).toEqual([]);
    expect(slab.withdraw('k')).toBe(true);
    expect(slab.tryAlloc('k')).toBeDefined();
  });

  it('declared freers (the interrupt handler) release a waiter, not the contexts that allocated', () => {
    const clock: SimClock = { now: 0, step: 0 };
    const slab = new PageAllocator({ name: 'slab', pressure: 'always' }, clock, xorshift(1));
    const pool = new Mempool({ name: 'ubd.buffers', minNr: 1, backing: slab, freedBy: ['ubd-irq'] }, clock);
    pool.alloc('u1', WAIT);
    pool.alloc('u2', WAIT);
    expect(pool.releasers(pool.waiters()[0])).toEqual([{ ctx: 'ubd-irq', edge: 'may-release' }]);
  });
});
