/**
 * `ubd_intr()` for the driver with per-request buffers (ubd-alloc): raised
 * while the completion pipe is readable, it reads replies until EAGAIN and
 * for each one gives the chunk's aio back — kfree, or up() on the emergency
 * aio's semaphore (B-F2: "released in the interrupt handler when the buffer
 * is freed"). When the last chunk of a request is in, it ends the request and
 * gives back the header; mempool buffers all go back then, so a request in
 * flight holds all of its elements until it ends.
 *
 * Everything it does is legal in interrupt context: kfree, up(),
 * mempool_free never sleep. It does not call the request function (see
 * ubd-alloc: submission happens only in process context).
 */
import { emit, enqueueActions, setup } from 'xstate';
import { bioComplete, free, get, iret, kfree, layerTypes, metric, up, type Effect, type KernelEventOf } from '../src/model/index.js';
import type { UbdAllocReply, UbdBuffer } from './ubd-alloc.js';

export interface UbdAllocIrqInput {
  /** Completion pipe, read non-blocking. */
  readonly pipe: string;
}

/** Replies seen for a request still in flight. */
interface RequestProgress {
  readonly replies: number;
  /** First error (a negative errno), or 0. */
  readonly err: number;
  /** Mempool aios, given back when the request ends. */
  readonly pooled: readonly UbdBuffer[];
}

interface UbdAllocIrqContext extends UbdAllocIrqInput {
  readonly inFlight: Readonly<Record<string, RequestProgress>>;
}

/** The effect that gives a buffer back where it came from. */
function release(b: UbdBuffer): Effect {
  switch (b.from) {
    case 'kmalloc':
      return kfree(b.allocator, b.element);
    case 'emergency':
      return up(b.sem);
    case 'mempool':
      return free(b.pool, b.element);
  }
}

export const ubdAllocIrq = setup({
  types: layerTypes<{ context: UbdAllocIrqContext; input: UbdAllocIrqInput; events: KernelEventOf<UbdAllocReply> }>(),
  actions: {
    readReply: emit(({ context }) => get(context.pipe, { wait: false })),
    /** One chunk is done: free its aio; on the last one, end the request (ubd_finish) and free the rest. */
    endChunk: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'get.ok') return;
      const reply = event.item;
      const data = reply.data;
      const was = context.inFlight[reply.bio] ?? { replies: 0, err: 0, pooled: [] };
      const now: RequestProgress = {
        replies: was.replies + 1,
        err: was.err !== 0 ? was.err : reply.err,
        pooled: data.aio.from === 'mempool' ? [...was.pooled, data.aio] : was.pooled,
      };
      if (data.aio.from !== 'mempool') enqueue.emit(release(data.aio));
      if (now.replies < data.chunks) {
        enqueue.assign({ inFlight: { ...context.inFlight, [reply.bio]: now } });
        return;
      }
      enqueue.emit(bioComplete(reply.bio, { error: now.err === 0 ? 0 : -now.err }));
      enqueue.emit(metric('inFlight', { add: -1 }));
      for (const b of now.pooled) enqueue.emit(release(b));
      enqueue.emit(release(data.header));
      const rest = { ...context.inFlight };
      delete rest[reply.bio];
      enqueue.assign({ inFlight: rest });
    }),
    returnFromInterrupt: emit(iret()),
  },
}).createMachine({
  id: 'ubd-alloc-irq',
  context: ({ input }) => ({ ...input, inFlight: {} }),
  initial: 'idle',
  states: {
    idle: { tags: ['idle'], on: { irq: 'draining' } },
    draining: {
      entry: 'readReply',
      on: {
        'get.ok': { target: 'draining', reenter: true, actions: 'endChunk' },
        'get.eagain': { target: 'idle', actions: 'returnFromInterrupt' },
      },
    },
  },
});
