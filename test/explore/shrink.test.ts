/**
 * Shrinking findings: the schedule (ddmin + reorders, measured in replayed
 * steps) and the parameters, on the ubd pipe-fill deadlock of seed 001.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, type RunResult, type SystemSpec } from '../../src/index.js';
import { signatureOf } from '../../src/explore/finding.js';
import { FindingNotReproduced, sameFinding, shrinkSchedule } from '../../src/explore/shrink-schedule.js';
import { shrinkParams } from '../../src/explore/shrink-params.js';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';

const P4 = { pipe: 4, ring: 4, burst: 10, latency: 0 };
const buggy = (p: typeof P4): SystemSpec => ubdPipeFill.build('buggy', p);
const randomRun = (system: SystemSpec, seed: number): RunResult => new Simulation(system, { strategy: 'random', seed }).run();
const cycleOf = (r: RunResult) => r.deadlock!.nodes.map((n) => [n.kind, n.id, n.edge]);

/**
 * Shortest deadlock by breadth-first search over canonical states
 * (`fingerprint`), re-executing each path from the start: exact, and cheap
 * only for tiny configurations.
 */
function bfsShortestDeadlock(system: SystemSpec): number {
  const at = (path: readonly number[]): Simulation => {
    const sim = new Simulation(system);
    for (const i of path) {
      sim.pending();
      sim.step(i);
    }
    return sim;
  };
  const seen = new Set<string>();
  for (let frontier: number[][] = [[]]; frontier.length > 0; ) {
    const next: number[][] = [];
    for (const path of frontier) {
      const n = at(path).pending().length;
      if (n === 0) {
        const r = at(path).run();
        if (r.outcome === 'deadlock') return r.steps;
      }
      for (let i = 0; i < n; i++) {
        const fp = at([...path, i]).fingerprint();
        if (!seen.has(fp)) {
          seen.add(fp);
          next.push([...path, i]);
        }
      }
    }
    frontier = next;
  }
  throw new Error('no deadlock reachable');
}

