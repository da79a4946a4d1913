/**
 * A guest process writing through ubd: for each write of its script it
 * queues a request (a new bio, `<prefix>#<n>`, announced with the sectors it
 * covers so the sector shadow knows the order the stack promised), then runs
 * the driver's request function itself, as the block layer does on unplug:
 * `call` pushes do_ubd_request as a frame on this process's context. Two
 * processes can therefore be inside the driver at once as soon as it drops
 * its queue lock (seed 001, B-3).
 */
import { assign, enqueueActions, setup } from 'xstate';
import { bioSubmit, call, layerTypes, put, type KernelEvent } from '../src/model/index.js';
import type { UbdWriteRequest } from './ubd-alloc.js';

/** One write of the script. */
export interface GuestWrite {
  readonly sector: number;
  /** Sectors it covers, one per COW chunk. */
  readonly chunks: number;
  readonly barrier?: boolean;
}

export interface GuestWriterInput {
  readonly queue: string;
  readonly prefix: string;
  readonly writes: readonly GuestWrite[];
  /** The request function, a callable machine, and its input. */
  readonly driver: string;
  readonly driverInput: unknown;
  /** Ticks of other work before each write. Default 0. */
  readonly think?: number;
}

interface GuestWriterContext extends Required<GuestWriterInput> {
  readonly written: number;
}

export const guestWriter = setup({
  types: layerTypes<{ context: GuestWriterContext; input: GuestWriterInput; events: KernelEvent }>(),
  guards: {
    allWritten: ({ context }) => context.written >= context.writes.length,
  },
  actions: {
    queueWrite: enqueueActions(({ context, enqueue }) => {
      const w = context.writes[context.written];
      const bio = `${context.prefix}#${context.written + 1}`;
      const req: UbdWriteRequest = { bio, op: 'write', sector: w.sector, chunks: w.chunks, barrier: w.barrier === true };
      enqueue.emit(bioSubmit(bio, { write: { sector: w.sector, count: w.chunks, barrier: req.barrier } }));
      enqueue.emit(put(context.queue, req));
    }),
    /** generic_unplug_device -> q->request_fn, in this process. */
    runRequestFunction: enqueueActions(({ context, enqueue }) => enqueue.emit(call(context.driver, { input: context.driverInput }))),
    countWritten: assign({ written: ({ context }) => context.written + 1 }),
  },
  delays: { think: ({ context }) => context.think },
}).createMachine({
  id: 'guest-writer',
  context: ({ input }) => ({ think: 0, ...input, written: 0 }),
  initial: 'thinking',
  states: {
    thinking: {
      always: { guard: 'allWritten', target: 'done' },
      after: { think: 'writing' },
    },
    writing: {
      tags: ['blocked'],
      entry: ['queueWrite', 'runRequestFunction'],
      on: { 'call.return': { target: 'thinking', actions: 'countWritten' } },
    },
    done: { type: 'final' },
  },
});
