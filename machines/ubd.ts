/**
 * The UML ubd driver's request function, `do_ubd_request()` of 2.6.14
 * (arch/um/drivers/ubd_kern.c), run as a kernel thread woken by a kick.
 *
 * Each run takes the queue lock with interrupts off (spin_lock_irq on
 * ubd_io_lock) and submits every queued request to the host, one io_submit
 * per request, as `submit_aio_26()` does. What happens when io_submit returns
 * EAGAIN is the whole story of seed 001 (DOMAIN.md B-4, S-B3):
 *
 * - `buggy` (the 2005 code): the error is written into the completion pipe
 *   with a *blocking* host write, interrupts still off. If the AIO thread has
 *   filled that pipe, nobody can ever drain it: its only reader is our own
 *   interrupt handler, and we hold the CPU.
 * - `fix-sync-error` (B-F5): the error comes back synchronously; the request
 *   is requeued at the head and the run returns, re-enabling interrupts.
 * - `fix-credits` (B-F6): a credit (one per ring slot) is taken before each
 *   io_submit, so EAGAIN cannot happen; without a credit, requeue and return
 *   (waiting for a credit with interrupts off would deadlock the same way).
 * - `fix-nonblocking` (B-F4, what UML shipped): no host AIO; requests go to a
 *   helper thread over an O_NONBLOCK channel; EAGAIN puts the device on the
 *   restart list and the run returns.
 *
 * io_submit and the error write are separate steps, as they are separate host
 * system calls in submit_aio_26(): the AIO thread may fill the pipe between
 * them (that is what makes the deadlock reachable from max(pipe, ring) + 1).
 */
import { assign, emit, setup } from 'xstate';
import { EAGAIN, IPL_HIGH, IPL_NONE, down, get, ioSubmit, itemOf, layerTypes, metric, put, required, spl, type Iocb, type KernelEventOf } from '../src/model/index.js';

export type UbdMode = 'buggy' | 'fix-sync-error' | 'fix-credits' | 'fix-nonblocking';

/** A block request as the guest queued it. */
export interface UbdRequest {
  readonly bio: string;
  readonly op: 'read' | 'write';
  readonly sector: number;
}

/** A record in the completion pipe: `struct aio_thread_reply { data, err }`. */
export interface UbdReply {
  readonly bio: string;
  readonly iocb: string;
  /** 0, or a negative errno. */
  readonly err: number;
  /** The driver's pointer from the iocb (`aio_thread_reply.data`), when it set one. */
  readonly data?: unknown;
}

export interface UbdInput {
  readonly mode: UbdMode;
  /** The device's request queue. */
  readonly queue: string;
  /** Semaphore the driver sleeps on between runs (blk_run_queue's kick). */
  readonly kick: string;
  /** Host AIO context (not used by fix-nonblocking). */
  readonly ring?: string;
  /** Completion pipe (the buggy error write goes here). */
  readonly pipe: string;
  /** fix-credits: semaphore with one credit per ring slot. */
  readonly credits?: string;
  /** fix-nonblocking: channel to the helper I/O thread, and the restart list. */
  readonly toHelper?: string;
  readonly restartList?: string;
}

interface UbdContext extends UbdInput {
  readonly current: UbdRequest | null;
}

const iocbOf = (r: UbdRequest): Iocb => ({ id: `${r.bio}.0`, bio: r.bio, op: r.op, sector: r.sector });

/** The request being submitted: set by rememberRequest on get.ok, cleared by forgetRequest. */
const currentOf = (context: UbdContext): UbdRequest => required(context.current, 'ubd: context.current (no request taken)');

