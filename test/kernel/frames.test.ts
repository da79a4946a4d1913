import { describe, expect, it } from 'vitest';
import { Simulation, type SystemSpec } from '../../src/index.js';
import { caller, recurse } from './fixtures.js';

const system = (n: number, stackLimit: number): SystemSpec => ({
  cpus: [],
  contexts: [{ name: 'thread', kind: 'thread', machine: caller, input: { n }, stackLimit }],
  resources: [],
  callable: { recurse },
});

describe('synchronous calls push frames on the caller context', () => {
  it('the caller waits until the callee reaches its final state, then gets call.return with its output', () => {
    const r = new Simulation(system(0, 8)).run();
    expect(r.outcome).toBe('completed');
    // Effects emitted after the call run only once it returned, and the output (depth 0) arrives.
    expect(r.metrics.afterCall).toBe(1);
    expect(r.metrics.returned).toBe(1);
    expect(r.metrics['thread.maxDepth']).toBe(2);
  });

  it('recursion within the limit completes, and stack depth counts frames', () => {
    const r = new Simulation(system(6, 8)).run();
    expect(r.outcome).toBe('completed');
    expect(r.metrics['thread.maxDepth']).toBe(8);
  });

  it('recursion beyond the limit is stack-overflow, with the call chain', () => {
    const r = new Simulation(system(7, 8)).run();
    expect(r.outcome).toBe('stack-overflow');
    expect(r.stackOverflow).toEqual({ context: 'thread', limit: 8, chain: ['caller', ...Array(8).fill('recurse')] });
    expect(r.explanation).toMatch(/stack-overflow on thread: 9 frames > limit 8; call chain: caller -> recurse/);
  });

  it('calling a machine the scenario did not declare callable is a model error naming it', () => {
    const sys: SystemSpec = { ...system(1, 8), callable: {} };
    expect(() => new Simulation(sys).run()).toThrow(/called machine 'recurse', which the scenario does not declare callable/);
  });
});
