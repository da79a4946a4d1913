import { describe, expect, it } from 'vitest';
import { emit, setup } from 'xstate';
import { Simulation, type Effect, type KernelEvent } from '../../src/index.js';
import { solo } from './fixtures.js';

const completesTwice = setup({ types: {} as { events: KernelEvent; emitted: Effect } }).createMachine({
  id: 'completes-twice',
  initial: 'a',
  states: {
    a: {
      entry: [emit({ type: 'bioSubmit', bio: 'x#1' }), emit({ type: 'bioComplete', bio: 'x#1' }), emit({ type: 'bioComplete', bio: 'x#1' })],
    },
  },
});

const forgets = setup({ types: {} as { events: KernelEvent; emitted: Effect } }).createMachine({
  id: 'forgets',
  initial: 'a',
  states: { a: { entry: emit({ type: 'bioSubmit', bio: 'x#1' }), type: 'final' } },
});

describe('every bio is an obligation', () => {
  it('completing a bio twice is a violation at that step, naming the bio', () => {
    const r = new Simulation(solo(completesTwice, undefined)).run();
    expect(r.outcome).toBe('violation');
    expect(r.violation).toMatchObject({ invariant: 'bio conservation', contexts: ['solo'] });
    expect(r.explanation).toMatch(/bio x#1 completed twice/);
  });

  it('a bio nobody completes is named as stuck when everything stops', () => {
    const r = new Simulation(solo(forgets, undefined)).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.deadlock!.shape).toBe('orphan');
    expect(r.bios.stuck.map((b) => b.bio)).toEqual(['x#1']);
    expect(r.explanation).toMatch(/1 bio is open: x#1/);
  });
});
