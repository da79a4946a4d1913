import { describe, it, expect } from 'vitest';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';
import { swarmOverrides, swarmable } from '../../src/explore/swarm.js';
import { PORTFOLIO, strategyForSeed } from '../../src/explore/portfolio.js';
import { runTrial } from '../../src/explore/trial.js';

describe('swarm: parameters drawn per schedule from its seed', () => {
  it('draws every parameter the variant uses with a swarm range, inside that range, the same for the same seed', () => {
    expect(swarmable(ubdPipeFill, 'buggy')).toEqual(['pipe', 'ring', 'burst', 'latency']);
    expect(swarmable(ubdPipeFill, 'fix-nonblocking')).toEqual(['pipe', 'burst', 'latency']);
    const draws = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const p = swarmOverrides(ubdPipeFill, 'buggy', {}, seed);
      for (const name of swarmable(ubdPipeFill, 'buggy')) {
        const spec = ubdPipeFill.params[name];
        if (spec.type !== 'int') throw new Error('int expected');
        expect(p[name]).toBeGreaterThanOrEqual(spec.swarm![0]);
        expect(p[name]).toBeLessThanOrEqual(spec.swarm![1]);
      }
      expect(swarmOverrides(ubdPipeFill, 'buggy', {}, seed)).toEqual(p);
      draws.add(JSON.stringify(p));
    }
    expect(draws.size).toBeGreaterThan(150);
  });

  it('a value fixed with --set is kept, and fixing it does not change what the others draw', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const free = swarmOverrides(ubdPipeFill, 'buggy', {}, seed);
      const fixed = swarmOverrides(ubdPipeFill, 'buggy', { ring: 4 }, seed);
      expect(fixed).toEqual({ ...free, ring: 4 });
    }
  });

  it("a swarm trial records the drawn parameters, so its token replays the same run", () => {
    const plan = { scenario: ubdPipeFill.name, variant: 'buggy', sets: { latency: 0 }, strategy: 'random' as const, swarm: true };
    const t = runTrial(ubdPipeFill, plan, 11);
    expect(t.params).toEqual({ ...swarmOverrides(ubdPipeFill, 'buggy', { latency: 0 }, 11), jitter: 0 });
    expect(runTrial(ubdPipeFill, { ...plan, swarm: false, sets: t.params }, 11).traceHash).toBe(t.traceHash);
  });
});

describe('portfolio: the strategy rotates with the seed', () => {
  it('seed s uses random, pct d=2, pct d=3, pct d=5 for (s - 1) % 4 = 0, 1, 2, 3', () => {
    expect(PORTFOLIO).toEqual([{ strategy: 'random' }, { strategy: 'pct', pctDepth: 2 }, { strategy: 'pct', pctDepth: 3 }, { strategy: 'pct', pctDepth: 5 }]);
    expect([1, 2, 3, 4, 5, 8].map((s) => strategyForSeed('portfolio', s))).toEqual([
      { seed: 1, strategy: 'random' },
      { seed: 2, strategy: 'pct', pctDepth: 2 },
      { seed: 3, strategy: 'pct', pctDepth: 3 },
      { seed: 4, strategy: 'pct', pctDepth: 5 },
      { seed: 5, strategy: 'random' },
      { seed: 8, strategy: 'pct', pctDepth: 5 },
    ]);
    expect(strategyForSeed('pct', 9, 4)).toEqual({ seed: 9, strategy: 'pct', pctDepth: 4 });
    expect(strategyForSeed('random', 9, 4)).toEqual({ seed: 9, strategy: 'random' });
  });
});
