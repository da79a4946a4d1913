/**
 * Seed 000, S-A3 in its probabilistic form: random writes over a vnd with a
 * periodic syncer deadlock on some schedules only; a witness replays; the
 * fixes never deadlock. (The full-size form, `buggy-full-size`, is judged by
 * `npm start`: a run takes seconds.)
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioRun } from '../../src/index.js';
import { vndRandomWrites } from '../../scenarios/vnd-random-writes.js';

const SEEDS = 1000;
/** Each run of the small form is ~0.1 s; the fixes complete every write, so this many schedules each. */
const FIX_SEEDS = 8;

describe('vnd-random-writes: random writes over a threaded vnd deadlock on some schedules only (S-A3, probabilistic)', () => {
  it(`the small form (memory 20, hiwater 15, 120 writes, syncer every 24 ticks) deadlocks on some seeds of 1..${SEEDS} and completes on others; a witness replays to the same deadlock`, () => {
    let witness: ScenarioRun | undefined;
    let completed: ScenarioRun | undefined;
    for (let seed = 1; seed <= SEEDS && !(witness && completed); seed++) {
      const r = runScenario(vndRandomWrites, 'buggy', {}, { strategy: 'random', seed });
      if (r.result.outcome === 'deadlock') witness ??= r;
      else if (r.result.outcome === 'completed') completed ??= r;
      else expect.fail(`seed ${seed}: ${r.result.outcome}: ${r.result.explanation}`);
    }
    expect(witness, 'no seed deadlocked').toBeDefined();
    expect(completed, 'every seed deadlocked').toBeDefined();
    expect(completed!.result.bios.completed).toBeGreaterThanOrEqual(100);

    // The cycle: the vnd thread waits for a buffer that only the writes queued at it would release.
    const d = witness!.result.deadlock!;
    expect(d.shape).toBe('cycle');
    expect(d.nodes.map((n) => [n.id, n.edge])).toEqual([
      ['vnd0-thread', 'waits-for'],
      ['bufcache', 'completes'],
    ]);
    expect(witness!.result.explanation).toMatch(/vnd0-thread \(stack depth \d+\) waits for (a free buffer \(getnewbuf in buf_trim|buffer memory \(buf_malloc).* in buffer cache bufcache \(.*async write, vnd0-thread completes.*\); only vnd0-thread completes it; which closes the cycle\.$/);
    expect(d.stuckContexts).toContain('vnd0-thread');

    const replay = runScenario(vndRandomWrites, 'buggy', {}, { strategy: 'replay', schedule: witness!.result.schedule });
    expect(replay.result.outcome).toBe('deadlock');
    expect(replay.result.traceHash).toBe(witness!.result.traceHash);
    expect(replay.result.deadlock).toEqual(d);
  });

  for (const variant of ['fix-preload-bmap', 'fix-per-vnd-cache', 'fix-raw-device'] as const) {
    const ev = vndRandomWrites.variants[variant].evidence!.metric;
    it(`${variant}: completes every write under fifo and on random seeds 1..${FIX_SEEDS}, with ${ev} > 0`, () => {
      for (let seed = 0; seed <= FIX_SEEDS; seed++) {
        const r = runScenario(vndRandomWrites, variant, {}, seed === 0 ? { strategy: 'fifo' } : { strategy: 'random', seed });
        if (r.result.outcome !== 'completed') expect.fail(`seed ${seed}: ${r.result.outcome}: ${r.result.explanation}`);
        if (!(r.evidence! > 0)) expect.fail(`seed ${seed}: ${ev} = ${r.evidence}`);
        expect(r.result.bios.stuck).toEqual([]);
      }
    });
  }

  it('fix-raw-device: the writes never enter the buffer cache (no delayed write is ever trimmed); the vnd thread still maps them through the lower cache', () => {
    const r = runScenario(vndRandomWrites, 'fix-raw-device', {}, { strategy: 'fifo' });
    // 120 writes plus the indirect blocks the vnd thread had to read from the disk.
    expect(r.result.bios.completed).toBe(120 + (r.result.metrics.indirectMissesDuringWrite ?? 0));
    expect(r.result.metrics.trimWrites ?? 0).toBe(0);
    expect(r.result.metrics.lowerBufferReadsDuringWrite).toBeGreaterThan(100);
  });
});
