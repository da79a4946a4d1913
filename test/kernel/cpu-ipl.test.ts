import { describe, expect, it } from 'vitest';
import { Simulation, IPL_BIO, IPL_HIGH, IPL_SOFTBIO, type SystemSpec } from '../../src/index.js';
import { countingHandler, splHolder } from './fixtures.js';

const system = (level: number): SystemSpec => ({
  cpus: [{ name: 'cpu0' }],
  contexts: [
    { name: 'holder', kind: 'thread', cpu: 'cpu0', machine: splHolder, input: { level, hold: 10 } },
    { name: 'irq', kind: 'irq', cpu: 'cpu0', irq: { level: IPL_BIO }, machine: countingHandler },
  ],
  resources: [],
});

describe('CPUs and interrupt priority levels', () => {
  it('an interrupt raised while the CPU is at a higher level waits until the level drops', () => {
    const r = new Simulation(system(IPL_HIGH), { recordTrace: true }).run();
    expect(r.outcome).toBe('completed');
    const irqStep = r.trace!.findIndex((s) => s.label === 'irq.irq');
    const unmaskStep = r.trace!.findIndex((s) => s.effects.some((e) => e.effect === 'spl' && e.subject === '0' && e.status === 'ok'));
    expect(r.metrics.interrupts).toBe(1);
    expect(irqStep).toBeGreaterThan(unmaskStep);
    expect(r.trace![irqStep].time).toBe(10);
  });

  it('an interrupt above the CPU level is taken at once, borrowing the CPU', () => {
    const r = new Simulation(system(IPL_SOFTBIO), { recordTrace: true }).run();
    expect(r.metrics.interrupts).toBe(1);
    const irq = r.trace!.find((s) => s.label === 'irq.irq')!;
    expect(irq.time).toBe(0);
  });
});
