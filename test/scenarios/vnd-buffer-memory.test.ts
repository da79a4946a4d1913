/**
 * Seed 000, S-A3: with the vnd thread, "more threads don't help": all buffer
 * memory is in writes queued at the vnd thread, and mapping them needs a
 * buffer. The fixes complete for both shapes.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioRun } from '../../src/index.js';
import { vndBufferMemory } from '../../scenarios/vnd-buffer-memory.js';

const SEEDS = 200;

function nodes(run: ScenarioRun): [string, string][] {
  return run.result.deadlock!.nodes.map((n) => [n.id, n.edge]);
}

/** vnd0-thread -> needbuffer -> only vnd0-thread completes the writes holding the memory. */
function expectThreadWaitsForItself(run: ScenarioRun, sleep: 'getnewbuf' | 'buf_malloc'): void {
  expect(run.result.outcome).toBe('deadlock');
  expect(run.result.deadlock!.shape).toBe('cycle');
  expect(nodes(run)).toEqual([
    ['vnd0-thread', 'waits-for'],
    ['bufcache', 'completes'],
  ]);
  const what = sleep === 'getnewbuf' ? 'a free buffer \\(getnewbuf in buf_trim: AGE and LRU empty' : 'buffer memory \\(buf_malloc: bufmem 2 = memory 2';
  expect(run.result.explanation).toMatch(
    new RegExp(`^deadlock: cycle of 1 context: vnd0-thread \\(stack depth \\d+\\) waits for ${what}.* in buffer cache bufcache \\(.*B_BUSY F0:ind0 \\(locked by vnd0-thread\\), vnd0:12 \\(async write, vnd0-thread completes\\), vnd0:13 \\(async write, vnd0-thread completes\\)\\); only vnd0-thread completes it; which closes the cycle\\.$`),
  );
}

/** A-3b: P -> needbuffer -> vnd0-thread -> getblk(F0:ind0) -> held by P. */
function expectHoldingCycle(run: ScenarioRun, sleep: 'getnewbuf' | 'buf_malloc'): void {
  expect(run.result.outcome).toBe('deadlock');
  expect(nodes(run)).toEqual([
    ['P', 'waits-for'],
    ['bufcache', 'completes'],
    ['vnd0-thread', 'waits-for'],
    ['bufcache', 'held-by'],
  ]);
  const what = sleep === 'getnewbuf' ? 'a free buffer \\(getnewbuf in buf_trim' : 'buffer memory \\(buf_malloc';
  expect(run.result.explanation).toMatch(
    new RegExp(`^deadlock: cycle of 2 contexts: P \\(stack depth \\d+\\) waits for ${what}.*; only vnd0-thread completes it; vnd0-thread \\(stack depth 4\\) waits for getblk\\(F0:ind0\\): F0:ind0 is B_BUSY, owned by P in buffer cache bufcache .*; held by P; which closes the cycle\\.$`),
  );
}

describe('vnd-buffer-memory buggy: the vnd thread sleeps for a buffer only its own queued writes would free (A-3)', () => {
  it(`one-context cycle vnd0-thread -> needbuffer -> vnd0-thread, under fifo and on all ${SEEDS} random seeds`, () => {
    expectThreadWaitsForItself(runScenario(vndBufferMemory, 'buggy', {}, { strategy: 'fifo' }), 'getnewbuf');
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runScenario(vndBufferMemory, 'buggy', {}, { strategy: 'random', seed });
      if (r.result.outcome !== 'deadlock') expect.fail(`seed ${seed}: ${r.result.outcome}`);
      if (seed % 37 === 0) expectThreadWaitsForItself(r, 'getnewbuf');
    }
  });

  it('memory = hiwater: the vnd thread sleeps in buf_malloc at the hard limit instead — the same cycle', () => {
    expectThreadWaitsForItself(runScenario(vndBufferMemory, 'buggy', { memory: 2 }, { strategy: 'fifo' }), 'buf_malloc');
  });

  it('more threads don\'t help: the same deadlock for sc_maxactive 1, 2 (NFS), 8 (local), 64', () => {
    for (const maxActive of [1, 2, 8, 64]) expectThreadWaitsForItself(runScenario(vndBufferMemory, 'buggy', { maxActive }, { strategy: 'fifo' }), 'getnewbuf');
  });

  it('the syncer got both writes out of its hands; the bios wait in the vnd thread', () => {
    const r = runScenario(vndBufferMemory, 'buggy', {}, { strategy: 'fifo' });
    expect(r.result.deadlock!.stuckContexts).toEqual(['vnd0-thread']);
    expect(r.result.finalStates.syncer).toBe('exited');
    expect(r.result.bios.stuck.map((b) => b.bio)).toEqual(['vnd0:12#w1', 'vnd0:13#w1']);
  });
});

