/**
 * Seed 000, S-A1: the synchronous vnd deadlocks on the buffer its caller is
 * allocating; each fix completes on every schedule.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, Simulation, type ScenarioRun } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { vndSelfDeadlock } from '../../scenarios/vnd-self-deadlock.js';

const SEEDS = 1000;
/** Fixes: every schedule of this tiny system differs only in the order of a few deliveries. */
const FIX_SEEDS = 300;
const DEFAULTS = { hiwater: 3, memory: 8, latency: 1 };

/** P -> getblk(F0:ind0) -> held by P: a cycle of one context, in buffer-cache words. */
function expectSelfDeadlock(run: ScenarioRun): void {
  const d = run.result.deadlock!;
  expect(d.shape).toBe('cycle');
  expect(d.nodes.map((n) => [n.id, n.edge])).toEqual([
    ['P', 'waits-for'],
    ['bufcache', 'held-by'],
  ]);
  expect(d.nodes[0]).toMatchObject({ state: '{"getblk":"lockingBuffer"}', detail: 'stack depth 12' });
  expect(run.result.explanation).toMatch(/^deadlock: cycle of 1 context: P \(stack depth 12\) waits for getblk\(F0:ind0\): F0:ind0 is B_BUSY, owned by P in buffer cache bufcache \(.*vnd0:12 \(async write, P completes\).*\); held by P; which closes the cycle\.$/);
}

describe('vnd-self-deadlock buggy: getblk(I) sleeps on I, which its own caller holds (S-A1)', () => {
  it(`P holds I = F0:ind0 and waits for it — a cycle of one context — under fifo and on all ${SEEDS} random seeds`, () => {
    expectSelfDeadlock(runScenario(vndSelfDeadlock, 'buggy', {}, { strategy: 'fifo' }));
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runScenario(vndSelfDeadlock, 'buggy', {}, { strategy: 'random', seed });
      if (r.result.outcome !== 'deadlock') expect.fail(`seed ${seed}: ${r.result.outcome}`);
      if (seed % 97 === 0) expectSelfDeadlock(r);
    }
  });

  it("P's stack at the deadlock is Chuck Silvers' hidden path: getblk -> allocbuf -> buf_trim -> getnewbuf -> bawrite -> vndstrategy -> bmap -> bread -> getblk", () => {
    const sim = new Simulation(vndSelfDeadlock.build('buggy', DEFAULTS));
    expect(sim.run().outcome).toBe('deadlock');
    const p = sim.contexts.find((c) => c.name === 'P')!;
    expect(p.frames.map((f) => f.host.machine.id)).toEqual(['fs-workload', 'bmap', 'bread', 'getblk', 'allocbuf', 'buf_trim', 'getnewbuf', 'bawrite', 'vndstrategy', 'bmap', 'bread', 'getblk']);
  });

  it('the write of D1 (vnd0:12) was started and is stuck in P\'s hands; I was never read', () => {
    const r = runScenario(vndSelfDeadlock, 'buggy', {}, { strategy: 'fifo' });
    expect(r.result.bios.stuck.map((b) => b.bio)).toEqual(['vnd0:12#w1']);
    expect(r.result.bios.stuck[0].where).toMatch(/^in hand of P/);
    expect(r.result.metrics.trimWrites).toBe(1);
  });

  for (const hiwater of [1, 2, 5, 8]) {
    it(`hiwater=${hiwater}: the same one-context cycle whenever D1 heads the LRU queue and the cache is at hiwater`, () => {
      expectSelfDeadlock(runScenario(vndSelfDeadlock, 'buggy', { hiwater, memory: hiwater + 5 }, { strategy: 'fifo' }));
    });
  }

  it('memory = hiwater (buf_malloc finds memory full and drains D1 instead): still P waiting for its own I', () => {
    const r = runScenario(vndSelfDeadlock, 'buggy', { hiwater: 3, memory: 3 }, { strategy: 'fifo' });
    expect(r.result.outcome).toBe('deadlock');
    expect(r.result.deadlock!.nodes.map((n) => [n.id, n.edge])).toEqual([
      ['P', 'waits-for'],
      ['bufcache', 'held-by'],
    ]);
    expect(r.result.explanation).toMatch(/P \(stack depth 12\) waits for getblk\(F0:ind0\): F0:ind0 is B_BUSY, owned by P/);
  });
});

