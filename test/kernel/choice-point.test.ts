/**
 * Randomness in a model is a choice point (DESIGN.md): a `draw` offers the
 * scheduler one candidate per option. These tests fail on the kernel before
 * choice points existed: `draw` was an unknown effect, and a model's own
 * random stream (the allocator's) was invisible to DFS and to replay.
 */
import { describe, expect, it } from 'vitest';
import { allSchedules } from '../schedule-tree.js';
import { emit, enqueueActions, setup } from 'xstate';
import { ModelError, Simulation, type Effect, type KernelEvent, type SystemSpec } from '../../src/index.js';
import { exhaust } from '../../src/explore/exhaustive.js';
import { scripted } from './fixtures.js';

/**
 * Submits a bio and draws its fate: `ok` completes it after `svc` ticks (a
 * second draw), `lost` ends without completing it — a witness that exists
 * only for one draw.
 */
const drawer = setup({
  types: {} as {
    context: { bio: string; fates: readonly string[]; svc: readonly number[]; weights?: readonly number[] };
    input: { bio: string; fates: readonly string[]; svc: readonly number[]; weights?: readonly number[] };
    events: KernelEvent;
    emitted: Effect;
  },
}).createMachine({
  id: 'drawer',
  context: ({ input }) => input,
  initial: 'drawingFate',
  states: {
    drawingFate: {
      entry: enqueueActions(({ context, enqueue }) => {
        enqueue.emit({ type: 'bioSubmit', bio: context.bio });
        enqueue.emit({ type: 'draw', point: 'fate', options: context.fates, ...(context.weights ? { weights: context.weights } : {}) });
      }),
      on: {
        'draw.ok': [
          { guard: ({ event }) => event.value === 'lost', target: 'lost' },
          { target: 'drawingService' },
        ],
      },
    },
    drawingService: {
      entry: emit(({ context }) => ({ type: 'draw' as const, point: 'svc', options: context.svc })),
      on: { 'draw.ok': { target: 'done', actions: emit(({ context }) => ({ type: 'bioComplete' as const, bio: context.bio })) } },
    },
    lost: { type: 'final' },
    done: { type: 'final' },
  },
});

function system(fates: readonly string[], svc: readonly number[], weights?: readonly number[]): SystemSpec {
  return { cpus: [], resources: [], contexts: [{ name: 'd', kind: 'device', machine: drawer, input: { bio: 'd#1', fates, svc, weights } }] };
}