describe('vnd-buffer-memory buggy-holding: P holds I while it sleeps for a buffer; the vnd thread needs I (A-3b)', () => {
  it(`two-context cycle P -> needbuffer -> vnd0-thread -> getblk(F0:ind0) -> P, under fifo and on all ${SEEDS} random seeds`, () => {
    expectHoldingCycle(runScenario(vndBufferMemory, 'buggy-holding', {}, { strategy: 'fifo' }), 'getnewbuf');
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runScenario(vndBufferMemory, 'buggy-holding', {}, { strategy: 'random', seed });
      if (r.result.outcome !== 'deadlock') expect.fail(`seed ${seed}: ${r.result.outcome}`);
      if (seed % 37 === 0) expectHoldingCycle(r, 'getnewbuf');
    }
  });

  it('memory = hiwater: P sleeps in buf_malloc holding I (DOMAIN.md A-3b exactly) — the same two-context cycle', () => {
    expectHoldingCycle(runScenario(vndBufferMemory, 'buggy-holding', { memory: 2 }, { strategy: 'fifo' }), 'buf_malloc');
  });
});

describe('vnd-buffer-memory fixes complete for both shapes, on every schedule', () => {
  for (const variant of ['fix-preload-bmap', 'fix-per-vnd-cache', 'fix-no-trim-while-locked'] as const) {
    for (const shape of ['plain', 'holding'] as const) {
      const ev = vndBufferMemory.variants[variant].evidence!.metric;
      it(`${variant} shape=${shape}: completes under fifo and on all ${SEEDS} random seeds, with ${ev} > 0 on every one`, () => {
        const fifo = runScenario(vndBufferMemory, variant, { shape }, { strategy: 'fifo' });
        expect(fifo.result.outcome).toBe('completed');
        for (let seed = 1; seed <= SEEDS; seed++) {
          const r = runScenario(vndBufferMemory, variant, { shape }, { strategy: 'random', seed });
          if (r.result.outcome !== 'completed') expect.fail(`seed ${seed}: ${r.result.outcome}: ${r.result.explanation}`);
          if (!(r.evidence! > 0)) expect.fail(`seed ${seed}: ${ev} = ${r.evidence}`);
          if (r.result.bios.stuck.length) expect.fail(`seed ${seed}: stuck ${JSON.stringify(r.result.bios.stuck)}`);
        }
      });
    }
  }

  it(`fix-no-trim-while-locked (holding, hiwater 2 < memory 3): bufmem overshoots hiwater, by at most one thread's other locked buffers plus one allocation, on fifo and ${SEEDS} seeds`, () => {
    for (let seed = 0; seed <= SEEDS; seed++) {
      const r = runScenario(vndBufferMemory, 'fix-no-trim-while-locked', {}, seed === 0 ? { strategy: 'fifo' } : { strategy: 'random', seed });
      const { bufmemOvershoot, maxLockedAtAlloc } = r.result.metrics;
      if (!(bufmemOvershoot > 0 && bufmemOvershoot <= maxLockedAtAlloc + 1)) expect.fail(`seed ${seed}: overshoot ${bufmemOvershoot}, locked ${maxLockedAtAlloc}`);
    }
    expect(runScenario(vndBufferMemory, 'fix-no-trim-while-locked', {}, { strategy: 'fifo' }).result.metrics).toMatchObject({ bufmemOvershoot: 1, maxLockedAtAlloc: 0 });
  });

  it('fix-no-trim-while-locked needs memory above hiwater: with memory = hiwater, P still waits for memory holding I — the residual deadlock', () => {
    expectHoldingCycle(runScenario(vndBufferMemory, 'fix-no-trim-while-locked', { memory: 2 }, { strategy: 'fifo' }), 'buf_malloc');
  });

  it('fix-preload-bmap: the vnd thread reads no lower buffer to map the writes', () => {
    for (const shape of ['plain', 'holding'] as const) {
      const r = runScenario(vndBufferMemory, 'fix-preload-bmap', { shape }, { strategy: 'fifo' });
      expect(r.result.metrics.lowerBufferReadsDuringWrite ?? 0).toBe(0);
      expect(r.result.metrics.bmapPreloaded).toBe(2);
    }
  });

  it('fix-preload-bmap refuses a sparse backing file', () => {
    expect(() => runScenario(vndBufferMemory, 'fix-preload-bmap', { sparse: true })).toThrow(/vnd-buffer-memory: fix-preload-bmap cannot configure vnd0 on a sparse backing file/);
  });
});
