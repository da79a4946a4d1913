/**
 * The action readers of biostack/model, on a real machine's pure transitions:
 * effects in emission order, delayed raises as timers, cancels, and actor
 * addressing refused by name.
 */
import { describe, expect, it } from 'vitest';
import { emit, initialTransition, raise, setup, transition } from 'xstate';
import { effectsOf, splitActions, timersOf } from '../../src/model/index.js';

const m = setup({
  types: { emitted: {} as { type: 'bioSubmit'; bio: string } | { type: 'put'; chan: string; item: { bio: string } } },
}).createMachine({
  id: 'probe',
  initial: 'a',
  states: {
    a: {
      entry: [emit({ type: 'bioSubmit', bio: 'p#1' }), emit({ type: 'put', chan: 'q', item: { bio: 'p#1' } })],
      on: { go: 'b' },
    },
    b: { entry: raise({ type: 'tick' }, { delay: 5, id: 't1' }), after: { 7: 'a' } },
  },
});

describe('model action readers', () => {
  it('effectsOf lists the emitted effects in emission order', () => {
    const [, actions] = initialTransition(m);
    expect(effectsOf(actions)).toEqual([{ type: 'bioSubmit', bio: 'p#1' }, { type: 'put', chan: 'q', item: { bio: 'p#1' } }]);
    expect(timersOf(actions)).toEqual([]);
  });

  it('timersOf lists delayed raises (after included) with their delays; leaving the state cancels its after timer', () => {
    const [s0] = initialTransition(m);
    const [s1, actions] = transition(m, s0, { type: 'go' });
    expect(timersOf(actions).map((t) => [t.delay, t.event.type])).toEqual([[5, 'tick'], [7, expect.stringContaining('xstate.after')]]);
    const [, back] = transition(m, s1, { type: 'xstate.after.7.probe.b' });
    expect(splitActions(back).cancels).toEqual([expect.stringContaining('xstate.after.7')]);
  });

  it('an action addressing another actor is named as refused; effects around it are still split', () => {
    const actions = [{ type: 'xstate.emit', params: { event: { type: 'bioSubmit', bio: 'p#2' } } }, { type: 'xstate.sendTo', params: {} }, { type: 'emitBio' }];
    expect(splitActions(actions)).toEqual({ effects: [{ type: 'bioSubmit', bio: 'p#2' }], timers: [], cancels: [], refused: 'xstate.sendTo' });
  });
});
