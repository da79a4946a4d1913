/**
 * Exhaustive search proves small configurations: every interleaving the
 * scheduler allows is visited, with states merged by fingerprint.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, Simulation, type SystemSpec } from '../../src/index.js';
import { Prng } from '../../src/kernel/prng.js';
import { DEFAULT_MAX_STATES, exhaust } from '../../src/explore/exhaustive.js';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';
import { sleeper } from '../kernel/fixtures.js';

/** n threads, each one zero-delay timer step from done, nothing shared: the state space is an n-cube. */
function independent(n: number): SystemSpec {
  const contexts = Array.from({ length: n }, (_, i) => ({ name: `t${i}`, kind: 'thread' as const, machine: sleeper, input: { bio: `t${i}#1`, sleep: 0 } }));
  return { cpus: [], contexts, resources: [] };
}

const ubd = (variant: string, params: Record<string, number>): SystemSpec => ubdPipeFill.build(variant, { latency: 0, ...params });

describe('exhaustive search', () => {
  it('a cloned simulation continues exactly as the original would (same states, trace hash and verdict)', () => {
    const sys = ubd('buggy', { pipe: 3, ring: 3, burst: 8, latency: 1 });
    for (let seed = 1; seed <= 25; seed++) {
      const rng = new Prng(seed);
      const sim = new Simulation(sys);
      const clones: Simulation[] = [];
      for (;;) {
        if (rng.int(5) === 0) clones.push(sim.clone());
        const c = sim.pending();
        if (c.length === 0) break;
        sim.step(rng.int(c.length));
      }
      const end = sim.run();
      // Cloning did not disturb the original: a fresh replay of its schedule ends the same.
      expect(new Simulation(sys, { strategy: 'replay', schedule: end.schedule }).run().traceHash).toBe(end.traceHash);
      for (const clone of clones) {
        for (const label of end.schedule.slice(clone.clock.step)) clone.step(clone.pending().findIndex((c) => c.label === label));
        clone.pending();
        expect(clone.fingerprint()).toBe(sim.fingerprint());
        const r = clone.run();
        expect([r.outcome, r.traceHash, r.explanation, r.steps]).toEqual([end.outcome, end.traceHash, end.explanation, end.steps]);
        expect(r.metrics).toEqual(end.metrics);
      }
    }
  });

  it('counts are those of the n-cube for n independent one-step threads: 2^n states, n*2^(n-1) transitions, one terminal', () => {
    for (const mode of ['dfs', 'bfs'] as const) {
      const r = exhaust(independent(3), { mode });
      expect(r).toMatchObject({ mode, states: 8, transitions: 12, terminals: 1, exhausted: true, maxDepth: 3, findings: [] });
    }
  });

  it('DFS that keeps a simulation on only 2 top frames and every 3rd below (rebuilding the rest by replay) visits exactly what the default visits', () => {
    for (const [variant, params] of [['buggy', { pipe: 2, ring: 2, burst: 5 }], ['fix-credits', { pipe: 2, ring: 2, burst: 4 }]] as const) {
      const sys = ubd(variant, params);
      const full = exhaust(sys, { mode: 'dfs' });
      const lean = exhaust(sys, { mode: 'dfs', checkpoints: { recent: 2, stride: 3 } });
      expect(full.maxDepth).toBeGreaterThan(5);
      expect([lean.states, lean.transitions, lean.terminals, lean.exhausted, lean.maxDepth]).toEqual([full.states, full.transitions, full.terminals, full.exhausted, full.maxDepth]);
      expect(lean.findings).toEqual(full.findings);
    }
  });

  it('a state budget or a depth bound that cuts the space makes exhausted false', () => {
    expect(exhaust(independent(3), { mode: 'dfs', maxStates: 5 })).toMatchObject({ states: 5, exhausted: false });
    // Depth 2 of the 3-cube: 1 + 3 + 3 states, the 3 at depth 2 left unexpanded.
    expect(exhaust(independent(3), { mode: 'bfs', maxDepth: 2 })).toMatchObject({ states: 7, terminals: 0, exhausted: false, maxDepth: 2 });
    expect(exhaust(independent(3), { mode: 'dfs', maxDepth: 2 })).toMatchObject({ states: 7, terminals: 0, exhausted: false, maxDepth: 2 });
  });

  it('dfs exhausts buggy ubd-pipe-fill for pipe, ring <= 3 and burst <= max(pipe, ring) and finds no deadlock', () => {
    for (let pipe = 1; pipe <= 3; pipe++) {
      for (let ring = 1; ring <= 3; ring++) {
        for (let burst = 1; burst <= Math.max(pipe, ring); burst++) {
          const r = exhaust(ubd('buggy', { pipe, ring, burst }), { mode: 'dfs' });
          const at = `pipe=${pipe} ring=${ring} burst=${burst}`;
          expect(r.exhausted, at).toBe(true);
          expect(r.findings, at).toEqual([]);
          expect(r.states, at).toBeGreaterThan(0);
        }
      }
    }
  });

  it('dfs exhausts every fix with pipe = ring = 2, burst 6 and finds no finding (state counts pinned)', () => {
    // fix-sync-error is the big one: 29,618 states, ~6 s of CPU.
    const cases = [
      ['fix-credits', 4_809],
      ['fix-nonblocking', 1_333], // no ring parameter: build ignores it
      ['fix-sync-error', 29_618],
    ] as const;
    for (const [variant, states] of cases) {
      const r = exhaust(ubd(variant, { pipe: 2, ring: 2, burst: 6 }), { mode: 'dfs' });
      expect(r.exhausted, variant).toBe(true);
      expect(r.findings, variant).toEqual([]);
      expect(r.terminals, variant).toBeGreaterThan(0);
      expect(r.states, variant).toBe(states);
    }
  });

  it('bfs finds the shortest deadlock at burst = max(pipe, ring) + 1 for pipe, ring <= 3', () => {
    for (let pipe = 1; pipe <= 3; pipe++) {
      for (let ring = 1; ring <= 3; ring++) {
        const params = { pipe, ring, burst: Math.max(pipe, ring) + 1, latency: 0 };
        const at = `pipe=${pipe} ring=${ring} burst=${params.burst}`;
        const r = exhaust(ubd('buggy', params), { mode: 'bfs' });
        expect(r.findings, at).toHaveLength(1);
        const f = r.findings[0];
        expect(f.steps, at).toBe(f.schedule.length);
        // The schedule replays to the pipe-fill cycle: ubd (interrupts off) -> pipe -> its only reader -> the CPU ubd holds.
        const replay = runScenario(ubdPipeFill, 'buggy', params, { strategy: 'replay', schedule: f.schedule });
        expect(replay.result.outcome, at).toBe('deadlock');
        expect(replay.result.steps, at).toBe(f.steps);
        expect(replay.result.deadlock!.nodes.map((n) => [n.id, n.edge]), at).toEqual([
          ['ubd', 'waits-for'],
          ['aio->ubd', 'only-reader'],
          ['ubd-irq', 'waits-for'],
          ['cpu uml0', 'held-by'],
        ]);
        // Minimal: no schedule one step shorter deadlocks (every state up to that depth was visited).
        const shorter = exhaust(ubd('buggy', params), { mode: 'bfs', maxDepth: f.steps - 1 });
        expect(shorter.findings, at).toEqual([]);
        expect(shorter.states, at).toBeLessThan(DEFAULT_MAX_STATES);
      }
    }
  });

  it('dfs keeps one finding per signature and goes on after it; bfs stops at the first', () => {
    const sys = ubd('buggy', { pipe: 1, ring: 1, burst: 2 });
    const dfs = exhaust(sys, { mode: 'dfs' });
    expect(dfs.exhausted).toBe(true);
    expect(dfs.findings.map((f) => f.signature)).toEqual(['deadlock:cycle:@aio->ubd>ubd-irq>@cpu uml0>ubd']);
    expect(dfs.terminals).toBeGreaterThan(1);
    const bfs = exhaust(sys, { mode: 'bfs' });
    expect(bfs.exhausted).toBe(false);
    expect(bfs.findings[0].steps).toBeLessThanOrEqual(dfs.findings[0].steps);
  });
});
