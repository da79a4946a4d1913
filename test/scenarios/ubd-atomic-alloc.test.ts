/**
 * Seed 001, S-B1: ubd allocates per-request buffers; the 2.6.14 code does it
 * with kmalloc(GFP_KERNEL) under the queue spin lock with interrupts off.
 */
import { describe, expect, it } from 'vitest';
import { InputError, runScenario, Simulation } from '../../src/index.js';
import { resolveParams } from '../../src/scenario/params.js';
import { ubdAtomicAlloc } from '../../scenarios/ubd-atomic-alloc.js';

const SEEDS = 200;

type Run = ReturnType<typeof runScenario>;

/** fifo, then random seeds 1..n; fails naming the first schedule that breaks `check`. */
function everySchedule(variant: string, params: Record<string, unknown>, n: number, check: (r: Run, label: string) => void): void {
  check(runScenario(ubdAtomicAlloc, variant, params, { strategy: 'fifo' }), 'fifo');
  for (let seed = 1; seed <= n; seed++) check(runScenario(ubdAtomicAlloc, variant, params, { strategy: 'random', seed }), `seed ${seed}`);
}

describe('ubd-atomic-alloc buggy (B-1): kmalloc(GFP_KERNEL) in atomic context', () => {
  for (const pressure of ['always', 'random', 'none']) {
    it(`pressure=${pressure}: the first header allocation is a sleep-in-atomic violation under fifo and all ${SEEDS} random seeds — flagged on the call, whether or not it would block`, () => {
      everySchedule('buggy', { pressure }, SEEDS, (r, label) => {
        if (r.result.outcome !== 'violation') expect.fail(`${label}: ${r.result.outcome}`);
        const v = r.result.violation!;
        expect(v.invariant).toBe('sleep-in-atomic');
        expect(v.contexts).toHaveLength(1);
        expect(r.result.explanation).toMatch(
          new RegExp(`^violation of sleep-in-atomic at step ${v.step}: ${v.contexts[0]} \\(thread, in ubd-alloc allocatingHeader\\) calls kmalloc\\(GFP_KERNEL\\) on allocator kmalloc in atomic context: holding spin lock ubd\\.lock, interrupts off \\(ipl 7\\)`),
        );
      });
    });
  }

  it('the violation comes before anything reaches the host: no bio completes, nothing is submitted', () => {
    const r = runScenario(ubdAtomicAlloc, 'buggy', {}, { strategy: 'fifo' });
    expect(r.result.bios.completed).toBe(0);
    expect(r.result.metrics['aio.ring.maxLevel']).toBe(0);
  });
});

describe('ubd-atomic-alloc fix-drop-lock (B-F1 alone, B-2)', () => {
  // Each reclaim round is a step: a small budget keeps 201 runs quick (the verdict is the same at 100,000).
  const QUICK = { noProgressSteps: 2000 };

  it(`sleeping is legal now, but with no memory GFP_KERNEL loops in reclaim and a timed congestion_wait (2.6.14 __alloc_pages): no-progress, never a deadlock, under fifo and all ${SEEDS} seeds`, () => {
    check(runScenario(ubdAtomicAlloc, 'fix-drop-lock', {}, { strategy: 'fifo', ...QUICK }), 'fifo');
    for (let seed = 1; seed <= SEEDS; seed++) check(runScenario(ubdAtomicAlloc, 'fix-drop-lock', {}, { strategy: 'random', seed, ...QUICK }), `seed ${seed}`);
    function check(r: Run, label: string): void {
      if (r.result.outcome !== 'no-progress') expect.fail(`${label}: ${r.result.outcome}`);
      expect(r.result.violation).toBeUndefined();
      expect(r.result.deadlock).toBeUndefined();
      expect(r.result.bios.completed).toBe(0);
      expect(r.result.metrics['kmalloc.sleeps']).toBeGreaterThan(1000);
      expect(r.result.metrics['aio.ring.maxLevel']).toBe(0);
    }
  });

  it('with memory available it completes, and under random pressure the retries always get memory in the end: it completes on every seed', () => {
    expect(runScenario(ubdAtomicAlloc, 'fix-drop-lock', { pressure: 'none', writes: 20, submitters: 4 }, { strategy: 'random', seed: 3 }).result.outcome).toBe('completed');
    const outcomes = new Set<string>();
    let retried = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = runScenario(ubdAtomicAlloc, 'fix-drop-lock', { pressure: 'random', allocFailP: 30, writes: 40, submitters: 4 }, { strategy: 'random', seed }).result;
      outcomes.add(r.outcome);
      retried += r.metrics['kmalloc.sleeps'];
    }
    expect([...outcomes]).toEqual(['completed']);
    expect(retried).toBeGreaterThan(0);
  });
});