describe('vnd-self-deadlock fixes complete on every schedule, with the hidden dependency exercised', () => {
  for (const variant of ['fix-thread', 'fix-preload-bmap', 'fix-per-vnd-cache'] as const) {
    const ev = vndSelfDeadlock.variants[variant].evidence!.metric;
    it(`${variant}: completes under fifo and on all ${FIX_SEEDS} random seeds, with ${ev} > 0 on every one`, () => {
      const fifo = runScenario(vndSelfDeadlock, variant, {}, { strategy: 'fifo' });
      expect(fifo.result.outcome).toBe('completed');
      expect(fifo.evidence).toBeGreaterThan(0);
      for (let seed = 1; seed <= FIX_SEEDS; seed++) {
        const r = runScenario(vndSelfDeadlock, variant, {}, { strategy: 'random', seed });
        if (r.result.outcome !== 'completed') expect.fail(`seed ${seed}: ${r.result.outcome}: ${r.result.explanation}`);
        if (!(r.evidence! > 0)) expect.fail(`seed ${seed}: ${ev} = ${r.evidence}`);
      }
    });
  }

  it('fix-thread: P\'s allocbuf still starts D1\'s write, but only queues it; the vnd thread maps it through I after P released I', () => {
    const r = runScenario(vndSelfDeadlock, 'fix-thread', {}, { strategy: 'fifo' });
    expect(r.result.metrics).toMatchObject({ trimWrites: 1, vndHandoffs: 1, lowerBufferReadsDuringWrite: 1 });
    expect(r.result.bios).toMatchObject({ submitted: 2, completed: 2, stuck: [] });
  });

  it('fix-preload-bmap: D1 is written while P holds I, and mapping it reads no lower buffer', () => {
    const r = runScenario(vndSelfDeadlock, 'fix-preload-bmap', {}, { strategy: 'fifo' });
    expect(r.result.metrics.trimWrites).toBe(1);
    expect(r.result.metrics.lowerBufferReadsDuringWrite ?? 0).toBe(0);
  });

  it("fix-per-vnd-cache: trimming for I frees a clean lower-FS block and never reaches vnd0's D1", () => {
    const r = runScenario(vndSelfDeadlock, 'fix-per-vnd-cache', {}, { strategy: 'fifo' });
    expect(r.result.metrics.trimWrites ?? 0).toBe(0);
    expect(r.result.resources['bufcache.vnd0']).toContain('LRU vnd0:12;');
    expect(r.result.resources.bufcache).toContain('hiwater 2');
  });

  it('fix-preload-bmap refuses a sparse backing file: a configuration error, exit 2 with the reason', () => {
    expect(() => runScenario(vndSelfDeadlock, 'fix-preload-bmap', { sparse: true })).toThrow(/cannot configure vnd0 on a sparse backing file \(sparse=true\)/);
    let err = '';
    const status = main(['run', 'vnd-self-deadlock', '--variant', 'fix-preload-bmap', '--set', 'sparse=true'], { out: () => {}, err: (t) => void (err += t), errIsTTY: false });
    expect(status).toBe(2);
    expect(err).toMatch(/^biostack: vnd-self-deadlock: fix-preload-bmap cannot configure vnd0 on a sparse backing file/);
  });

  it('a split that leaves a cache without room is refused, naming both shares', () => {
    expect(() => runScenario(vndSelfDeadlock, 'fix-per-vnd-cache', { split: 99 })).toThrow(/split=99 leaves a cache without room: each vnd cache would get hiwater 3 and memory 8, the lower file system's hiwater 0 and memory 0/);
  });
});