export const ubd = setup({
  types: layerTypes<{ context: UbdContext; input: UbdInput; events: KernelEventOf<UbdRequest> }>(),
  guards: {
    usesCredits: ({ context }) => context.mode === 'fix-credits',
    usesHelper: ({ context }) => context.mode === 'fix-nonblocking',
    errorGoesThroughPipe: ({ context }) => context.mode === 'buggy',
  },
  actions: {
    disableInterrupts: emit(spl(IPL_HIGH)),
    enableInterrupts: emit(spl(IPL_NONE)),
    sleepUntilKicked: emit(({ context }) => down(context.kick)),
    fetchRequest: emit(({ context }) => get(context.queue, { wait: false })),
    rememberRequest: assign({ current: ({ event }) => itemOf(event) }),
    takeCredit: emit(({ context }) => down(required(context.credits, 'ubd: input.credits (fix-credits)'), { wait: false })),
    ioSubmit: emit(({ context }) => ioSubmit(required(context.ring, 'ubd: input.ring'), iocbOf(currentOf(context)))),
    sendToHelper: emit(({ context }) => put(required(context.toHelper, 'ubd: input.toHelper (fix-nonblocking)'), context.current, { wait: false })),
    /** submit_aio_26: `write(aio->reply_fd, &reply, sizeof(reply))`, blocking, on the host. */
    writeErrorReply: emit(({ context }) => {
      const current = currentOf(context);
      const reply: UbdReply = { bio: current.bio, iocb: iocbOf(current).id, err: -EAGAIN };
      return put(context.pipe, reply, { ack: true, host: true });
    }),
    /** blk_requeue_request: back at the head of the queue, in order. */
    requeueRequest: emit(({ context }) => put(context.queue, context.current, { front: true })),
    countRequeue: emit(metric('requeues', { add: 1 })),
    joinRestartList: emit(({ context }) => put(required(context.restartList, 'ubd: input.restartList (fix-nonblocking)'), 'ubd0')),
    countRestart: emit(metric('restarts', { add: 1 })),
    countErrorWrite: emit(metric('errorWrites', { add: 1 })),
    forgetRequest: assign({ current: null }),
  },
}).createMachine({
  id: 'ubd',
  context: ({ input }) => ({ ...input, current: null }),
  initial: 'idle',
  states: {
    idle: {
      tags: ['idle'],
      entry: 'sleepUntilKicked',
      on: { 'down.ok': { target: 'fetchingRequest', actions: 'disableInterrupts' } },
    },
    fetchingRequest: {
      entry: 'fetchRequest',
      on: {
        'get.ok': [
          { guard: 'usesCredits', target: 'takingCredit', actions: 'rememberRequest' },
          { guard: 'usesHelper', target: 'sendingToHelper', actions: 'rememberRequest' },
          { target: 'submitting', actions: 'rememberRequest' },
        ],
        'get.eagain': { target: 'idle', actions: 'enableInterrupts' },
      },
    },
    takingCredit: {
      entry: 'takeCredit',
      on: {
        'down.ok': 'submitting',
        'down.busy': { target: 'idle', actions: ['requeueRequest', 'countRequeue', 'forgetRequest', 'enableInterrupts'] },
      },
    },
    submitting: {
      entry: 'ioSubmit',
      on: {
        'ioSubmit.ok': { target: 'fetchingRequest', actions: 'forgetRequest' },
        'ioSubmit.eagain': [
          { guard: 'errorGoesThroughPipe', target: 'writingErrorReply', actions: 'countErrorWrite' },
          { target: 'idle', actions: ['requeueRequest', 'countRequeue', 'forgetRequest', 'enableInterrupts'] },
        ],
      },
    },
    writingErrorReply: {
      tags: ['blocked'],
      entry: 'writeErrorReply',
      on: { 'put.ok': { target: 'fetchingRequest', actions: 'forgetRequest' } },
    },
    sendingToHelper: {
      entry: 'sendToHelper',
      on: {
        'put.ok': { target: 'fetchingRequest', actions: 'forgetRequest' },
        'put.eagain': { target: 'idle', actions: ['requeueRequest', 'joinRestartList', 'countRestart', 'forgetRequest', 'enableInterrupts'] },
      },
    },
  },
});
