/**
 * The helper I/O thread that replaced host AIO in UML (B-F4,
 * arch/um/drivers/ubd_user.c `io_thread`): reads a request pointer from its
 * channel, does the I/O synchronously (pread/pwrite: here a request to the
 * disk and a wait for its answer), then writes the completion into the pipe
 * back to UML with a blocking write. It may block, but it is not the pipe's
 * reader, so no cycle can close through it.
 */
import { assign, emit, setup } from 'xstate';
import { get, itemOf, layerTypes, put, required, type KernelEventOf } from '../src/model/index.js';
import type { DiskReply } from './disk.js';
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

/** Its two channels: requests from the driver, the disk's answers. */
type HelperItem = UbdRequest | DiskReply;

/** A request from the driver (the disk's answer carries `res`, a request never does). */
function requestOf(item: HelperItem): UbdRequest {
  if ('res' in item) throw new Error(`io-helper: expected a request from the driver, got the disk's answer for ${item.id}`);
  return item;
}

/** The request in hand: set by remember on get.ok, cleared by forget. */
const currentOf = (context: IoHelperContext): UbdRequest => required(context.current, 'io-helper: context.current (no request taken)');

export const ioHelper = setup({
  types: layerTypes<{ context: IoHelperContext; input: IoHelperInput; events: KernelEventOf<HelperItem> }>(),
  actions: {
    readRequest: emit(({ context }) => get(context.requests)),
    remember: assign({ current: ({ event }) => requestOf(itemOf(event)) }),
    startIo: emit(({ context }) => {
      const { bio } = currentOf(context);
      return put(context.diskQueue, { id: `${bio}.0`, bio, replyTo: context.diskDone });
    }),
    awaitIo: emit(({ context }) => get(context.diskDone)),
    writeReply: emit(({ context }) => {
      const { bio } = currentOf(context);
      const reply: UbdReply = { bio, iocb: `${bio}.0`, err: 0 };
      return put(context.pipe, reply, { ack: true });
    }),
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
