/**
 * Seed 001, S-B3 fixes: each fix must complete on every schedule, and must
 * show that the stress it guards against really happened.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, Simulation } from '../../src/index.js';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';
import { ubd } from '../../machines/ubd.js';

const SEEDS = 1000;
const PIPES = [1, 2, 4, 64];
const RING = 4;

/** A burst that is certain to stress each fix (see the argument in each variant's test name). */
const stressing = {
  // pipe + ring + 1 requests fit (pipe, one in the AIO thread's hand, ring); one more must get EAGAIN.
  'fix-sync-error': (pipe: number) => ({ pipe, ring: RING, burst: pipe + RING + 2 }),
  // credits are given back only by the interrupt handler, which cannot run during the burst.
  'fix-credits': (pipe: number) => ({ pipe, ring: RING, burst: pipe + RING + 2 }),
  // pipe (channel) + 1 (helper's hand) + pipe (reply pipe) fit; one more must get EAGAIN.
  'fix-nonblocking': (pipe: number) => ({ pipe, burst: 2 * pipe + 2 }),
} as const;

describe('ubd-pipe-fill fixes complete on every schedule, under real stress', () => {
  for (const variant of Object.keys(stressing) as (keyof typeof stressing)[]) {
    for (const pipe of PIPES) {
      const params = stressing[variant](pipe);
      it(`${variant} pipe=${pipe} burst=${params.burst}: completes under fifo and on all ${SEEDS} random seeds, with ${ubdPipeFill.variants[variant].evidence!.metric} > 0 on every one`, () => {
        const fifo = runScenario(ubdPipeFill, variant, params, { strategy: 'fifo' });
        expect(fifo.result.outcome).toBe('completed');
        expect(fifo.evidence).toBeGreaterThan(0);
        for (let seed = 1; seed <= SEEDS; seed++) {
          const r = runScenario(ubdPipeFill, variant, params, { strategy: 'random', seed });
          if (r.result.outcome !== 'completed') expect.fail(`seed ${seed}: ${r.result.outcome}: ${r.result.explanation}`);
          if (!(r.evidence! > 0)) expect.fail(`seed ${seed}: no stress evidence`);
          if (r.result.bios.completed !== params.burst || r.result.bios.failed !== 0) expect.fail(`seed ${seed}: bios ${JSON.stringify(r.result.bios)}`);
        }
      });
    }
  }

  it('fix-credits never lets io_submit see EAGAIN (in-flight <= ring)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = runScenario(ubdPipeFill, 'fix-credits', { pipe: 2, ring: 2, burst: 12 }, { strategy: 'random', seed });
      expect(r.result.metrics['aio.ring.eagain']).toBe(0);
      expect(r.result.metrics['aio.ring.maxLevel']).toBeLessThanOrEqual(2);
    }
  });

  it('fix-nonblocking: only the helper ever blocks on the pipe; the driver never does', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = runScenario(ubdPipeFill, 'fix-nonblocking', { pipe: 1, burst: 8 }, { strategy: 'random', seed, recordTrace: true });
      expect(r.result.outcome).toBe('completed');
      const driverBlocked = r.result.trace!.some((s) => s.ctx === 'ubd' && s.effects.some((e) => e.status === 'blocked' && !(e.effect === 'down' && e.resource === 'ubd.kick')));
      expect(driverBlocked).toBe(false);
    }
  });

  it('mutation: with fix-sync-error\'s requeue disabled, the EAGAIN\'d request is lost and the run deadlocks (orphaned bio)', () => {
    const params = { pipe: 2, ring: 2, burst: 6, latency: 0 };
    const system = ubdPipeFill.build('fix-sync-error', params);
    const noRequeue = ubd.provide({ actions: { requeueRequest: () => {} } });
    const mutated = { ...system, contexts: system.contexts.map((c) => (c.name === 'ubd' ? { ...c, machine: noRequeue } : c)) };
    const intact = new Simulation(system).run();
    const broken = new Simulation(mutated).run();
    expect(intact.outcome).toBe('completed');
    expect(broken.outcome).toBe('deadlock');
    expect(broken.deadlock!.shape).toBe('orphan');
    expect(broken.bios.stuck.length).toBeGreaterThan(0);
    expect(broken.explanation).toMatch(/orphaned wait: nothing can run, yet \d+ bios? (is|are) open: guest#\d/);
  });

  it('the same inputs twice give identical results, apart from nothing (no wall clock inside)', () => {
    const a = runScenario(ubdPipeFill, 'fix-credits', { pipe: 4, burst: 20 }, { strategy: 'pct', seed: 11, pctDepth: 3 });
    const b = runScenario(ubdPipeFill, 'fix-credits', { pipe: 4, burst: 20 }, { strategy: 'pct', seed: 11, pctDepth: 3 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
