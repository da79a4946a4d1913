import { describe, expect, it } from 'vitest';
import { and, assign, createActor, createMachine, not, setup, stateIn, type AnyStateMachine } from 'xstate';
import { machineSummary, toStatelyJson } from '../../src/report/stately.js';

function isIrq(): boolean {
  return true;
}

/** A vnd-like layer using every way a config can name a guard or an action. */
function vndMachine() {
  return setup({
    types: { context: {} as { inflight: number } },
    guards: { poolHasFree: () => true, pipeHasSpace: () => true, irqsOff: () => false },
    actions: { emitBio: (_, _params: { dir: 'read' | 'write' }) => {} },
    delays: { seekTime: 3 },
  }).createMachine({
    id: 'vnd',
    context: { inflight: 0 },
    initial: 'idle',
    states: {
      idle: {
        tags: ['idle'],
        on: {
          SUBMIT: {
            target: 'io',
            guard: 'poolHasFree',
            actions: [{ type: 'emitBio', params: { dir: 'write' } }, assign({ inflight: ({ context }) => context.inflight + 1 })],
          },
          PROBE: { guard: ({ context }) => context.inflight === 0, actions: () => {} },
          IRQ: { guard: isIrq },
        },
      },
      io: {
        initial: 'seek',
        states: {
          seek: { tags: ['blocked'], after: { seekTime: 'transfer', 50: '#vnd.failed' } },
          transfer: {
            always: { target: 'done', guard: and(['pipeHasSpace', not('irqsOff')]) },
            on: { POLL: { guard: stateIn('#vnd.io.seek') } },
          },
          done: { type: 'final' },
        },
        onDone: 'idle',
      },
      failed: { type: 'final' },
    },
  });
}

/** Studio's import gives the machine no implementations: supply no-ops for every name the JSON uses. */
function fromStatelyJson(json: object): AnyStateMachine {
  const noOps = setup({
    guards: {
      poolHasFree: () => true,
      pipeHasSpace: () => true,
      irqsOff: () => false,
      isIrq: () => true,
      '<inline>': () => true,
    },
    actions: { emitBio: () => {}, '<inline>': () => {} },
    delays: { seekTime: 3 },
  });
  // The JSON is untyped by nature; createMachine checks it at run time.
  return noOps.createMachine(json as Parameters<typeof noOps.createMachine>[0]);
}

describe('toStatelyJson', () => {
  const machine = vndMachine();
  const json = toStatelyJson(machine);
  const states = json.states as Record<string, any>;

  it('survives JSON.stringify and JSON.parse unchanged', () => {
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(JSON.parse(JSON.stringify(json))).toStrictEqual(json);
  });

  it('puts the machine id first', () => {
    expect(Object.keys(json)[0]).toBe('id');
    expect(json.id).toBe('vnd');
    expect(toStatelyJson(createMachine({ initial: 'a', states: { a: {} } })).id).toBe('(machine)');
  });

  it('keeps named guards and parameterised actions as written', () => {
    const submit = states.idle.on.SUBMIT;
    expect(submit.guard).toBe('poolHasFree');
    expect(submit.actions[0]).toEqual({ type: 'emitBio', params: { dir: 'write' } });
  });

  it('names functions: built-in actions by type, inline ones <inline>, declared ones by name', () => {
    expect(states.idle.on.SUBMIT.actions[1]).toEqual({ type: 'xstate.assign' });
    expect(states.idle.on.PROBE).toEqual({ guard: { type: '<inline>' }, actions: { type: '<inline>' } });
    expect(states.idle.on.IRQ.guard).toEqual({ type: 'isIrq' });
  });

  it('keeps the operands of guard combinators', () => {
    expect(states.io.states.transfer.always.guard).toEqual({
      type: 'and',
      guards: ['pipeHasSpace', { type: 'not', guards: ['irqsOff'] }],
    });
    expect(states.io.states.transfer.on.POLL.guard).toEqual({ type: 'stateIn', stateValue: '#vnd.io.seek' });
  });

  it('keeps delayed transitions under their after keys', () => {
    expect(states.io.states.seek.after).toEqual({ seekTime: 'transfer', 50: '#vnd.failed' });
  });

  it('is accepted by createMachine and gives back the same states, events and tags', () => {
    const restored = fromStatelyJson(json);
    expect(machineSummary(restored)).toEqual(machineSummary(machine));
  });

  it('runs once the names it uses are implemented; built-in actions such as assign are not carried', () => {
    const actor = createActor(fromStatelyJson(json)).start();
    actor.send({ type: 'SUBMIT' });
    expect(actor.getSnapshot().value).toEqual({ io: 'seek' });
    expect(actor.getSnapshot().context).toEqual({ inflight: 0 });
    actor.stop();
  });

  it('names an invoked machine by its id', () => {
    const disk = createMachine({ id: 'disk', initial: 'spinning', states: { spinning: {} } });
    const host = createMachine({
      id: 'host',
      initial: 'waiting',
      states: { waiting: { invoke: { src: disk, onDone: 'gone' } }, gone: {} },
    });
    const hostStates = toStatelyJson(host).states as Record<string, any>;
    expect(hostStates.waiting.invoke).toEqual({ src: 'disk', onDone: 'gone' });
  });
});

describe('machineSummary', () => {
  it('lists states by dot path, handled events sorted, and tags', () => {
    expect(machineSummary(vndMachine())).toEqual({
      id: 'vnd',
      states: ['idle', 'io', 'io.seek', 'io.transfer', 'io.done', 'failed'],
      events: ['IRQ', 'POLL', 'PROBE', 'SUBMIT'],
      tags: { idle: ['idle'], 'io.seek': ['blocked'] },
    });
  });
});
