/**
 * Small test-only machines for the kernel's general behaviour: nothing here
 * is a storage layer; each exists to make one kernel rule observable.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import type { Effect, KernelEvent, SystemSpec } from '../../src/index.js';

/** Takes lock `first`, then (after `hold` ticks) lock `second`, then completes its bio and releases both. */
export const lockPair = setup({
  types: {} as { context: { first: string; second: string; bio: string; hold: number }; input: { first: string; second: string; bio: string; hold?: number }; events: KernelEvent | { type: 'held' }; emitted: Effect },
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
  delays: { hold: ({ context }) => context.hold },
}).createMachine({
  id: 'lock-pair',
  context: ({ input }) => ({ hold: 1, ...input }),
  initial: 'takingFirst',
  states: {
    takingFirst: { tags: ['blocked'], entry: ['submit', 'takeFirst'], on: { 'lock.ok': 'holdingFirst' } },
    holdingFirst: { after: { hold: 'takingSecond' } },
    takingSecond: { tags: ['blocked'], entry: 'takeSecond', on: { 'lock.ok': { target: 'done', actions: 'finish' } } },
    done: { type: 'final' },
  },
});

/** Fires a timer every `period` ticks forever: unrelated work that never stops. */
export const ticker = setup({
  types: {} as { context: { period: number; ticks: number }; input: { period: number }; events: KernelEvent; emitted: Effect },
  delays: { period: ({ context }) => context.period },
}).createMachine({
  id: 'ticker',
  context: ({ input }) => ({ period: input.period, ticks: 0 }),
  initial: 'ticking',
  states: {
    ticking: { tags: ['idle'], after: { period: { target: 'ticking', reenter: true, actions: assign({ ticks: ({ context }) => context.ticks + 1 }) } } },
  },
});

/** Submits a bio, sleeps `sleep` ticks, completes it. A pending timer is not a deadlock. */
export const sleeper = setup({
  types: {} as { context: { bio: string; sleep: number }; input: { bio: string; sleep: number }; events: KernelEvent; emitted: Effect },
  delays: { sleep: ({ context }) => context.sleep },
}).createMachine({
  id: 'sleeper',
  context: ({ input }) => input,
  initial: 'sleeping',
  states: {
    sleeping: {
      entry: emit(({ context }) => ({ type: 'bioSubmit' as const, bio: context.bio })),
      after: { sleep: { target: 'done', actions: emit(({ context }) => ({ type: 'bioComplete' as const, bio: context.bio })) } },
    },
    done: { type: 'final' },
  },
});

/** Waits for ticket `ticket` on `counter`, which nobody advances: an orphaned wait. */
export const ticketWaiter = setup({
  types: {} as { context: { counter: string; ticket: number; bio: string }; input: { counter: string; ticket: number; bio: string }; events: KernelEvent; emitted: Effect },
}).createMachine({
  id: 'ticket-waiter',
  context: ({ input }) => input,
  initial: 'waitingForTurn',
  states: {
    waitingForTurn: {
      tags: ['blocked'],
      entry: enqueueActions(({ context, enqueue }) => {
        enqueue.emit({ type: 'bioSubmit', bio: context.bio });
        enqueue.emit({ type: 'ticketWait', counter: context.counter, ticket: context.ticket });
      }),
      on: { 'ticketWait.ok': { target: 'done', actions: emit(({ context }) => ({ type: 'bioComplete' as const, bio: context.bio })) } },
    },
    done: { type: 'final' },
  },
});

/** Calls itself synchronously `n` times (a frame per call), then returns its depth. */
export const recurse = setup({
  types: {} as { context: { n: number }; input: { n: number }; events: KernelEvent; emitted: Effect; output: { depth: number } },
  guards: { deeper: ({ context }) => context.n > 0 },
}).createMachine({
  id: 'recurse',
  context: ({ input }) => ({ n: input.n }),
  initial: 'deciding',
  states: {
    deciding: { always: [{ guard: 'deeper', target: 'calling' }, { target: 'returning' }] },
    calling: {
      tags: ['blocked'],
      entry: emit(({ context }) => ({ type: 'call' as const, machine: 'recurse', input: { n: context.n - 1 } })),
      on: { 'call.return': 'returning' },
    },
    returning: { type: 'final' },
  },
  output: ({ context }) => ({ depth: context.n }),
});

