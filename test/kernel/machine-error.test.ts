/**
 * A machine that throws while it starts (its context factory, an entry
 * action) or on an event (a guard) is a model error naming the machine and
 * the context. XState would otherwise turn the throw into an `error`
 * snapshot and the context would sit, silently, in a state it never entered
 * properly (before this check, the run went on as if nothing had happened).
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { ModelError, Simulation, type SystemSpec } from '../../src/index.js';

const badStart = setup({ types: {} as { input: { n: number } } }).createMachine({
  id: 'bad-start',
  context: ({ input }) => {
    if (input.n < 0) throw new Error(`n must be >= 0, got ${input.n}`);
    return {};
  },
  initial: 'idle',
  states: { idle: { tags: ['idle'] } },
});

describe('a machine that throws is a model error, never a silent error snapshot', () => {
  it('a context factory that rejects its input stops the run at boot, naming the machine, the context and the message', () => {
    const system: SystemSpec = { cpus: [], resources: [], contexts: [{ name: 'd', kind: 'device', machine: badStart, input: { n: -1 } }] };
    expect(() => new Simulation(system).run()).toThrow(ModelError);
    expect(() => new Simulation(system).run()).toThrow("machine 'bad-start' could not start on context 'd' (boot): machine 'bad-start' failed: n must be >= 0, got -1");
  });
});