describe('ubd-atomic-alloc fix-emergency-buffer (B-F1 + B-F2 + B-F3)', () => {
  for (const [chunks, submitters, writes] of [
    [1, 1, 3],
    [2, 2, 4],
    [3, 4, 12],
  ]) {
    it(`pressure=always, chunks=${chunks} submitters=${submitters} writes=${writes}: completes under fifo and all ${SEEDS} seeds with every request one at a time (maxInFlight = 1) and emergencyUses > 0`, () => {
      everySchedule('fix-emergency-buffer', { chunks, submitters, writes }, SEEDS, (r, label) => {
        if (r.result.outcome !== 'completed') expect.fail(`${label}: ${r.result.outcome}: ${r.result.explanation}`);
        expect(r.result.bios.completed).toBe(writes);
        expect(r.result.metrics.maxInFlight).toBe(1);
        // Every allocation failed: one emergency header per request and one emergency aio per chunk.
        expect(r.evidence).toBe(writes * (1 + chunks));
      });
    });
  }

  it('the emergency buffers are given back by the interrupt handler (up() in interrupt context is legal)', () => {
    const r = runScenario(ubdAtomicAlloc, 'fix-emergency-buffer', {}, { strategy: 'fifo', recordTrace: true });
    const ups = r.result.trace!.filter((s) => s.effects.some((e) => e.effect === 'up' && /^ubd\.emergency\.(header|aio)/.test(e.resource ?? '')));
    expect(ups.length).toBeGreaterThan(0);
    expect(new Set(ups.map((s) => s.ctx))).toEqual(new Set(['ubd-irq']));
  });

  it('under random pressure (allocFailP 10..50) it completes with more than one request in flight on some seeds', () => {
    let most = 0;
    for (const allocFailP of [10, 30, 50]) {
      for (let seed = 1; seed <= 20; seed++) {
        const r = runScenario(ubdAtomicAlloc, 'fix-emergency-buffer', { pressure: 'random', allocFailP, submitters: 4, writes: 24 }, { strategy: 'random', seed });
        if (r.result.outcome !== 'completed') expect.fail(`allocFailP ${allocFailP} seed ${seed}: ${r.result.explanation}`);
        most = Math.max(most, r.result.metrics.maxInFlight);
      }
    }
    expect(most).toBeGreaterThan(1);
  });
});

describe('ubd-atomic-alloc fix-mempool (the reviewer\'s alternative)', () => {
  for (const [chunks, minNr] of [
    [1, 2],
    [2, 3],
    [2, 5],
    [2, 6],
    [3, 4],
    [3, 9],
  ]) {
    const perRequest = 1 + chunks;
    const bound = Math.floor(minNr / perRequest);
    it(`pressure=always, chunks=${chunks} minNr=${minNr}: completes under fifo and ${SEEDS} seeds, maxInFlight <= floor(${minNr}/${perRequest}) = ${bound}, reached`, () => {
      let reached = 0;
      everySchedule('fix-mempool', { chunks, minNr, submitters: 4, writes: 12 }, SEEDS, (r, label) => {
        if (r.result.outcome !== 'completed') expect.fail(`${label}: ${r.result.outcome}: ${r.result.explanation}`);
        expect(r.result.metrics.maxInFlight).toBeLessThanOrEqual(bound);
        expect(r.evidence).toBeGreaterThan(0);
        reached = Math.max(reached, r.result.metrics.maxInFlight);
      });
      expect(reached).toBe(bound);
    });
  }

  it('minNr below one request\'s buffers (minNr 2, chunks 2): under permanent pressure the first request can never get all of its buffers — a deadlock cycle through the pool, on every seed', () => {
    everySchedule('fix-mempool', { minNr: 2 }, 50, (r, label) => {
      if (r.result.outcome !== 'deadlock') expect.fail(`${label}: ${r.result.outcome}`);
      expect(r.result.explanation).toMatch(/u\d \(stack depth 2\) waits for element in mempool ubd\.buffers \(reserve 0\/2, 2 out, \d waiting\); only ubd-irq could release it/);
    });
  });

  it('under random pressure it completes with more requests in flight than the reserve alone allows', () => {
    let most = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const r = runScenario(ubdAtomicAlloc, 'fix-mempool', { pressure: 'random', allocFailP: 30, submitters: 4, writes: 24 }, { strategy: 'random', seed });
      if (r.result.outcome !== 'completed') expect.fail(`seed ${seed}: ${r.result.explanation}`);
      most = Math.max(most, r.result.metrics.maxInFlight);
    }
    expect(most).toBeGreaterThan(1);
  });

  it('mempool waits are released by the interrupt handler that frees the elements; counting the allocating contexts instead would report a false cycle', () => {
    const system = ubdAtomicAlloc.build('fix-mempool', resolveParams(ubdAtomicAlloc, 'fix-mempool', { submitters: 2, writes: 6 }));
    // Check for deadlock after every step: u2 waits for an element that u1 allocated for a request now in flight,
    // while u1 already waits for its next turn behind u2.
    expect(new Simulation(system, { checkEvery: 1 }).run().outcome).toBe('completed');
    const holdersOnly = { ...system, resources: system.resources.map((r) => (r.kind === 'mempool' ? { ...r, freedBy: undefined } : r)) };
    const wrong = new Simulation(holdersOnly, { checkEvery: 1 }).run();
    expect(wrong.outcome).toBe('deadlock');
    expect(wrong.explanation).toMatch(/u2 \(stack depth 2\) waits for element in mempool ubd\.buffers .*held by u1; which closes the cycle/);
  });
});