/** Runs `recurse` as a frame, completes its bio when the call returns (with the callee's output in a metric). */
export const caller = setup({
  types: {} as { context: { n: number }; input: { n: number }; events: KernelEvent; emitted: Effect },
}).createMachine({
  id: 'caller',
  context: ({ input }) => input,
  initial: 'calling',
  states: {
    calling: {
      tags: ['blocked'],
      entry: enqueueActions(({ context, enqueue }) => {
        enqueue.emit({ type: 'bioSubmit', bio: 'caller#1' });
        enqueue.emit({ type: 'call', machine: 'recurse', input: { n: context.n } });
        enqueue.emit({ type: 'metric', name: 'afterCall', add: 1 });
      }),
      on: {
        'call.return': {
          target: 'done',
          actions: enqueueActions(({ event, enqueue }) => {
            enqueue.emit({ type: 'metric', name: 'returned', add: 1 + (event.type === 'call.return' ? (event.output as { depth: number }).depth : -100) });
            enqueue.emit({ type: 'bioComplete', bio: 'caller#1' });
          }),
        },
      },
    },
    done: { type: 'final' },
  },
});

/** One context on one CPU: runs with `spl(level)` for `hold` ticks, then lowers it and completes. */
export const splHolder = setup({
  types: {} as { context: { level: number; hold: number }; input: { level: number; hold: number }; events: KernelEvent; emitted: Effect },
  delays: { hold: ({ context }) => context.hold },
}).createMachine({
  id: 'spl-holder',
  context: ({ input }) => input,
  initial: 'masked',
  states: {
    masked: {
      entry: enqueueActions(({ context, enqueue }) => {
        enqueue.emit({ type: 'bioSubmit', bio: 'holder#1' });
        enqueue.emit({ type: 'spl', level: context.level });
        enqueue.emit({ type: 'raiseIrq', handler: 'irq' });
      }),
      after: {
        hold: {
          target: 'done',
          actions: enqueueActions(({ enqueue }) => {
            enqueue.emit({ type: 'metric', name: 'unmaskedAtStep', add: 1 });
            enqueue.emit({ type: 'spl', level: 0 });
            enqueue.emit({ type: 'bioComplete', bio: 'holder#1' });
          }),
        },
      },
    },
    done: { type: 'final' },
  },
});

/** An interrupt handler that counts how often it ran and returns. */
export const countingHandler = setup({
  types: {} as { context: Record<string, never>; events: KernelEvent; emitted: Effect },
}).createMachine({
  id: 'counting-handler',
  context: {},
  initial: 'idle',
  states: {
    idle: {
      tags: ['idle'],
      on: {
        irq: {
          target: 'idle',
          actions: enqueueActions(({ enqueue }) => {
            enqueue.emit({ type: 'metric', name: 'interrupts', add: 1 });
            enqueue.emit({ type: 'iret' });
          }),
        },
      },
    },
  },
});

/** Polls every `period` ticks forever without ever completing its bio: events, no progress. */
export const poller = setup({
  types: {} as { context: { period: number }; input: { period: number }; events: KernelEvent; emitted: Effect },
  delays: { period: ({ context }) => context.period },
}).createMachine({
  id: 'poller',
  context: ({ input }) => input,
  initial: 'starting',
  states: {
    starting: { entry: emit({ type: 'bioSubmit', bio: 'poller#1' }), always: 'polling' },
    polling: { after: { period: { target: 'polling', reenter: true } } },
  },
});

/** A one-context system, for brevity. */
export function solo(machine: SystemSpec['contexts'][number]['machine'], input: unknown, extra: Partial<SystemSpec> = {}): SystemSpec {
  return { cpus: [], contexts: [{ name: 'solo', kind: 'thread', machine, input }], resources: [], ...extra };
}

/** Puts `count` numbered items into `chan`, each `gap` ticks apart (gap 0: all at once). */
export const producer = setup({
  types: {} as { context: { chan: string; name: string; count: number; sent: number }; input: { chan: string; name: string; count: number }; events: KernelEvent; emitted: Effect },
  guards: { more: ({ context }) => context.sent < context.count },
  actions: {
    send: emit(({ context }) => ({ type: 'put' as const, chan: context.chan, item: { from: context.name, n: context.sent + 1 }, ack: true })),
    count: assign({ sent: ({ context }) => context.sent + 1 }),
  },
}).createMachine({
  id: 'producer',
  context: ({ input }) => ({ ...input, sent: 0 }),
  initial: 'sending',
  states: {
    sending: { tags: ['blocked'], entry: ['send', 'count'], on: { 'put.ok': [{ guard: 'more', target: 'sending', reenter: true }, { target: 'done' }] } },
    done: { type: 'final' },
  },
});

