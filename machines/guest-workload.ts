/**
 * A guest process doing I/O in bursts, as a kernel build does: it plugs the
 * queue, queues `burst` requests, and unplugs (kicks the driver), so that the
 * driver sees them all in one run with interrupts off. Each request carries a
 * new bio, named `<prefix>#<n>` (creator + sequence, so ids are canonical).
 */
import { assign, enqueueActions, setup } from 'xstate';
import { bioSubmit, layerTypes, put, up, type KernelEvent } from '../src/model/index.js';

export interface GuestWorkloadInput {
  readonly queue: string;
  readonly kick: string;
  readonly burst: number;
  readonly prefix?: string;
}

interface GuestContext extends Required<GuestWorkloadInput> {
  readonly queued: number;
}

export const guestWorkload = setup({
  types: layerTypes<{ context: GuestContext; input: GuestWorkloadInput; events: KernelEvent }>(),
  guards: {
    moreToQueue: ({ context }) => context.queued < context.burst,
  },
  actions: {
    queueNextBio: enqueueActions(({ context, enqueue }) => {
      const bio = `${context.prefix}#${context.queued + 1}`;
      enqueue.emit(bioSubmit(bio));
      enqueue.emit(put(context.queue, { bio, op: 'write', sector: 8 * context.queued }));
    }),
    countQueued: assign({ queued: ({ context }) => context.queued + 1 }),
    unplug: enqueueActions(({ context, enqueue }) => enqueue.emit(up(context.kick))),
  },
}).createMachine({
  id: 'guest-workload',
  context: ({ input }) => ({ prefix: 'guest', ...input, queued: 0 }),
  initial: 'plugging',
  states: {
    plugging: {
      always: [{ guard: 'moreToQueue', actions: ['queueNextBio', 'countQueued'] }, { target: 'done', actions: 'unplug' }],
    },
    done: { type: 'final' },
  },
});
