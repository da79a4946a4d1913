/**
 * The pipeline's source (peers/README.md §1): submit bio k, put it into
 * inbox0 (blocking while full), then wait `4 + xs32 % 3` ticks.
 *
 * Unlike a stage, the source must know when its put went through: the model
 * starts the gap at admission, not at the attempt (the source does block:
 * 988 times in the inline floor at N = 200,000). So the put is acked: one `put.ok`
 * delivery per bio on top of the gap timer.
 */
import { assign, emit, setup } from 'xstate';
import type { Effect, KernelEvent } from '../../src/index.js';
import { xs32, type PipelineItem } from '../pipeline-model.js';

export interface SourceInput {
  readonly n: number;
  readonly inbox: string;
  readonly seed: number;
}

interface SourceContext extends SourceInput {
  /** Next bio to submit. */
  readonly k: number;
  readonly rng: number;
}

export const source = setup({
  types: {} as { context: SourceContext; input: SourceInput; events: KernelEvent; emitted: Effect },
  actions: {
    submit: emit(({ context }) => ({ type: 'bioSubmit' as const, bio: `src#${context.k}` })),
    put: emit(({ context }): Effect => {
      const item: PipelineItem = { bio: `src#${context.k}`, k: context.k };
      return { type: 'put', chan: context.inbox, item, ack: true };
    }),
    advance: assign(({ context }) => ({ k: context.k + 1, rng: xs32(context.rng) })),
  },
  guards: {
    more: ({ context }) => context.k + 1 < context.n,
  },
  delays: {
    gap: ({ context }) => 4 + (context.rng % 3),
  },
}).createMachine({
  id: 'pipeline-source',
  context: ({ input }) => ({ ...input, k: 0, rng: input.seed }),
  initial: 'submitting',
  states: {
    submitting: {
      tags: ['blocked'],
      entry: ['submit', 'put'],
      on: {
        'put.ok': [{ guard: 'more', target: 'sleeping', actions: 'advance' }, { target: 'done' }],
      },
    },
    sleeping: {
      tags: ['idle'],
      after: { gap: 'submitting' },
    },
    done: { type: 'final' },
  },
});