/** Fed from a mailbox: counts items that arrive out of order per sender. */
export const orderChecker = setup({
  types: {} as { context: { last: Record<string, number> }; events: KernelEvent; emitted: Effect },
  actions: {
    check: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'get.ok') return;
      const it = event.item as { from: string; n: number };
      if (it.n !== (context.last[it.from] ?? 0) + 1) enqueue.emit({ type: 'metric', name: 'outOfOrder', add: 1 });
      enqueue.emit({ type: 'metric', name: 'received', add: 1 });
      enqueue.assign({ last: { ...context.last, [it.from]: it.n } });
    }),
  },
}).createMachine({ id: 'order-checker', context: { last: {} }, initial: 'receiving', states: { receiving: { tags: ['idle'], on: { 'get.ok': { actions: 'check' } } } } });

/**
 * A thread that performs `effects` in order, waits for the event named
 * `awaits` (the reply of the last one), then performs `then` and exits. For
 * checks that look at a single call in a chosen situation (spin lock held,
 * interrupts off, ...).
 */
export const scripted = setup({
  types: {} as {
    context: { effects: readonly Effect[]; awaits: string; then: readonly Effect[] };
    input: { effects: readonly Effect[]; awaits: string; then?: readonly Effect[] };
    events: KernelEvent;
    emitted: Effect;
  },
  guards: { isAwaited: ({ context, event }) => event.type === context.awaits },
  actions: {
    perform: enqueueActions(({ context, enqueue }) => context.effects.forEach((e) => enqueue.emit(e))),
    finish: enqueueActions(({ context, enqueue }) => context.then.forEach((e) => enqueue.emit(e))),
  },
}).createMachine({
  id: 'scripted',
  context: ({ input }) => ({ then: [], ...input }),
  initial: 'calling',
  states: {
    calling: { tags: ['blocked'], entry: 'perform', on: { '*': { guard: 'isAwaited', target: 'done', actions: 'finish' } } },
    done: { type: 'final' },
  },
});

/** An interrupt handler that performs `effects`, waits for `awaits`, performs `then` and returns from the interrupt. */
export const scriptedHandler = setup({
  types: {} as {
    context: { effects: readonly Effect[]; awaits: string; then: readonly Effect[] };
    input: { effects: readonly Effect[]; awaits: string; then?: readonly Effect[] };
    events: KernelEvent;
    emitted: Effect;
  },
  guards: { isAwaited: ({ context, event }) => event.type === context.awaits },
  actions: {
    perform: enqueueActions(({ context, enqueue }) => context.effects.forEach((e) => enqueue.emit(e))),
    finish: enqueueActions(({ context, enqueue }) => {
      context.then.forEach((e) => enqueue.emit(e));
      enqueue.emit({ type: 'iret' });
    }),
  },
}).createMachine({
  id: 'scripted-handler',
  context: ({ input }) => ({ then: [], ...input }),
  initial: 'idle',
  states: {
    idle: { tags: ['idle'], on: { irq: 'handling' } },
    handling: { tags: ['blocked'], entry: 'perform', on: { '*': { guard: 'isAwaited', target: 'idle', actions: 'finish' } } },
  },
});

/** Puts two items into `out` without waiting for an ack, then (idle) reads `in`: a thread stuck in a write it never checks. */
export const blindWriter = setup({
  types: {} as { context: { out: string; in: string; bio: string }; input: { out: string; in: string; bio: string }; events: KernelEvent; emitted: Effect },
}).createMachine({
  id: 'blind-writer',
  context: ({ input }) => input,
  initial: 'reading',
  states: {
    reading: {
      tags: ['idle'],
      entry: enqueueActions(({ context, enqueue }) => {
        enqueue.emit({ type: 'bioSubmit', bio: context.bio });
        enqueue.emit({ type: 'put', chan: context.out, item: 1 });
        enqueue.emit({ type: 'put', chan: context.out, item: 2 });
        enqueue.emit({ type: 'get', chan: context.in });
      }),
    },
  },
});
