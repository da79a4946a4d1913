/**
 * `aio_thread()` of arch/um/os-Linux/aio.c: a host thread that loops
 * io_getevents(ctx, 1, 1) and writes one reply per completion into the pipe
 * back to UML, with a *blocking* write. When the pipe is full it sleeps in
 * that write holding the reply it reaped, and stops reaping: completions pile
 * up in the AIO ring until io_submit returns EAGAIN (DOMAIN.md B-4 steps 3-4).
 * The reply carries the iocb's `data` back to the driver, as the real reply
 * carries the aio pointer.
 */
import { assign, emit, setup } from 'xstate';
import { ioGetevents, layerTypes, put, type IoEvent, type KernelEvent } from '../src/model/index.js';
import type { UbdReply } from './ubd.js';

export interface AioCompletionInput {
  readonly ring: string;
  readonly pipe: string;
}

interface AioCompletionContext extends AioCompletionInput {
  readonly inHand: UbdReply | null;
}

export const aioCompletion = setup({
  types: layerTypes<{ context: AioCompletionContext; input: AioCompletionInput; events: KernelEvent }>(),
  actions: {
    getEvents: emit(({ context }) => ioGetevents(context.ring, { min: 1, max: 1 })),
    holdReply: assign({
      inHand: ({ event }) => {
        if (event.type !== 'ioGetevents.ok') return null;
        const ev: IoEvent = event.events[0];
        const reply: UbdReply = { bio: ev.iocb.bio, iocb: ev.iocb.id, err: ev.res < 0 ? ev.res : 0 };
        return ev.iocb.data === undefined ? reply : { ...reply, data: ev.iocb.data };
      },
    }),
    writeReply: emit(({ context }) => put(context.pipe, context.inHand, { ack: true })),
    dropReply: assign({ inHand: null }),
  },
}).createMachine({
  id: 'aio-completion',
  context: ({ input }) => ({ ...input, inHand: null }),
  initial: 'reaping',
  states: {
    reaping: {
      tags: ['idle'],
      entry: 'getEvents',
      on: { 'ioGetevents.ok': { target: 'writingReply', actions: 'holdReply' } },
    },
    writingReply: {
      tags: ['blocked'],
      entry: 'writeReply',
      on: { 'put.ok': { target: 'reaping', actions: 'dropReply' } },
    },
  },
});
