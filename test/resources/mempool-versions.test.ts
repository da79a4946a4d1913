/**
 * mempool_alloc / mempool_free as each kernel's mm/mempool.c has them
 * (resources/mempool-versions.ts): the resource on its own, then the
 * min_nr = 0 edge case through the kernel, one version at a time.
 */
import { describe, expect, it } from 'vitest';
import { PageAllocator, type MemoryPressure } from '../../src/resources/allocator.js';
import { Mempool } from '../../src/resources/mempool.js';
import type { MempoolVersionName } from '../../src/resources/mempool-versions.js';
import type { SimClock } from '../../src/resources/resource.js';
import { ModelError, Simulation } from '../../src/index.js';
import { ctxOf, zeroMinPool } from '../kernel/mempool-fixtures.js';
import { xorshift } from './xorshift.js';

function make(version: MempoolVersionName, minNr: number, pressure: MemoryPressure = 'always', limit?: number) {
  const clock: SimClock = { now: 0, step: 0 };
  const slab = new PageAllocator({ name: 'slab', pressure, limit }, clock, xorshift(1));
  const pool = new Mempool({ name: 'bioset', minNr, backing: slab, version }, clock);
  return { clock, slab, pool };
}

describe('mempool versions, the resource alone', () => {
  it('2.6.x tries the allocator once (gfp_temp without __GFP_WAIT|__GFP_IO) before sleeping; 4.x retries it at once with the full mask', () => {
    for (const [version, attempts] of [['2.6.14', 1], ['2.6.32', 1], ['4.4', 2], ['4.19', 2], ['6.17', 2]] as const) {
      const { pool, slab } = make(version, 0);
      if (version === '6.17') pool.alloc('first', 'GFP_NOIO'); // takes the one element the fix preallocates
      const before = slab.failCount;
      expect(pool.alloc('u', 'GFP_NOIO').status, version).toBe('blocked');
      expect(slab.failCount - before, version).toBe(attempts);
    }
  });

  it('4.x does not retry a GFP_ATOMIC caller (gfp_temp == gfp_mask): it gets NULL after one attempt', () => {
    const { pool, slab } = make('4.19', 0);
    expect(pool.alloc('irq', 'GFP_ATOMIC')).toEqual({ status: 'eagain', wakeups: [] });
    expect(slab.failCount).toBe(1);
  });

  it('a woken sleeper re-runs repeat_alloc: the allocator first, then the reserve', () => {
    const { pool, slab, clock } = make('2.6.32', 1, 'none', 2);
    const a = pool.alloc('a', 'GFP_NOIO').value as string; // the slab's second page (the reserve holds the first)
    expect(pool.alloc('b', 'GFP_NOIO').value).toBe('slab#1'); // limit reached: the reserve
    pool.alloc('w', 'GFP_NOIO');
    clock.now = 7;
    pool.free('a', a); // the reserve is empty: refill, wake w
    expect(pool.waiters()).toEqual([]);
    expect(slab.level).toBe(2);
    expect(pool.retry('w', 'released')).toEqual({ status: 'ok', value: a, wakeups: [] });
    expect(pool.longestWait).toBe(7);
  });

  it('a zero-minimum pool before the fix is never refilled: a free goes to the allocator and its sleeper stays asleep with no releaser', () => {
    for (const version of ['2.6.14', '2.6.32', '4.4', '4.19'] as const) {
      const { pool, slab } = make(version, 0, 'none', 1);
      const e = pool.alloc('holder', 'GFP_NOIO').value as string;
      pool.alloc('waiter', 'GFP_NOIO');
      expect(pool.free('holder', e), version).toEqual({ status: 'ok', wakeups: [] });
      expect(pool.reserveLevel, version).toBe(0);
      expect(slab.level, version).toBe(0);
      expect(pool.waiters().map((w) => w.ctx), version).toEqual(['waiter']);
      // Untimed, nothing can ever wake it; timed, only its own retry of the allocator gets it out.
      expect(pool.releasers(pool.waiters()[0]), version).toEqual(version === '2.6.14' ? [] : 'anyone');
    }
  });

  it('6.17 (the min_nr = 0 fix): the pool is created with one element, and a free into the empty pool refills it and wakes the sleepers', () => {
    const { pool, slab } = make('6.17', 0, 'always');
    expect(pool.reserveLevel).toBe(1);
    expect(slab.level).toBe(1);
    const e = pool.alloc('holder', 'GFP_NOIO').value as string;
    pool.alloc('waiter', 'GFP_NOIO');
    expect(pool.free('holder', e).wakeups).toEqual([{ ctx: 'waiter', op: 'alloc', recheck: true }]);
    expect(pool.reserveLevel).toBe(1);
    // The pool holds at most that one element: a second free goes to the allocator.
    expect(pool.retry('waiter', 'released').value).toBe(e);
    const more = make('6.17', 0, 'none');
    const x = more.pool.alloc('a', 'GFP_NOIO').value as string;
    expect(more.pool.free('a', x).wakeups).toEqual([]);
    expect(more.pool.reserveLevel).toBe(1);
    expect(more.pool.checkConservation()).toBeUndefined();
  });

  it('a timed sleep that ran out and still finds nothing sleeps again, counted as a timeout, not as a futile wake-up', () => {
    const { pool } = make('2.6.32', 0);
    pool.alloc('w', 'GFP_NOIO');
    expect(pool.withdraw('w')).toBe(true);
    expect(pool.retry('w', 'timed-out').status).toBe('blocked');
    expect(pool.metrics()).toMatchObject({ waits: 1, timeouts: 1, futileWakeups: 0 });
  });

  it('an unknown version is refused naming the allowed ones, by the resource and as a model error by the kernel', () => {
    expect(() => make('2.6.99' as MempoolVersionName, 1)).toThrow("mempool bioset: version must be one of 2.6.14, 2.6.32, 4.4, 4.19, 6.17, got '2.6.99'");
    const spec = { ...zeroMinPool('2.6.14'), resources: [{ kind: 'allocator' as const, name: 'slab', pressure: 'none' as const }, { kind: 'mempool' as const, name: 'zero', minNr: 0, backing: 'slab', version: '3.0' as MempoolVersionName }] };
    expect(() => new Simulation(spec)).toThrow(new ModelError("mempool 'zero': version must be one of 2.6.14, 2.6.32, 4.4, 4.19, 6.17, got '3.0'"));
  });
});

