/**
 * S-B2's probabilistic claim on a test-sized workload: 300 writes on 64
 * sectors, submitters 2..8, allocation failure probability 0.1 and 0.5,
 * random schedules. The full claim (every seed of 1..1000 for buggy and each
 * fix) takes about an hour of CPU: scripts/ubd-reorder-seeds.mjs measures it.
 * Here: buggy's first violating seed in 1..1000 for each configuration (with
 * its replay), and each fix on three seeds per configuration.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/index.js';
import { ubdReorder } from '../../scenarios/ubd-reorder.js';

const CONFIGS = [2, 4, 6, 8].flatMap((submitters) => [10, 50].map((allocFailP) => ({ submitters, allocFailP, writes: 300, sectors: 64 })));
const name = (c: (typeof CONFIGS)[number]) => `submitters=${c.submitters} allocFailP=${c.allocFailP}%`;
const SEEDS_PER_CONFIG = 3;

describe('ubd-reorder under random schedules: submitters 2..8 x allocFailP 10%/50%, 300 writes on 64 sectors', () => {
  it('buggy: every configuration has a violating seed in 1..1000, and seed + recorded schedule replay it identically', () => {
    for (const config of CONFIGS) {
      let seed = 1;
      let run = runScenario(ubdReorder, 'buggy', config, { strategy: 'random', seed });
      while (run.result.outcome !== 'violation' && seed < 1000) run = runScenario(ubdReorder, 'buggy', config, { strategy: 'random', seed: ++seed });
      if (run.result.outcome !== 'violation') expect.fail(`${name(config)}: no violation in seeds 1..1000`);
      expect(run.result.violation!.invariant).toBe('write ordering');
      const again = runScenario(ubdReorder, 'buggy', config, { strategy: 'replay', seed, schedule: run.result.schedule });
      expect(again.result.traceHash, name(config)).toBe(run.result.traceHash);
      expect(again.result.violation).toEqual(run.result.violation);
    }
  });

  it(`fix-tickets, fix-semaphore, fix-barriers: no violation, every write completed — ${SEEDS_PER_CONFIG} seeds per configuration (seeds 1..${SEEDS_PER_CONFIG * CONFIGS.length}, different ones each)`, () => {
    CONFIGS.forEach((config, i) => {
      for (let seed = SEEDS_PER_CONFIG * i + 1; seed <= SEEDS_PER_CONFIG * (i + 1); seed++) {
        for (const variant of ['fix-tickets', 'fix-semaphore', 'fix-barriers']) {
          const params = variant === 'fix-barriers' ? { ...config, barrier: true } : config;
          const r = runScenario(ubdReorder, variant, params, { strategy: 'random', seed });
          if (r.result.outcome !== 'completed') expect.fail(`${variant} ${name(config)} seed ${seed}: ${r.result.explanation}`);
          expect(r.result.bios.completed).toBe(300);
        }
      }
    });
  });
});
