/**
 * Seed 001, S-B2: once the ubd driver drops its queue lock to sleep for
 * memory, a later request can reach the host first; the host applies
 * overlapping writes in its order, and the older data wins.
 */
import { describe, expect, it } from 'vitest';
import { EIO, runScenario, Simulation, type RunOptions, type TraceStep } from '../../src/index.js';
import { resolveParams } from '../../src/scenario/params.js';
import { ubdReorder } from '../../scenarios/ubd-reorder.js';

const SEEDS = 200;

/** Run on a Simulation of our own, to read its sector shadow afterwards. */
function simulate(variant: string, params: Record<string, unknown>, options: RunOptions) {
  const system = ubdReorder.build(variant, resolveParams(ubdReorder, variant, params));
  const sim = new Simulation(system, options);
  return { sim, result: sim.run() };
}

const schedules = (n: number): RunOptions[] => [{ strategy: 'fifo' }, ...Array.from({ length: n }, (_, i): RunOptions => ({ strategy: 'random', seed: i + 1 }))];
const label = (o: RunOptions) => (o.strategy === 'fifo' ? 'fifo' : `seed ${o.seed}`);

/** Bios in the order the trace shows `what` happening to them (`mediaWrite`, `bioComplete`), each once. */
function orderIn(trace: readonly TraceStep[], what: string): string[] {
  const seen: string[] = [];
  for (const s of trace) {
    for (const e of s.effects) {
      const m = e.effect === what ? /^(\S+)/.exec(e.subject ?? '') : null;
      if (m && !seen.includes(m[1])) seen.push(m[1]);
    }
  }
  return seen;
}

describe('ubd-reorder buggy (B-3): B-F1 + B-F2 without sequencing', () => {
  it(`default workload (u1 and u2 each queue two writes to sectors 100-101): some of random seeds 1..${SEEDS} reorder overlapping writes, others complete; the witness names the invariant, both submitters and the step, and replays identically`, () => {
    const outcomes: Record<string, number> = {};
    let witness: ReturnType<typeof runScenario> | undefined;
    let witnessSeed = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runScenario(ubdReorder, 'buggy', {}, { strategy: 'random', seed });
      outcomes[r.result.outcome] = (outcomes[r.result.outcome] ?? 0) + 1;
      if (r.result.outcome === 'violation' && !witness) [witness, witnessSeed] = [r, seed];
    }
    expect(Object.keys(outcomes).sort()).toEqual(['completed', 'violation']);
    const v = witness!.result.violation!;
    expect(v.invariant).toBe('write ordering');
    expect([...v.contexts].sort()).toEqual(['u1', 'u2']);
    expect(witness!.result.explanation).toMatch(
      new RegExp(`^violation of write ordering at step ${v.step}: overlapping writes reached the host out of order: (u\\d#\\d) \\(queued \\d\\w\\w, by u\\d\\) went to the host before (u\\d#\\d) \\(queued \\d\\w\\w, by u\\d\\), both writing sector 10[01]; .*the older data wins \\(silent corruption\\)$`),
    );
    // The allocator's failures come from the seed's own stream: a replay needs the seed as well as the schedule.
    const again = runScenario(ubdReorder, 'buggy', {}, { strategy: 'replay', seed: witnessSeed, schedule: witness!.result.schedule });
    expect(again.result.outcome).toBe('violation');
    expect(again.result.traceHash).toBe(witness!.result.traceHash);
    expect(again.result.violation).toEqual(v);
  });

  it("DOMAIN.md's script, two writes r1 then r2 on sectors 100-101: on a violating seed the host got r2, r1 and the sector holds r1's (older) data", () => {
    let found: ReturnType<typeof simulate> | undefined;
    for (let seed = 1; seed <= SEEDS && !found; seed++) {
      const run = simulate('buggy', { writes: 2 }, { strategy: 'random', seed });
      if (run.result.outcome === 'violation') found = run;
    }
    expect(found).toBeDefined();
    const { sim, result } = found!;
    const [r1, r2] = sim.shadow.queueOrder();
    const sector = Number(/both writing sector (\d+)/.exec(result.violation!.message)![1]);
    expect(sim.shadow.hostOrderAt(sector)).toEqual([r2, r1]);
    expect(sim.shadow.contents(sector)).toEqual({ bio: r1, version: 1 });
    expect(result.violation!.message).toContain(`host order at sector ${sector}: ${r2}, ${r1}; the sector now holds version 1 (${r1}'s data) where version 2 (${r2}'s) belongs`);
  });
});

