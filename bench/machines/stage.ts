/**
 * One pipeline stage (peers/README.md §1): take a bio from its inbox, serve it
 * for `base + xs32 % 3` ticks, pass it on. Stage 4 is the sink: it completes
 * the bio instead, so the kernel's ledger timestamps it.
 *
 * The put to the next inbox is blocking and un-acked: when the inbox is full
 * the kernel parks this context still holding the bio, and the `get` that
 * `waiting` emits on entry waits behind it, as the code after a blocking
 * write(2) would. That is the model's "blocked holding the bio", at no extra
 * XState delivery.
 */
import { assign, emit, setup } from 'xstate';
import type { Effect, KernelEvent } from '../../src/index.js';
import { xs32, type PipelineItem } from '../pipeline-model.js';

export interface StageInput {
  readonly inbox: string;
  /** Next stage's inbox, or null for the sink. */
  readonly next: string | null;
  readonly base: number;
  readonly seed: number;
}

interface StageContext extends StageInput {
  /** This stage's xorshift32 state. */
  readonly rng: number;
  readonly item: PipelineItem | null;
}

export const stage = setup({
  types: {} as { context: StageContext; input: StageInput; events: KernelEvent; emitted: Effect },
  actions: {
    take: emit(({ context }) => ({ type: 'get' as const, chan: context.inbox })),
    // One assign for both: the stream advances exactly once per bio served.
    accept: assign(({ context, event }) => ({
      item: event.type === 'get.ok' ? (event.item as PipelineItem) : null,
      rng: xs32(context.rng),
    })),
    // `item` is not cleared afterwards: `waiting` never reads it, and an extra assign per hop is pure cost.
    pass: emit(({ context }): Effect => {
      const item = context.item!;
      return context.next === null ? { type: 'bioComplete', bio: item.bio } : { type: 'put', chan: context.next, item };
    }),
  },
  delays: {
    // Read after `accept`, so it sees the advanced stream (the model draws at service start).
    service: ({ context }) => context.base + (context.rng % 3),
  },
}).createMachine({
  id: 'pipeline-stage',
  context: ({ input }) => ({ ...input, rng: input.seed, item: null }),
  initial: 'waiting',
  states: {
    waiting: {
      tags: ['idle'],
      entry: 'take',
      on: { 'get.ok': { target: 'serving', actions: 'accept' } },
    },
    serving: {
      after: { service: { target: 'waiting', actions: 'pass' } },
    },
  },
});
