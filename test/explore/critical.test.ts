/**
 * The critical step of a failing schedule: the first step after which every
 * continuation fails, and before which one still escapes.
 */
import { describe, expect, it } from 'vitest';
import { emit, enqueueActions, setup } from 'xstate';
import { Simulation, type Effect, type KernelEvent, type SystemSpec } from '../../src/index.js';
import { criticalStep } from '../../src/explore/critical.js';
import { continuations, exhaust } from '../../src/explore/exhaustive.js';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';

/**
 * Starts one step late (a zero-delay timer), takes lock `first`, then lock
 * `second`, completes its bio and releases both. Two of them in opposite
 * orders deadlock exactly when each has taken its first lock.
 */
const lockInOrder = setup({
  types: {} as { context: { first: string; second: string; bio: string }; input: { first: string; second: string; bio: string }; events: KernelEvent; emitted: Effect },
  actions: {
    submit: emit(({ context }) => ({ type: 'bioSubmit' as const, bio: context.bio })),
    takeFirst: emit(({ context }) => ({ type: 'lock' as const, lock: context.first })),
    takeSecond: emit(({ context }) => ({ type: 'lock' as const, lock: context.second })),
    finish: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'bioComplete', bio: context.bio });
      enqueue.emit({ type: 'unlock', lock: context.second });
      enqueue.emit({ type: 'unlock', lock: context.first });
    }),
  },
}).createMachine({
  id: 'lock-in-order',
  context: ({ input }) => input,
  initial: 'starting',
  states: {
    starting: { entry: 'submit', after: { 0: 'takingFirst' } },
    takingFirst: { tags: ['blocked'], entry: 'takeFirst', on: { 'lock.ok': 'takingSecond' } },
    takingSecond: { tags: ['blocked'], entry: 'takeSecond', on: { 'lock.ok': { target: 'done', actions: 'finish' } } },
    done: { type: 'final' },
  },
});

const abba: SystemSpec = {
  cpus: [],
  contexts: [
    { name: 'A', kind: 'thread', machine: lockInOrder, input: { first: 'L1', second: 'L2', bio: 'A#1' } },
    { name: 'B', kind: 'thread', machine: lockInOrder, input: { first: 'L2', second: 'L1', bio: 'B#1' } },
  ],
  resources: [
    { kind: 'lock', name: 'L1', flavour: 'sleep' },
    { kind: 'lock', name: 'L2', flavour: 'sleep' },
  ],
};

/** The first seed whose random run of `system` deadlocks. */
function randomDeadlock(system: SystemSpec): readonly string[] {
  for (let seed = 1; ; seed++) {
    const r = new Simulation(system, { strategy: 'random', seed }).run();
    if (r.outcome === 'deadlock') return r.schedule;
  }
}

/** Swap the names of A and B in schedule labels. */
const mirrored = (schedule: readonly string[]): string[] => schedule.map((l) => l.replace(/^([AB])\./, (_, who: string) => (who === 'A' ? 'B.' : 'A.')));

describe('critical step', () => {
  it('ABBA: the point of no return is the step where the second thread takes its first lock while the first holds its own', () => {
    const found = exhaust(abba, { mode: 'dfs' });
    expect(found.findings.map((f) => f.signature)).toEqual(['deadlock:cycle:@L1>A>@L2>B']);
    const schedule = found.findings[0].schedule; // A takes L1, B takes L2, then each asks for the other
    for (const [s, second] of [
      [schedule, 'B'],
      [mirrored(schedule), 'A'],
    ] as const) {
      const c = criticalStep(abba, s);
      expect(c).toMatchObject({ step: 2, label: s[1], exact: true, continuations: 1 });
      expect(c.label.startsWith(`${second}.timer:`)).toBe(true);
      expect(c.note).toMatch(/^step 2 \(.*starting -> takingFirst \(lock L\d: ok\)\) is the point of no return: the only continuation ends in deadlock \(exact/);
      // After step 1 only one thread holds a lock: it can still finish first.
      expect(continuations(abba, s.slice(0, 1), { maxStates: 1000 }).signatures.completed).toBeGreaterThan(0);
    }
  });

  it('a schedule that completes has no critical step: it is refused, naming its outcome', () => {
    let ok = new Simulation(abba, { strategy: 'random', seed: 1 }).run();
    for (let seed = 2; ok.outcome !== 'completed'; seed++) ok = new Simulation(abba, { strategy: 'random', seed }).run();
    expect(() => criticalStep(abba, ok.schedule)).toThrow(/does not fail: it ends 'completed'/);
  });

  it('ubd pipe 2, ring 2, burst 5: every continuation after the critical step deadlocks, and the step before has a completing continuation', () => {
    const system = ubdPipeFill.build('buggy', { pipe: 2, ring: 2, burst: 5, latency: 0 });
    const schedule = randomDeadlock(system);
    const c = criticalStep(system, schedule);
    expect(c.exact).toBe(true);
    expect(c.label).toBe(schedule[c.step - 1]);
    // With interrupts off and the pipe already full, io_submit says EAGAIN: the error write can only block.
    expect(c.note).toMatch(/ioSubmit guest#\d\.0: eagain/);
    const after = continuations(system, schedule.slice(0, c.step), { maxStates: 20_000 });
    expect(after.exhausted).toBe(true);
    expect(after.terminals).toBe(c.continuations);
    expect(after.failing).toBe(after.terminals);
    expect(Object.keys(after.signatures)).toEqual(['deadlock:cycle:@aio->ubd>ubd-irq>@cpu uml0>ubd']);
    const before = continuations(system, schedule.slice(0, c.step - 1), { maxStates: 20_000 });
    expect(before.exhausted).toBe(true);
    expect(before.signatures.completed).toBeGreaterThan(0);
  });

  it('a probe too big to enumerate samples random continuations: not exact, and never later than the exact answer', () => {
    const system = ubdPipeFill.build('buggy', { pipe: 2, ring: 2, burst: 5, latency: 0 });
    const schedule = randomDeadlock(system);
    const exact = criticalStep(system, schedule);
    const sampled = criticalStep(system, schedule, { exactBudget: 1, samples: 50, seed: 3 });
    expect(sampled.exact).toBe(false);
    expect(sampled.continuations).toBe(50);
    expect(sampled.note).toMatch(/all 50 sampled continuations end in deadlock \(sampled, not a proof\)/);
    // A sampled escape is a real one, so sampling can only err early.
    expect(sampled.step).toBeLessThanOrEqual(exact.step);
  });
});