describe('ubd-reorder fixes keep host order = queue order for overlapping writes', () => {
  for (const variant of ['fix-tickets', 'fix-semaphore']) {
    it(`${variant}, two writes r1 then r2: host order r1, r2 at both sectors and the sectors end with r2's data, under fifo and all ${SEEDS} seeds`, () => {
      for (const o of schedules(SEEDS)) {
        const { sim, result } = simulate(variant, { writes: 2 }, o);
        if (result.outcome !== 'completed') expect.fail(`${label(o)}: ${result.explanation}`);
        const [r1, r2] = sim.shadow.queueOrder();
        for (const sector of [100, 101]) {
          expect(sim.shadow.hostOrderAt(sector)).toEqual([r1, r2]);
          expect(sim.shadow.contents(sector)).toEqual({ bio: r2, version: 2 });
        }
      }
    });
  }

  for (const variant of ['fix-tickets', 'fix-semaphore', 'fix-barriers']) {
    it(`${variant}, default workload: completes under fifo and all ${SEEDS} seeds, every sector written in queue order, and the turn really had to be waited for (${ubdReorder.variants[variant].evidence!.metric} > 0)`, () => {
      for (const o of schedules(SEEDS)) {
        const { sim, result } = simulate(variant, {}, o);
        if (result.outcome !== 'completed') expect.fail(`${label(o)}: ${result.explanation}`);
        const queue = sim.shadow.queueOrder();
        for (const sector of [100, 101]) expect(sim.shadow.hostOrderAt(sector)).toEqual(queue);
        expect(result.metrics[ubdReorder.variants[variant].evidence!.metric]).toBeGreaterThan(0);
      }
    });
  }
});

describe("ubd-reorder barriers (B-F3'): the file system orders what must be ordered", () => {
  it('fix-barriers keeps concurrency: with writes spread over 64 sectors, non-overlapping writes reach the host out of queue order on some seeds, and nothing is flagged', () => {
    let reordered = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { sim, result } = simulate('fix-barriers', { submitters: 4, writes: 40, sectors: 64 }, { strategy: 'random', seed, recordTrace: true });
      if (result.outcome !== 'completed') expect.fail(`seed ${seed}: ${result.explanation}`);
      if (orderIn(result.trace!, 'mediaWrite').join() !== sim.shadow.queueOrder().join()) reordered++;
    }
    expect(reordered).toBeGreaterThan(0);
  });

  it('barriers-unmarked: the same driver and the same writes without the marks reorder overlapping writes on some seeds (a violation), as buggy does', () => {
    let witness: ReturnType<typeof runScenario> | undefined;
    for (let seed = 1; seed <= SEEDS && !witness; seed++) {
      const r = runScenario(ubdReorder, 'barriers-unmarked', {}, { strategy: 'random', seed });
      if (r.result.outcome === 'violation') witness = r;
    }
    expect(witness!.params.barrier).toBe(false);
    expect(witness!.result.violation!.invariant).toBe('write ordering');
    // With the marks, the very same seeds all complete.
    for (let seed = 1; seed <= 50; seed++) expect(runScenario(ubdReorder, 'barriers-unmarked', { barrier: true }, { strategy: 'random', seed }).result.outcome).toBe('completed');
  });
});

describe('ubd-reorder: the checker looks at submission order only', () => {
  it('out-of-order completions are never flagged: fix-tickets runs whose bios complete in another order than they reached the host still complete', () => {
    // Out-of-order completions are rare (a few seeds in a hundred): look until two are seen.
    let outOfOrder = 0;
    for (let seed = 1; seed <= 300 && outOfOrder < 2; seed++) {
      const { result } = simulate('fix-tickets', { submitters: 4, writes: 16, sectors: 4, latency: 0 }, { strategy: 'random', seed, recordTrace: true });
      if (result.outcome !== 'completed') expect.fail(`seed ${seed}: ${result.explanation}`);
      if (orderIn(result.trace!, 'bioComplete').join() !== orderIn(result.trace!, 'mediaWrite').join()) outOfOrder++;
    }
    expect(outOfOrder).toBeGreaterThan(0);
  });
});

describe('ubd-reorder ticket-leak (B-F3 hazard)', () => {
  for (const [submitters, writes] of [
    [2, 4],
    [3, 12],
  ]) {
    it(`submitters=${submitters} writes=${writes}: the first io_submit fails and its request returns without advancing submitted — an orphaned wait on counter ubd.seq naming the ticket, never a cycle, under fifo and all ${SEEDS} seeds`, () => {
      for (const o of schedules(SEEDS)) {
        const r = runScenario(ubdReorder, 'ticket-leak', { submitters, writes }, o);
        if (r.result.outcome !== 'deadlock') expect.fail(`${label(o)}: ${r.result.outcome}`);
        const d = r.result.deadlock!;
        expect(d.shape).toBe('orphan');
        expect(d.nodes.some((n) => n.kind === 'resource' && n.id === 'ubd.seq')).toBe(true);
        expect(r.result.explanation).toMatch(/^deadlock: orphaned wait: u\d \(stack depth 2\) waits for ticket \d+ in counter ubd\.seq \(value 0, /);
        expect(r.result.metrics['faults.ioSubmit']).toBe(1);
      }
    });
  }

  it('fix-tickets with the same host error completes: the failed request ends with EIO and the next one goes on', () => {
    const system = ubdReorder.build('fix-tickets', resolveParams(ubdReorder, 'fix-tickets', {}));
    for (let seed = 1; seed <= 50; seed++) {
      const r = new Simulation({ ...system, faults: [{ at: 'ioSubmit', errno: EIO, nth: [1] }] }, { strategy: 'random', seed }).run();
      expect(r.outcome).toBe('completed');
      expect(r.bios).toMatchObject({ submitted: 4, completed: 4, failed: 1 });
    }
  });
});
