/**
 * Seed 001, S-B3: the 2005 ubd driver writes io_submit's EAGAIN into the
 * completion pipe with a blocking write while interrupts are off.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, Simulation } from '../../src/index.js';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';

const SEEDS = 1000;
const SIZES = [1, 2, 3, 4];

function expectPipeFillCycle(run: ReturnType<typeof runScenario>): void {
  const d = run.result.deadlock!;
  expect(d.shape).toBe('cycle');
  // ubd (interrupts off) -> pipe aio->ubd -> only reader ubd-irq -> cpu uml0 -> held by ubd.
  expect(d.nodes.map((n) => [n.id, n.edge])).toEqual([
    ['ubd', 'waits-for'],
    ['aio->ubd', 'only-reader'],
    ['ubd-irq', 'waits-for'],
    ['cpu uml0', 'held-by'],
  ]);
  expect(d.nodes[0]).toMatchObject({ state: 'writingErrorReply', detail: expect.stringContaining('interrupts off') });
  expect(run.result.explanation).toMatch(/ubd \(interrupts off.*\) waits for space in pipe aio->ubd \(\d+\/\d+ records.*only ubd-irq reads it; ubd-irq waits for the CPU in cpu uml0 .*held by ubd/);
}

describe('ubd-pipe-fill buggy: the pipe-fill deadlock of seed 001', () => {
  for (const pipe of SIZES) {
    for (const ring of SIZES) {
      it(`pipe=${pipe} ring=${ring}: burst ${pipe + ring + 2} (= pipe + ring + 2) deadlocks under fifo and on all ${SEEDS} random seeds, always the same cycle`, () => {
        const params = { pipe, ring, burst: pipe + ring + 2 };
        const fifo = runScenario(ubdPipeFill, 'buggy', params, { strategy: 'fifo' });
        expect(fifo.result.outcome).toBe('deadlock');
        expectPipeFillCycle(fifo);
        for (let seed = 1; seed <= SEEDS; seed++) {
          const r = runScenario(ubdPipeFill, 'buggy', params, { strategy: 'random', seed });
          if (r.result.outcome !== 'deadlock') expect.fail(`seed ${seed}: ${r.result.outcome}`);
          if (seed % 97 === 0) expectPipeFillCycle(r);
        }
      });

      it(`pipe=${pipe} ring=${ring}: burst ${Math.max(pipe, ring)} (= max(pipe, ring)) completes on all ${SEEDS} random seeds`, () => {
        const params = { pipe, ring, burst: Math.max(pipe, ring) };
        for (let seed = 1; seed <= SEEDS; seed++) {
          const r = runScenario(ubdPipeFill, 'buggy', params, { strategy: 'random', seed });
          if (r.result.outcome !== 'completed') expect.fail(`seed ${seed}: ${r.result.outcome}: ${r.result.explanation}`);
          expect(r.result.bios.completed).toBe(params.burst);
        }
      });
    }
  }

  it('the default parameters (pipe 2, ring 2, burst 5 = pipe + ring + 1) complete under fifo but deadlock on some random seeds, not all, and a saved schedule replays to the same outcome', () => {
    expect(runScenario(ubdPipeFill, 'buggy', {}, { strategy: 'fifo' }).result.outcome).toBe('completed');
    const outcomes: Record<string, number> = {};
    let witness: ReturnType<typeof runScenario> | undefined;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runScenario(ubdPipeFill, 'buggy', {}, { strategy: 'random', seed });
      outcomes[r.result.outcome] = (outcomes[r.result.outcome] ?? 0) + 1;
      if (r.result.outcome === 'deadlock' && !witness) witness = r;
    }
    expect(outcomes.deadlock).toBeGreaterThan(0);
    expect(outcomes.completed).toBeGreaterThan(0);
    expect(witness).toBeDefined();
    expectPipeFillCycle(witness!);
    const replay = runScenario(ubdPipeFill, 'buggy', {}, { strategy: 'replay', schedule: witness!.result.schedule });
    expect(replay.result.outcome).toBe('deadlock');
    expect(replay.result.traceHash).toBe(witness!.result.traceHash);
    expect(replay.result.deadlock).toEqual(witness!.result.deadlock);
  });

  it('io_submit and the error write are separate steps: the AIO thread can fill the pipe between them (pipe 1, ring 1, burst 2)', () => {
    // DOMAIN.md S-B3's example: #1 submitted; #2 gets EAGAIN; the disk completes #1 and the AIO
    // thread writes its reply (pipe full) before the driver's error write, which then blocks.
    let found: ReturnType<typeof runScenario> | undefined;
    for (let seed = 1; seed <= 200 && !found; seed++) {
      const r = runScenario(ubdPipeFill, 'buggy', { pipe: 1, ring: 1, burst: 2 }, { strategy: 'random', seed, recordTrace: true });
      if (r.result.outcome === 'deadlock') found = r;
    }
    expect(found).toBeDefined();
    const steps = found!.result.trace!;
    const submitEagain = steps.findIndex((s) => s.effects.some((e) => e.effect === 'ioSubmit' && e.subject === 'guest#2.0' && e.status === 'eagain'));
    const aioFillsPipe = steps.findIndex((s) => s.ctx === 'aio' && s.effects.some((e) => e.effect === 'put' && e.resource === 'aio->ubd' && e.status === 'ok'));
    const errorWrite = steps.findIndex((s) => s.event === 'ioSubmit.eagain');
    expect(submitEagain).toBeGreaterThanOrEqual(0);
    expect(aioFillsPipe).toBeGreaterThan(submitEagain);
    expect(errorWrite).toBeGreaterThan(aioFillsPipe);
    expect(steps[errorWrite].effects).toEqual([{ effect: 'put', resource: 'aio->ubd', status: 'blocked' }]);
  });

  it('the detector sees the same cycle when the run is driven by hand with the Simulation API', () => {
    const sys = ubdPipeFill.build('buggy', { pipe: 2, ring: 2, burst: 6, latency: 0 });
    const r = new Simulation(sys).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.deadlock!.stuckContexts).toEqual(['ubd', 'ubd-irq', 'aio']);
  });
});
