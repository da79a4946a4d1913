import { describe, expect, it } from 'vitest';
import { Simulation, type SystemSpec } from '../../src/index.js';
import { blindWriter, lockPair, poller, sleeper, solo, ticker, ticketWaiter } from './fixtures.js';

const abba = (withTicker: boolean): SystemSpec => ({
  cpus: [],
  contexts: [
    { name: 'A', kind: 'thread', machine: lockPair, input: { first: 'L1', second: 'L2', bio: 'A#1' } },
    { name: 'B', kind: 'thread', machine: lockPair, input: { first: 'L2', second: 'L1', bio: 'B#1' } },
    ...(withTicker ? [{ name: 'clock', kind: 'thread' as const, machine: ticker, input: { period: 1 } }] : []),
  ],
  resources: [
    { kind: 'lock', name: 'L1', flavour: 'sleep' },
    { kind: 'lock', name: 'L2', flavour: 'sleep' },
  ],
});

describe('the deadlock detector is general, not per scenario', () => {
  it('a pending timer is not a deadlock: a context asleep for 1000 ticks completes', () => {
    const r = new Simulation(solo(sleeper, { bio: 's#1', sleep: 1000 })).run();
    expect(r.outcome).toBe('completed');
    expect(r.time).toBe(1000);
  });

  it('an ABBA lock cycle is a deadlock whose cycle names both contexts and both locks', () => {
    const r = new Simulation(abba(false)).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.deadlock!.shape).toBe('cycle');
    const ids = r.deadlock!.nodes.map((n) => n.id);
    expect(ids).toEqual(['A', 'L2', 'B', 'L1']);
    expect(r.deadlock!.nodes.map((n) => n.edge)).toEqual(['waits-for', 'held-by', 'waits-for', 'held-by']);
    expect(r.explanation).toMatch(/cycle of 2 contexts: A waits for lock in sleep lock L2 .*; held by B; B waits for lock in sleep lock L1 .*; held by A; which closes the cycle/);
  });

  it('the cycle is found while unrelated timers keep firing forever (no step-limit)', () => {
    const r = new Simulation(abba(true), { maxSteps: 100_000 }).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.deadlock!.nodes.map((n) => n.id)).toEqual(['A', 'L2', 'B', 'L1']);
    expect(r.deadlock!.stuckContexts).toEqual(['A', 'B']);
    expect(r.steps).toBeLessThan(2_000);
  });

  it('an orphaned wait is reported as an orphan, not as a fake cycle', () => {
    const sys = solo(ticketWaiter, { counter: 'submitted', ticket: 3, bio: 'w#1' }, { resources: [{ kind: 'counter', name: 'submitted', value: 0 }] });
    const r = new Simulation(sys).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.deadlock!.shape).toBe('orphan');
    expect(r.deadlock!.nodes.map((n) => n.id)).toEqual(['solo', 'submitted']);
    expect(r.explanation).toMatch(/orphaned wait: solo .*waits for ticket 3 in counter submitted.*no live context can ever provide it/);
    expect(r.bios.stuck).toEqual([{ bio: 'w#1', where: 'in hand of solo (waitingForTurn)' }]);
  });

  it('an orphan is still found while unrelated timers fire', () => {
    const sys: SystemSpec = {
      cpus: [],
      contexts: [
        { name: 'waiter', kind: 'thread', machine: ticketWaiter, input: { counter: 'submitted', ticket: 1, bio: 'w#1' } },
        { name: 'clock', kind: 'thread', machine: ticker, input: { period: 5 } },
      ],
      resources: [{ kind: 'counter', name: 'submitted' }],
    };
    const r = new Simulation(sys, { maxSteps: 50_000 }).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.deadlock!.shape).toBe('orphan');
  });

  it('contexts stuck in plain blocking puts are mid-work even when their machine already sits in an idle state: a cycle, not an orphan', () => {
    const sys: SystemSpec = {
      cpus: [],
      contexts: [
        { name: 'A', kind: 'thread', machine: blindWriter, input: { out: 'a->b', in: 'b->a', bio: 'A#1' } },
        { name: 'B', kind: 'thread', machine: blindWriter, input: { out: 'b->a', in: 'a->b', bio: 'B#1' } },
      ],
      resources: [
        { kind: 'channel', name: 'a->b', capacity: 1, readers: ['B'], writers: ['A'] },
        { kind: 'channel', name: 'b->a', capacity: 1, readers: ['A'], writers: ['B'] },
      ],
    };
    const r = new Simulation(sys).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.deadlock!.shape).toBe('cycle');
    expect(r.deadlock!.nodes.map((n) => [n.id, n.edge])).toEqual([
      ['A', 'waits-for'],
      ['a->b', 'only-reader'],
      ['B', 'waits-for'],
      ['b->a', 'only-reader'],
    ]);
  });

  it('events that keep happening without a bio completing are no-progress, not deadlock', () => {
    const r = new Simulation(solo(poller, { period: 5 }), { noProgressSteps: 200 }).run();
    expect(r.outcome).toBe('no-progress');
    expect(r.explanation).toMatch(/200 steps without a bio completing/);
  });

  it('a budget that runs out is step-limit, never silently completed', () => {
    const r = new Simulation(solo(ticker, { period: 1 }), { maxSteps: 50 }).run();
    expect(r.outcome).toBe('step-limit');
    expect(r.steps).toBe(50);
  });
});
