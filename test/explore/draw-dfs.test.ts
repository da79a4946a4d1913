/**
 * A drawn service time is a scheduler choice (DESIGN.md: randomness in models
 * is a choice point): exhaustive DFS enumerates the draws, and a witness that
 * exists only for one draw is found, carried by a replay token and replayed
 * to the same verdict and trace. The stack is ubd-pipe-fill's buggy variant
 * at pipe = ring = 1, burst 2, with its disk drawing each request's service
 * time. These tests fail on the kernel as it was before: there the disk had
 * one fixed latency (it ignored `serviceTimes`), so every count below would
 * be the fixed one and no schedule would name a draw.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, type SystemSpec } from '../../src/index.js';
import { exhaust } from '../../src/explore/exhaustive.js';
import { decodeToken, encodeToken } from '../../src/explore/token.js';
import { modelHash } from '../../src/kernel/model-hash.js';
import { drawText, formatStep } from '../../src/report/trace-text.js';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';
import type { DiskInput } from '../../machines/disk.js';

/** At these parameters and a fixed 3-tick disk, the driver's interrupts-off run always ends before a completion arrives. */
const PARAMS = { pipe: 1, ring: 1, burst: 2, latency: 3 } as const;

/** ubd-pipe-fill buggy with its disk drawing from `serviceTimes` (the first one is what fifo takes). */
function drawing(serviceTimes: readonly number[], serviceWeights?: readonly number[]): SystemSpec {
  const sys = ubdPipeFill.build('buggy', PARAMS);
  const withTimes = (input: unknown): DiskInput => ({ ...(input as DiskInput), serviceTimes, ...(serviceWeights ? { serviceWeights } : {}) });
  return { ...sys, contexts: sys.contexts.map((c) => (c.name === 'disk' ? { ...c, input: withTimes(c.input) } : c)) };
}

describe('DFS over a drawn service time', () => {
  it('enumerates the draws: 37 states with one service time, 80 with 3|1 ticks, 273 with 3|0 and 331 with 3|0|1', () => {
    const counts = [[3], [3, 1], [3, 0], [3, 0, 1]].map((times) => {
      const r = exhaust(drawing(times), { mode: 'dfs' });
      expect(r.exhausted).toBe(true);
      return r.states;
    });
    // One service time is today's fixed latency: no draw, the same space as the plain scenario.
    expect(exhaust(ubdPipeFill.build('buggy', PARAMS), { mode: 'dfs' }).states).toBe(counts[0]);
    expect(counts).toEqual([37, 80, 273, 331]);
  });

  it('finds a deadlock that exists only when a request draws 0 ticks: its completion fills the pipe between io_submit\'s EAGAIN and the driver\'s error write', () => {
    // Every service time 3 (the fixed disk, and every schedule where each draw is 3): never a deadlock.
    expect(exhaust(drawing([3]), { mode: 'dfs' }).findings).toEqual([]);
    expect(exhaust(drawing([3, 1]), { mode: 'dfs' }).findings).toEqual([]);
    const found = exhaust(drawing([3, 0]), { mode: 'dfs' });
    expect(found.findings.map((f) => f.outcome)).toEqual(['deadlock']);
    const f = found.findings[0];
    expect(f.signature).toBe('deadlock:cycle:@aio->ubd>ubd-irq>@cpu uml0>ubd');
    expect(f.schedule).toContain('disk.choose:svc:guest#1.0=0');
    expect(f.schedule.map(drawText).filter((d) => d !== undefined)).toEqual(['disk draws svc=0 for guest#1.0']);
    // The same schedule with that draw taken the other way does not deadlock: the witness depends on the draw.
    const other = f.schedule.map((l) => (l === 'disk.choose:svc:guest#1.0=0' ? 'disk.choose:svc:guest#1.0=3' : l));
    expect(new Simulation(drawing([3, 0]), { strategy: 'replay', schedule: other, lenient: true }).run().outcome).not.toBe('deadlock');
  });

  it('a replay token carries the witness and its draw: encoded, decoded and replayed to the same outcome, explanation and trace hash', () => {
    const sys = drawing([3, 0]);
    const f = exhaust(sys, { mode: 'dfs' }).findings[0];
    const direct = new Simulation(sys, { strategy: 'replay', schedule: f.schedule }).run();
    expect(direct.outcome).toBe('deadlock');
    const token = encodeToken({ scenario: 'ubd-pipe-fill', variant: 'buggy', params: PARAMS, strategy: 'replay', seed: 0, modelHash: modelHash(sys), choices: f.schedule });
    const t = decodeToken(token);
    expect(t.choices).toContain('disk.choose:svc:guest#1.0=0');
    // The token names the model it ran: the drawing disk is another model than the catalogue's fixed one.
    expect(t.modelHash).toBe(modelHash(sys));
    expect(t.modelHash).not.toBe(modelHash(ubdPipeFill.build('buggy', PARAMS)));
    const again = new Simulation(sys, { strategy: 'replay', schedule: t.choices, recordTrace: true }).run();
    expect([again.outcome, again.explanation, again.traceHash]).toEqual([direct.outcome, direct.explanation, direct.traceHash]);
    expect(again.explanation).toMatch(/aio->ubd/);
    // Its story names the draw in words.
    const drew = again.trace!.find((s) => s.label === 'disk.choose:svc:guest#1.0=0')!;
    expect(formatStep(drew)).toMatch(/^#\d+ t=0 disk draws svc=0 for guest#1\.0 {2}serving$/);
  });

  it('random schedules draw by the weights: more seeds deadlock with 0 ticks weighted 49 to 1 than 1 to 49, and fifo (option 0, 3 ticks) never does', () => {
    const deadlocks = (weights: readonly number[]): number => {
      let n = 0;
      for (let seed = 1; seed <= 200; seed++) if (new Simulation(drawing([3, 0], weights), { strategy: 'random', seed }).run().outcome === 'deadlock') n++;
      return n;
    };
    // The draw is only half of it: the completion must also come between io_submit's EAGAIN and the error write.
    const rare = deadlocks([49, 1]);
    const often = deadlocks([1, 49]);
    expect(often).toBeGreaterThan(rare);
    expect(often).toBeGreaterThanOrEqual(3);
    expect(new Simulation(drawing([3, 0])).run().outcome).toBe('completed');
  });
});
