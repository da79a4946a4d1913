/**
 * The helper I/O thread that replaced host AIO in UML (B-F4,
 * arch/um/drivers/ubd_user.c `io_thread`): reads a request pointer from its
 * channel, does the I/O synchronously (pread/pwrite: here a request to the
 * disk and a wait for its answer), then writes the completion into the pipe
 * back to UML with a blocking write. It may block, but it is not the pipe's
 * reader, so no cycle can close through it.
 */
import { assign, emit, setup } from 'xstate';
import type { Effect, KernelEvent } from '../src/model/index.js';
import type { UbdReply, UbdRequest } from './ubd.js';

export interface IoHelperInput {
  /** Channel the driver writes requests into. */
  readonly requests: string;
  /** The disk's queue, and the channel the disk answers on. */
  readonly diskQueue: string;
  readonly diskDone: string;
  /** Completion pipe back to UML. */
  readonly pipe: string;
}

interface IoHelperContext extends IoHelperInput {
  readonly current: UbdRequest | null;
}

export const ioHelper = setup({
  types: {} as { context: IoHelperContext; input: IoHelperInput; events: KernelEvent; emitted: Effect },
  actions: {
    readRequest: emit(({ context }) => ({ type: 'get' as const, chan: context.requests })),
    remember: assign({ current: ({ event }) => (event.type === 'get.ok' ? (event.item as UbdRequest) : null) }),
    startIo: emit(({ context }) => ({ type: 'put' as const, chan: context.diskQueue, item: { id: `${context.current!.bio}.0`, bio: context.current!.bio, replyTo: context.diskDone } })),
    awaitIo: emit(({ context }) => ({ type: 'get' as const, chan: context.diskDone })),
    writeReply: emit(({ context }) => ({
      type: 'put' as const,
      chan: context.pipe,
      item: { bio: context.current!.bio, iocb: `${context.current!.bio}.0`, err: 0 } satisfies UbdReply,
      ack: true,
    })),
    forget: assign({ current: null }),
  },
}).createMachine({
  id: 'io-helper',
  context: ({ input }) => ({ ...input, current: null }),
  initial: 'waitingForRequest',
  states: {
    waitingForRequest: {
      tags: ['idle'],
      entry: 'readRequest',
      on: { 'get.ok': { target: 'doingIo', actions: 'remember' } },
    },
    doingIo: {
      tags: ['blocked'],
      entry: ['startIo', 'awaitIo'],
      on: { 'get.ok': 'writingReply' },
    },
    writingReply: {
      tags: ['blocked'],
      entry: 'writeReply',
      on: { 'put.ok': { target: 'waitingForRequest', actions: 'forget' } },
    },
  },
});