describe('ubd-atomic-alloc kernel: the mm/mempool.c fix-mempool runs on', () => {
  it('the system runs on the uml personality (HZ 100) and the pool follows the kernel parameter (2.6.14 by default)', () => {
    const system = ubdAtomicAlloc.build('fix-mempool', resolveParams(ubdAtomicAlloc, 'fix-mempool', {}));
    expect(system.kernel).toEqual({ personality: 'uml' });
    expect(system.resources.find((r) => r.name === 'ubd.buffers')).toMatchObject({ kind: 'mempool', minNr: 3, version: '2.6.14' });
    const later = ubdAtomicAlloc.build('fix-mempool', resolveParams(ubdAtomicAlloc, 'fix-mempool', { kernel: '4.19' }));
    expect(later.resources.find((r) => r.name === 'ubd.buffers')).toMatchObject({ version: '4.19' });
  });

  for (const kernel of ['2.6.14', '2.6.32', '4.4', '4.19', '6.17']) {
    it(`kernel=${kernel}: with a reserve covering one request (minNr 3) it completes under fifo and 50 seeds, the reserve used`, () => {
      everySchedule('fix-mempool', { kernel }, 50, (r, label) => {
        if (r.result.outcome !== 'completed') expect.fail(`${label}: ${r.result.outcome}: ${r.result.explanation}`);
        expect(r.evidence).toBeGreaterThan(0);
      });
    });
  }

  it('minNr 0 under permanent pressure, 2.6.14: the first buffer sleeps in an untimed io_schedule() that no free can end (a zero-minimum pool is never refilled): an orphaned wait naming the pool', () => {
    const r = runScenario(ubdAtomicAlloc, 'fix-mempool', { kernel: '2.6.14', minNr: 0 }, { strategy: 'fifo' }).result;
    expect(r.outcome).toBe('deadlock');
    expect(r.explanation).toBe('deadlock: orphaned wait: u1 (stack depth 2) waits for element in mempool ubd.buffers (reserve 0/0, 0 out, 1 waiting); no live context can ever provide it.');
  });

  for (const kernel of ['2.6.32', '6.17']) {
    it(`minNr 0 under permanent pressure, ${kernel}: the sleeper retries kmalloc every 5*HZ = 500 ticks and never gets a buffer (with the fix too: one preallocated element is not a request's three): no-progress`, () => {
      const sim = new Simulation(ubdAtomicAlloc.build('fix-mempool', resolveParams(ubdAtomicAlloc, 'fix-mempool', { kernel, minNr: 0 })));
      while (sim.pending().length > 0 && !sim.contexts.some((c) => c.blocked?.resource.name === 'ubd.buffers')) sim.step(0);
      expect(sim.contexts.find((c) => c.blocked?.resource.name === 'ubd.buffers')!.blocked!.period).toBe(500);
      const r = sim.run();
      expect(r.outcome).toBe('no-progress');
      expect(r.metrics['ubd.buffers.timeouts']).toBeGreaterThan(3);
      expect(r.bios.completed).toBe(0);
    });
  }

  it('a kernel outside the modelled versions is refused naming them, and so is kernel on a variant without a mempool', () => {
    expect(() => resolveParams(ubdAtomicAlloc, 'fix-mempool', { kernel: '2.6.18' })).toThrow(new InputError("scenario ubd-atomic-alloc: parameter 'kernel' must be 2.6.14|2.6.32|4.4|4.19|6.17, got '2.6.18'"));
    expect(() => resolveParams(ubdAtomicAlloc, 'buggy', { kernel: '2.6.32' })).toThrow(/parameter 'kernel' is not used by variant 'buggy' of ubd-atomic-alloc/);
  });
});
