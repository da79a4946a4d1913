import { describe, expect, it } from 'vitest';
import { Simulation, type SystemSpec } from '../../src/index.js';
import { ReplayDivergence } from '../../src/kernel/strategy.js';
import { orderChecker, producer } from './fixtures.js';

const fanIn: SystemSpec = {
  cpus: [],
  contexts: [
    { name: 'p1', kind: 'thread', machine: producer, input: { chan: 'box', name: 'p1', count: 6 } },
    { name: 'p2', kind: 'thread', machine: producer, input: { chan: 'box', name: 'p2', count: 6 } },
    { name: 'p3', kind: 'thread', machine: producer, input: { chan: 'box', name: 'p3', count: 6 } },
    { name: 'sink', kind: 'device', machine: orderChecker, mailbox: 'box' },
  ],
  resources: [{ kind: 'channel', name: 'box', capacity: 2 }],
};

describe('strategies choose among channel heads', () => {
  it('per-channel FIFO holds under every strategy and seed: no item overtakes an earlier one from the same sender', () => {
    for (const strategy of ['fifo', 'random', 'pct'] as const) {
      for (let seed = 1; seed <= 50; seed++) {
        const r = new Simulation(fanIn, { strategy, seed }).run();
        expect(r.metrics.received).toBe(18);
        expect(r.metrics.outOfOrder ?? 0).toBe(0);
      }
    }
  });

  it('random and pct explore different interleavings on different seeds', () => {
    for (const strategy of ['random', 'pct'] as const) {
      const schedules = new Set<string>();
      for (let seed = 1; seed <= 20; seed++) schedules.add(new Simulation(fanIn, { strategy, seed }).run().schedule.join(' '));
      expect(schedules.size).toBeGreaterThan(5);
    }
  });

  it('fifo delivers in the order deliveries became pending, whatever the seed', () => {
    const a = new Simulation(fanIn, { strategy: 'fifo', seed: 1 }).run();
    const b = new Simulation(fanIn, { strategy: 'fifo', seed: 99 }).run();
    expect(a.schedule).toEqual(b.schedule);
    // At boot p1's item entered the mailbox before p1's ack was queued, then p2 and p3 did the same.
    expect(a.schedule.slice(0, 3)).toEqual(['sink.mailbox', 'p1.reply', 'sink.mailbox']);
  });

  it('the same seed and strategy give the identical trace', () => {
    for (const strategy of ['random', 'pct'] as const) {
      const a = new Simulation(fanIn, { strategy, seed: 7 }).run();
      const b = new Simulation(fanIn, { strategy, seed: 7 }).run();
      expect(b.schedule).toEqual(a.schedule);
      expect(b.traceHash).toBe(a.traceHash);
    }
  });

  it('replaying a recorded schedule reproduces the run exactly', () => {
    const a = new Simulation(fanIn, { strategy: 'random', seed: 3 }).run();
    const b = new Simulation(fanIn, { strategy: 'replay', schedule: a.schedule }).run();
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.schedule).toEqual(a.schedule);
  });

  it('a schedule that asks for a delivery that is not pending is reported as a divergence, naming the step', () => {
    const a = new Simulation(fanIn, { strategy: 'random', seed: 3 }).run();
    const broken = [...a.schedule];
    broken[4] = 'nobody.reply';
    expect(() => new Simulation(fanIn, { strategy: 'replay', schedule: broken }).run()).toThrow(ReplayDivergence);
    expect(() => new Simulation(fanIn, { strategy: 'replay', schedule: broken }).run()).toThrow(/diverged at step 4: recorded 'nobody.reply'/);
  });
});
