/**
 * `ubd_intr()`: the ubd interrupt handler, raised while the completion pipe
 * is readable (SIGIO on the pipe's read end). It borrows the CPU of whatever
 * it interrupted, reads replies until EAGAIN, ends each request, and restarts
 * the queue: the 2005 code calls do_ubd_request() at the end of every
 * interrupt; the shipped code (B-F4) restarts only the devices on the restart
 * list.
 */
import { emit, enqueueActions, setup } from 'xstate';
import { bioComplete, get, iret, layerTypes, required, up, type KernelEventOf } from '../src/model/index.js';
import type { UbdReply } from './ubd.js';

export interface UbdIrqInput {
  /** Completion pipe, read non-blocking. */
  readonly pipe: string;
  /** Semaphore that wakes the driver (do_ubd_request). */
  readonly kick: string;
  /** fix-credits: give back one credit per completed request. */
  readonly credits?: string;
  /** fix-nonblocking: restart only the devices on this list. */
  readonly restartList?: string;
}

export const ubdIrq = setup({
  // The pipe carries replies; the restart list device names (only the get.ok counts there, not its item).
  types: layerTypes<{ context: UbdIrqInput; input: UbdIrqInput; events: KernelEventOf<UbdReply | string> }>(),
  guards: {
    restartsFromList: ({ context }) => context.restartList !== undefined,
  },
  actions: {
    readReply: emit(({ context }) => get(context.pipe, { wait: false })),
    /** ubd_finish / end_request: the bio completes, with the reply's error if any. */
    endRequest: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'get.ok') return;
      const reply = event.item;
      if (typeof reply === 'string') throw new Error(`ubd-irq: expected a reply from the pipe, got the restart-list entry '${reply}'`);
      enqueue.emit(bioComplete(reply.bio, { error: -reply.err }));
      if (context.credits !== undefined) enqueue.emit(up(context.credits));
    }),
    readRestartList: emit(({ context }) => get(required(context.restartList, 'ubd-irq: input.restartList'), { wait: false })),
    restartQueue: emit(({ context }) => up(context.kick)),
    returnFromInterrupt: emit(iret()),
  },
}).createMachine({
  id: 'ubd-irq',
  context: ({ input }) => input,
  initial: 'idle',
  states: {
    idle: {
      tags: ['idle'],
      on: { irq: 'draining' },
    },
    draining: {
      entry: 'readReply',
      on: {
        'get.ok': { target: 'draining', reenter: true, actions: 'endRequest' },
        'get.eagain': [
          { guard: 'restartsFromList', target: 'restartingListed' },
          { target: 'idle', actions: ['restartQueue', 'returnFromInterrupt'] },
        ],
      },
    },
    restartingListed: {
      entry: 'readRestartList',
      on: {
        'get.ok': { target: 'restartingListed', reenter: true, actions: 'restartQueue' },
        'get.eagain': { target: 'idle', actions: 'returnFromInterrupt' },
      },
    },
  },
});
