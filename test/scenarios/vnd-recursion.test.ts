/**
 * Seed 000, S-A2: vnd <-> file system recursion. In a synchronous vnd each
 * trimmed delayed write is one round trip of FRAMES_PER_ROUND_TRIP frames on
 * the same stack; the unit thread bounds the depth.
 */
import { effectText } from '../../src/report/trace-text.js';
import { describe, expect, it } from 'vitest';
import { runScenario, Simulation } from '../../src/index.js';
import { vndRecursion } from '../../scenarios/vnd-recursion.js';
import { BASE_FRAMES, FRAMES_PER_ROUND_TRIP, stackLimitFor } from '../../scenarios/vnd-stack.js';

const ROUND_TRIP = ['getblk', 'allocbuf', 'buf_trim', 'getnewbuf', 'bawrite', 'vndstrategy', 'bmap', 'bread'];
const SEEDS = 50;

describe('vnd-recursion buggy: one vnd round trip of 8 frames per delayed write, no bound (S-A2)', () => {
  it('the stack limit is 8 frames per round trip plus 5 base frames', () => {
    expect([FRAMES_PER_ROUND_TRIP, BASE_FRAMES]).toEqual([8, 5]);
    expect([4, 8, 16].map(stackLimitFor)).toEqual([37, 69, 133]);
  });

  for (const maxDepth of [4, 8, 16]) {
    it(`maxDepth=${maxDepth}: n=${maxDepth} completes using exactly all ${stackLimitFor(maxDepth)} frames; n=${maxDepth + 1} overflows, with the call chain`, () => {
      const fits = runScenario(vndRecursion, 'buggy', { n: maxDepth, maxDepth }, { strategy: 'fifo' });
      expect(fits.result.outcome).toBe('completed');
      expect(fits.result.metrics['P.maxDepth']).toBe(stackLimitFor(maxDepth));
      expect(fits.result.bios).toMatchObject({ submitted: 2 * maxDepth, completed: 2 * maxDepth, stuck: [] });

      const over = runScenario(vndRecursion, 'buggy', { n: maxDepth + 1, maxDepth }, { strategy: 'fifo' });
      expect(over.result.outcome).toBe('stack-overflow');
      const o = over.result.stackOverflow!;
      expect(o).toMatchObject({ context: 'P', limit: stackLimitFor(maxDepth) });
      // fs-workload, then getblk -> allocbuf ... bread -> getblk ... : round trips from the first getblk on.
      expect(o.chain).toEqual(['fs-workload', ...Array.from({ length: o.chain.length - 1 }, (_, i) => ROUND_TRIP[i % 8])]);
      expect(o.chain.length).toBe(stackLimitFor(maxDepth) + 1);
      expect(over.result.explanation).toMatch(new RegExp(`^stack-overflow on P: ${stackLimitFor(maxDepth) + 1} frames > limit ${stackLimitFor(maxDepth)}; call chain: fs-workload -> getblk -> allocbuf -> buf_trim -> getnewbuf -> bawrite -> vndstrategy -> bmap -> bread -> getblk -> `));
    });

    const half = Math.floor(maxDepth / 2);
    it(`nested, maxDepth=${maxDepth}: each dirty vnd1 buffer costs two round trips — n=${half} completes, n=${half + 1} overflows`, () => {
      const fits = runScenario(vndRecursion, 'buggy', { n: half, maxDepth, nested: true }, { strategy: 'fifo' });
      expect(fits.result.outcome).toBe('completed');
      expect(fits.result.metrics['P.maxDepth']).toBe(FRAMES_PER_ROUND_TRIP * 2 * half + BASE_FRAMES);
      const over = runScenario(vndRecursion, 'buggy', { n: half + 1, maxDepth, nested: true }, { strategy: 'fifo' });
      expect(over.result.outcome).toBe('stack-overflow');
      expect(over.result.stackOverflow!.chain.length).toBe(stackLimitFor(maxDepth) + 1);
    });
  }

  it('nested: the round trips alternate between vnd1 (bmap of F1 reads an indirect block of FS1 on vnd0) and vnd0 (bmap of F0)', () => {
    const sim = new Simulation(vndRecursion.build('buggy', { n: 1, maxDepth: 8, nested: true, latency: 1 }), { recordTrace: true });
    const r = sim.run();
    expect(r.outcome).toBe('completed');
    const started = r.trace!.filter((s) => s.ctx === 'P').flatMap((s) => s.effects.map(effectText).filter((e) => e.startsWith('getblk ') && e.includes('miss')));
    // (P's own getblk of L:x runs at boot, before the first step.)
    expect(started).toEqual(['getblk F1:ind0 miss: ok', 'getblk F0:ind0 miss: ok']);
  });

  it('the verdict does not depend on the schedule: n = maxDepth + 1 overflows on every random seed, n = maxDepth completes on every one', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const over = runScenario(vndRecursion, 'buggy', {}, { strategy: 'random', seed });
      if (over.result.outcome !== 'stack-overflow') expect.fail(`seed ${seed}: ${over.result.outcome}`);
      const fits = runScenario(vndRecursion, 'buggy', { n: 8 }, { strategy: 'random', seed });
      if (fits.result.outcome !== 'completed') expect.fail(`seed ${seed}: n=8 ${fits.result.outcome}: ${fits.result.explanation}`);
    }
  });
});

describe('vnd-recursion fix-thread: every hand-off to the unit thread starts on a fresh stack (A-F1)', () => {
  for (const nested of [false, true]) {
    it(`${nested ? 'nested: ' : ''}completes for n up to 20 on a 13-frame stack (maxDepth 1); from 2 delayed writes on, the deepest stack is 9 frames whatever n is (the thread, bmap, bread, getblk, allocbuf, buf_trim, getnewbuf, bawrite, vndstrategy)`, () => {
      for (const n of [0, 1, 2, 3, 5, 8, 13, 20]) {
        const r = runScenario(vndRecursion, 'fix-thread', { n, maxDepth: 1, nested }, { strategy: 'fifo' });
        if (r.result.outcome !== 'completed') expect.fail(`n=${n}: ${r.result.outcome}: ${r.result.explanation}`);
        const deepest = Math.max(...Object.entries(r.result.metrics).filter(([k]) => k.endsWith('.maxDepth')).map(([, d]) => d));
        // With one delayed write there is no next one for the thread's trim to start (7 frames); with none, P's own 5.
        const delayed = nested ? 2 * n : n;
        expect(deepest, `n=${n}`).toBe(delayed >= 2 ? 9 : delayed === 1 ? 7 : 5);
        expect(r.result.bios.stuck).toEqual([]);
      }
    });
  }

  it(`completes on ${SEEDS} random seeds at the defaults (n = maxDepth + 1), having handed every delayed write to the thread`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runScenario(vndRecursion, 'fix-thread', {}, { strategy: 'random', seed });
      if (r.result.outcome !== 'completed') expect.fail(`seed ${seed}: ${r.result.outcome}: ${r.result.explanation}`);
      expect(r.evidence).toBeGreaterThanOrEqual(9);
    }
  });
});