describe('mempool min_nr = 0 with a sleeper whose element is freed (FIDELITY.md §2.3)', () => {
  it('2.6.14: a free would go to the allocator and never wake the sleeper, whose io_schedule() is untimed: a deadlock naming the pool, as soon as it sleeps', () => {
    const r = new Simulation(zeroMinPool('2.6.14')).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.deadlock!.shape).toBe('orphan');
    expect(r.deadlock!.stuckContexts).toEqual(['waiter']);
    // The holder still has its element, but freeing it cannot wake anyone: nothing can ever provide one.
    expect(r.explanation).toBe('deadlock: orphaned wait: waiter waits for element in mempool zero (reserve 0/0, 1 out, 1 waiting); no live context can ever provide it.');
    expect(r.metrics['zero.timeouts']).toBe(0);
  });

  for (const version of ['2.6.32', '4.19'] as const) {
    it(`${version}: the sleeper is never woken either, but its io_schedule_timeout(5*HZ) (1250 ticks at HZ 250) retries the allocator, which the hog emptied: a timed livelock, no-progress`, () => {
      const sim = new Simulation(zeroMinPool(version));
      // Up to the waiter's first sleep: one untimed-looking wait that is in fact timed, with its period.
      while (sim.pending().length > 0 && ctxOf(sim, 'waiter').blocked === null) sim.step(0);
      const asleep = ctxOf(sim, 'waiter').blocked!;
      expect(asleep.period).toBe(1250);
      expect(asleep.deadline).toBe(1 + 1250); // it went to sleep at t=1
      expect(sim.views().find((v) => v.name === 'waiter')!.live).toBe(true);
      const r = sim.run();
      expect(r.outcome).toBe('no-progress');
      // Judged over virtual time: four retry periods without a completion.
      expect(r.noProgress!.unit).toBe('ticks');
      expect(r.explanation).toMatch(/^no-progress: no bio completed for 5000 ticks \(4 x the longest retry period, 1250 ticks\) while 1 bio\(s\) are open/);
      expect(r.metrics['zero.timeouts']).toBeGreaterThan(3);
      expect(r.metrics['zero.futileWakeups']).toBe(0);
      expect(r.time).toBeGreaterThan(4 * 1250);
      expect(r.finalStates.waiter).toMatch(/allocating/);
    });
  }

  it('6.17 (with the fix): the free puts the element into the empty pool and wakes the sleeper, which takes it: completed', () => {
    const r = new Simulation(zeroMinPool('6.17')).run();
    expect(r.outcome).toBe('completed');
    expect(r.bios.completed).toBe(2);
    expect(r.metrics).toMatchObject({ 'zero.waits': 1, 'zero.reserveAllocs': 2, 'zero.timeouts': 0, 'zero.futileWakeups': 0, 'zero.longestWait': 1 });
  });
});