describe('shrinkSchedule', () => {
  it('a shrunk schedule replays strictly to the same deadlock with the same cycle', () => {
    const system = buggy(P4);
    const original = randomRun(system, 1);
    expect(original.outcome).toBe('deadlock');
    const shrunk = shrinkSchedule(system, original.schedule, sameFinding(original));
    const replay = new Simulation(system, { strategy: 'replay', schedule: shrunk.schedule }).run();
    expect(replay.outcome).toBe('deadlock');
    expect(replay.steps).toBe(shrunk.steps);
    expect(replay.schedule).toEqual(shrunk.schedule);
    expect(signatureOf(replay)).toBe(signatureOf(original));
    expect(cycleOf(replay)).toEqual(cycleOf(original));
  });

  it('shrinking never lengthens a schedule, and the list returned is the run it replays (one label per step)', () => {
    for (const [params, strategy, seed] of [
      // burst 5 = pipe + ring + 1: only some schedules deadlock (this seed does).
      [{ pipe: 2, ring: 2, burst: 5, latency: 0 }, 'random', 7],
      [{ pipe: 3, ring: 2, burst: 8, latency: 0 }, 'pct', 2],
      [{ pipe: 1, ring: 4, burst: 10, latency: 0 }, 'fifo', 1],
    ] as const) {
      const system = buggy(params);
      const original = new Simulation(system, { strategy, seed }).run();
      expect(original.outcome).toBe('deadlock');
      const shrunk = shrinkSchedule(system, original.schedule, sameFinding(original));
      expect(shrunk.originalSteps).toBe(original.steps);
      expect(shrunk.steps).toBeLessThanOrEqual(original.steps);
      expect(shrunk.schedule).toHaveLength(shrunk.steps);
      // Shrinking what is already shrunk finds nothing shorter: the search stops at a fixpoint.
      expect(shrinkSchedule(system, shrunk.schedule, sameFinding(original)).steps).toBe(shrunk.steps);
    }
  });

  it('shrinking a pipe=ring=1 burst=4 deadlock reaches the BFS-shortest deadlock (9 steps), computed here', () => {
    const system = buggy({ pipe: 1, ring: 1, burst: 4, latency: 0 });
    const shortest = bfsShortestDeadlock(system);
    expect(shortest).toBe(9);
    const fifo = new Simulation(system).run();
    expect(fifo.steps).toBeGreaterThan(shortest);
    expect(shrinkSchedule(system, fifo.schedule, sameFinding(fifo)).steps).toBe(shortest);
  });

  it('shrinking a pipe=ring=4 burst=10 deadlock gets within 1.2x of 27 steps (the BFS shortest), from fifo and random runs', () => {
    // 27 = 6k + 3 for k = pipe = ring = 4, measured by the BFS above at k = 4 (98,030 states,
    // ~6 min: too slow for a test) and at k = 1, 2, 3 (9, 15, 21 steps). The shortest run:
    // ubd takes the kick (1 step), submits k iocbs (2k) and gets EAGAIN on the next (2:
    // the request, then the reply); the disk serves the k in flight (2k: the request, the
    // service timer); the AIO thread reaps and writes each into the pipe (2k), filling it,
    // and only then does the driver see its EAGAIN and block writing it.
    const system = buggy(P4);
    const fifo = new Simulation(system).run();
    expect(fifo.steps).toBe(48);
    for (const original of [fifo, randomRun(system, 2), randomRun(system, 7)]) {
      expect(original.outcome).toBe('deadlock');
      const shrunk = shrinkSchedule(system, original.schedule, sameFinding(original));
      expect(shrunk.steps).toBeLessThanOrEqual(Math.floor(1.2 * 27));
      expect(shrunk.steps).toBeGreaterThanOrEqual(27);
    }
  });

  it('shrinking is deterministic, and stays within its run budget', () => {
    const system = buggy(P4);
    const original = randomRun(system, 5);
    const a = shrinkSchedule(system, original.schedule, sameFinding(original));
    const b = shrinkSchedule(system, original.schedule, sameFinding(original));
    expect(b).toEqual(a);
    const capped = shrinkSchedule(system, original.schedule, sameFinding(original), { maxRuns: 10 });
    expect(capped.runs).toBeLessThanOrEqual(10);
    expect(capped.steps).toBeLessThanOrEqual(original.steps);
    expect(sameFinding(original)(new Simulation(system, { strategy: 'replay', schedule: capped.schedule }).run())).toBe(true);
  });

  it("a finding that does not reproduce is not 'shrunk': keep false on the original is an error naming what the replay gave", () => {
    const deadlock = randomRun(buggy(P4), 1);
    // The same schedule on the fixed driver completes: that is not the deadlock.
    const fixed = ubdPipeFill.build('fix-sync-error', P4);
    expect(() => shrinkSchedule(fixed, deadlock.schedule, sameFinding(deadlock))).toThrow(FindingNotReproduced);
    expect(() => shrinkSchedule(fixed, deadlock.schedule, sameFinding(deadlock))).toThrow(
      new RegExp(`the schedule \\(${deadlock.schedule.length} labels\\) does not reproduce the finding: replayed, it ends in completed after \\d+ steps`),
    );
  });
});

describe('shrinkParams', () => {
  it('shrinkParams reduces burst/pipe/ring (4/4/10 -> 1/1/2) while keeping the cycle shape, in the 9-step shortest run', () => {
    const original = randomRun(buggy(P4), 1);
    const shrunk = shrinkParams(ubdPipeFill, 'buggy', P4, original.schedule, sameFinding(original));
    // pipe 1, ring 1, burst 2 is S-B3's own example: #1 submitted, #2 gets EAGAIN, the AIO
    // thread fills the one-record pipe with #1's reply before the driver writes the error.
    expect(shrunk.params).toEqual({ pipe: 1, ring: 1, burst: 2, latency: 0 });
    expect(shrunk.changed).toEqual(['pipe', 'ring', 'burst']);
    expect(shrunk.steps).toBe(9);
    const replay = new Simulation(ubdPipeFill.build('buggy', shrunk.params), { strategy: 'replay', schedule: shrunk.schedule }).run();
    expect(replay.outcome).toBe('deadlock');
    expect(cycleOf(replay)).toEqual(cycleOf(original));
  });

  it('shrinkParams refuses a finding that does not reproduce at the given parameters, naming scenario, variant and parameters', () => {
    const original = randomRun(buggy(P4), 1);
    const small = { pipe: 4, ring: 4, burst: 4, latency: 0 };
    expect(() => shrinkParams(ubdPipeFill, 'buggy', small, original.schedule, sameFinding(original))).toThrow(
      /^ubd-pipe-fill buggy \(pipe=4 ring=4 burst=4 latency=0\): the schedule .* ends in completed/,
    );
  });
});