describe('a draw is a choice point the scheduler makes', () => {
  it('offers one candidate per option, labelled with the point and the value, and fifo takes the first option', () => {
    const sim = new Simulation(system(['ok', 'lost'], [1, 2, 3]));
    expect(sim.pending().map((c) => c.label)).toEqual(['d.choose:fate=ok', 'd.choose:fate=lost']);
    const r = new Simulation(system(['ok', 'lost'], [1, 2, 3])).run();
    expect(r.outcome).toBe('completed');
    // Each choice is a step, and its `draw.ok` a reply delivered after it.
    expect(r.schedule).toEqual(['d.choose:fate=ok', 'd.reply', 'd.choose:svc=1', 'd.reply']);
  });

  it('DFS enumerates every draw: 1 + 3 leaves for fates ok/lost and service times 1..3, and its state count grows with the options', () => {
    const all = allSchedules(new Simulation(system(['ok', 'lost'], [1, 2, 3])));
    expect(all).toEqual([
      ['d.choose:fate=ok', 'd.reply', 'd.choose:svc=1', 'd.reply'],
      ['d.choose:fate=ok', 'd.reply', 'd.choose:svc=2', 'd.reply'],
      ['d.choose:fate=ok', 'd.reply', 'd.choose:svc=3', 'd.reply'],
      ['d.choose:fate=lost', 'd.reply'],
    ]);
    const one = exhaust(system(['ok'], [1]), { mode: 'dfs' });
    const many = exhaust(system(['ok', 'lost'], [1, 2, 3]), { mode: 'dfs' });
    expect(one.exhausted && many.exhausted).toBe(true);
    expect(many.states).toBeGreaterThan(one.states);
    expect(many.transitions).toBeGreaterThan(one.transitions);
    // The lost fate is a finding only DFS over the draw can reach: an open bio nobody will complete.
    expect(many.findings.map((f) => [f.outcome, f.schedule])).toEqual([['deadlock', ['d.choose:fate=lost', 'd.reply']]]);
    expect(one.findings).toEqual([]);
  });

  it('a replay of a witness found by a random strategy reproduces it, the draw named in its schedule', () => {
    let witness: ReturnType<Simulation['run']> | undefined;
    for (let seed = 1; seed <= 50 && witness === undefined; seed++) {
      const r = new Simulation(system(['ok', 'lost'], [1, 2, 3]), { strategy: 'random', seed }).run();
      if (r.outcome === 'deadlock') witness = r;
    }
    expect(witness).toBeDefined();
    expect(witness!.schedule).toContain('d.choose:fate=lost');
    expect(witness!.explanation).toMatch(/orphaned wait.*d#1/);
    const again = new Simulation(system(['ok', 'lost'], [1, 2, 3]), { strategy: 'replay', schedule: witness!.schedule }).run();
    expect(again.outcome).toBe('deadlock');
    expect(again.traceHash).toBe(witness!.traceHash);
  });

  it('random strategies draw by the declared weights (9:1 gives ok in about 90% of seeds)', () => {
    let ok = 0;
    const runs = 400;
    for (let seed = 1; seed <= runs; seed++) {
      const r = new Simulation(system(['ok', 'lost'], [1], [9, 1]), { strategy: 'random', seed }).run();
      if (r.outcome === 'completed') ok++;
    }
    expect(ok / runs).toBeGreaterThan(0.85);
    expect(ok / runs).toBeLessThan(0.95);
    for (let seed = 1; seed <= 100; seed++) if (new Simulation(system(['ok', 'lost'], [1], [9, 1]), { strategy: 'pct', seed }).run().outcome !== 'completed') return;
    throw new Error('pct never drew the 1-in-10 option in 100 seeds');
  });

  it('a clone taken at a choice point continues exactly as the original', () => {
    const sim = new Simulation(system(['ok', 'lost'], [1, 2, 3]), { strategy: 'random', seed: 7 });
    sim.pending();
    const copy = sim.clone();
    expect(copy.fingerprint()).toBe(sim.fingerprint());
    expect(copy.run().traceHash).toBe(sim.run().traceHash);
  });

  it('refuses a choice point offering the same option twice, or a weight that is not > 0, naming the point', () => {
    expect(() => new Simulation(system(['ok', 'ok'], [1])).pending()).toThrow(ModelError);
    expect(() => new Simulation(system(['ok', 'ok'], [1])).pending()).toThrow(/choice point 'fate' offers the same option twice/);
    expect(() => new Simulation(system(['ok', 'lost'], [1], [1, 0])).pending()).toThrow(/weights must be one finite number > 0 per option \(2\), got \[1, 0\]/);
  });
});

describe('an allocator failure under failP pressure is a choice point, not a private random stream', () => {
  const kmallocOnce: SystemSpec = {
    cpus: [],
    resources: [{ kind: 'allocator', name: 'mem', pressure: { failP: 0.3 } }],
    contexts: [{ name: 't', kind: 'thread', machine: scripted, input: { effects: [{ type: 'kmalloc', allocator: 'mem', gfp: 'GFP_ATOMIC' }], awaits: 'kmalloc.ok' } }],
  };

  it('the attempt offers ok and fail (weights 0.7 and 0.3), and the scheduler, not the allocator, decides', () => {
    const sim = new Simulation(kmallocOnce);
    expect(sim.pending().map((c) => [c.label, c.weight])).toEqual([
      ['t.choose:mem:fail=ok', 0.7],
      ['t.choose:mem:fail=fail', 0.3],
    ]);
    const ends = allSchedules(new Simulation(kmallocOnce)).map((path) => {
      const r = new Simulation(kmallocOnce, { strategy: 'replay', schedule: path }).run();
      return [path[0], r.finalStates.t, r.metrics['mem.failures']];
    });
    expect(ends).toEqual([
      ['t.choose:mem:fail=ok', 'exited', 0],
      ['t.choose:mem:fail=fail', 'calling', 1],
    ]);
  });
});
