/**
 * `do_ubd_request()` with per-request buffers (2.6.14 `arch/um/drivers/ubd_kern.c`
 * with a COW overlay, and Jeff Dike's Sep 2005 patches; seed 001, DOMAIN.md
 * B-1..B-3). It runs as a frame on the context of the process that queued a
 * request (the block layer calls the request function on unplug), takes
 * requests off the queue until it is empty, and for each one needs a header
 * buffer (the COW bitmap) and one aio per chunk — the COW bitmap splits a
 * request into `chunks` pieces, each its own host iocb.
 *
 * The options combine the fixes of the thread:
 * - `holdLock` (2.6.14): the queue spin lock, interrupts off, is held across
 *   allocation and submission. With `buffers: 'GFP_KERNEL'` that is sleeping
 *   in atomic context (B-1).
 * - B-F1 (`holdLock: false`): the lock is dropped after dequeueing, so the
 *   driver may sleep — and other processes may now dequeue later requests.
 * - `buffers`: `GFP_KERNEL` sleeps for memory (B-2: forever, if nothing in
 *   flight will free any); `emergency` (B-F2) tries GFP_ATOMIC and on failure
 *   sleeps on the semaphore guarding a static emergency header or aio, which
 *   the interrupt handler ups when it frees it; `mempool` (the reviewer's
 *   alternative) takes all of a request's buffers from a mempool before
 *   submitting any, so a request in flight holds exactly 1 + chunks elements.
 * - `sequencing` (B-F3): `tickets` (Jeff: `started` taken under the lock at
 *   dequeue, wait until `submitted` reaches it, advance after the last chunk),
 *   `semaphore` (Paolo: one semaphore held from before the dequeue until the
 *   last chunk is submitted), `barriers` (B-F3': only barrier requests wait
 *   for everything before them, and hold back dequeueing until they are
 *   submitted; the rest go as they come).
 * - `leakTicketOnError`: a host submission error returns at once without
 *   advancing `submitted` — every later request waits forever (the leak).
 *
 * Submission never happens in interrupt context here: the interrupt handler
 * only frees buffers and ends requests (ubd-alloc-irq). That is how B-F2's
 * semaphore is made legal — the handler's tail call into the request function
 * would have to `down()` (and, with tickets, wait for its turn) in interrupt
 * context. The other way out, a trylock and a restart from the handler, could
 * not wait for a turn at all, so it does not compose with B-F3.
 *
 * A host submission error is reported the way `submit_aio_26()` does it: an
 * error reply written into the completion pipe with a host write, so every
 * chunk gets exactly one reply.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import {
  EAGAIN,
  IPL_HIGH,
  IPL_NONE,
  alloc,
  down,
  get,
  ioSubmit,
  itemOf,
  kmalloc,
  layerTypes,
  lock,
  metric,
  put,
  required,
  spl,
  ticketAdvance,
  ticketTake,
  ticketWait,
  unlock,
  up,
  type Iocb,
  type KernelEventOf,
} from '../src/model/index.js';
import type { UbdReply } from './ubd.js';

/** A write request as a guest queues it. */
export interface UbdWriteRequest {
  readonly bio: string;
  readonly op: 'write';
  /** First sector; chunk k writes sector + k. */
  readonly sector: number;
  /** Pieces the COW bitmap splits it into: one aio and one host iocb each. */
  readonly chunks: number;
  /** The file system asked for everything queued before it to reach the disk first. */
  readonly barrier: boolean;
}

/** Where a buffer came from, so the interrupt handler can give it back. */
export type UbdBuffer =
  | { readonly from: 'kmalloc'; readonly allocator: string; readonly element: string }
  | { readonly from: 'emergency'; readonly sem: string }
  | { readonly from: 'mempool'; readonly pool: string; readonly element: string };

/** The iocb's `data`: what the completion needs to end the request and free its buffers. */
export interface UbdChunkData {
  readonly chunks: number;
  readonly header: UbdBuffer;
  readonly aio: UbdBuffer;
}

/** A completion-pipe record for a ubd-alloc chunk: its `data` is the chunk's (ubd-alloc-irq reads it). */
export type UbdAllocReply = UbdReply & { readonly data: UbdChunkData };

export interface UbdAllocInput {
  /** 2.6.14: keep the queue lock, interrupts off, across allocation and submission. */
  readonly holdLock: boolean;
  readonly buffers: 'GFP_KERNEL' | 'emergency' | 'mempool';
  readonly sequencing: 'none' | 'tickets' | 'semaphore' | 'barriers';
  readonly leakTicketOnError?: boolean;
  readonly queue: string;
  /** The queue spin lock (`ubd_io_lock`). */
  readonly lock: string;
  readonly ring: string;
  /** Completion pipe, where submission errors are reported. */
  readonly pipe: string;
  readonly allocator: string;
  readonly pool?: string;
  readonly emergencyHeader?: string;
  readonly emergencyAio?: string;
  /** Ticket counter (`tickets`, `barriers`) or semaphore (`semaphore`). */
  readonly seq?: string;
  /** `barriers`: semaphore a barrier holds from before its dequeue until it is submitted. */
  readonly gate?: string;
}

interface UbdAllocContext extends UbdAllocInput {
  readonly req: UbdWriteRequest | null;
  readonly ticket: number;
  readonly header: UbdBuffer | null;
  /** Chunk k's aio is aios[k]. */
  readonly aios: readonly UbdBuffer[];
  /** Chunk being submitted. */
  readonly chunk: number;
}

/** The request in hand: set by rememberRequest on get.ok, cleared by forgetRequest. */
const reqOf = (c: UbdAllocContext): UbdWriteRequest => required(c.req, 'ubd-alloc: context.req (no request taken)');
/** The ticket counter or sequencing semaphore, and the barriers' gate: input only with the sequencing that uses them. */
const seqOf = (c: UbdAllocContext): string => required(c.seq, `ubd-alloc: input.seq (sequencing '${c.sequencing}')`);
const gateOf = (c: UbdAllocContext): string => required(c.gate, `ubd-alloc: input.gate (sequencing '${c.sequencing}')`);
const poolOf = (c: UbdAllocContext): string => required(c.pool, 'ubd-alloc: input.pool (buffers: mempool)');
const emergencyHeaderOf = (c: UbdAllocContext): string => required(c.emergencyHeader, 'ubd-alloc: input.emergencyHeader (buffers: emergency)');
const emergencyAioOf = (c: UbdAllocContext): string => required(c.emergencyAio, 'ubd-alloc: input.emergencyAio (buffers: emergency)');

function iocbOf(c: UbdAllocContext): Iocb {
  const req = reqOf(c);
  const data: UbdChunkData = { chunks: req.chunks, header: required(c.header, 'ubd-alloc: context.header (no header buffer)'), aio: c.aios[c.chunk] };
  return { id: `${req.bio}.${c.chunk}`, bio: req.bio, op: 'write', sector: req.sector + c.chunk, data };
}

const kmallocBuffer = (c: UbdAllocContext, element: string): UbdBuffer => ({ from: 'kmalloc', allocator: c.allocator, element });
const emergencyBuffer = (sem: string): UbdBuffer => ({ from: 'emergency', sem });

export const ubdAlloc = setup({
  types: layerTypes<{ context: UbdAllocContext; input: UbdAllocInput; events: KernelEventOf<UbdWriteRequest> }>(),
  guards: {
    sequencedBySemaphore: ({ context }) => context.sequencing === 'semaphore',
    usesBarriers: ({ context }) => context.sequencing === 'barriers',
    takesTickets: ({ context }) => context.sequencing === 'tickets' || context.sequencing === 'barriers',
    holdsLock: ({ context }) => context.holdLock,
    /** barriers: a request that is not a barrier is not sequenced at all. */
    goesUnsequenced: ({ context }) => context.sequencing === 'barriers' && !reqOf(context).barrier,
    usesMempool: ({ context }) => context.buffers === 'mempool',
    /** The buffer being granted is the request's last one (header first, then one aio per chunk). */
    completesBuffers: ({ context }) => context.header !== null && context.aios.length + 1 >= reqOf(context).chunks,
    moreChunksAllocated: ({ context }) => context.chunk + 1 < context.aios.length,
    moreChunks: ({ context }) => context.chunk + 1 < reqOf(context).chunks,
    leaksTicketOnError: ({ context }) => context.leakTicketOnError === true,
  },
  actions: {
    disableInterrupts: emit(spl(IPL_HIGH)),
    enableInterrupts: emit(spl(IPL_NONE)),
    /** spin_lock_irq(&ubd_io_lock). */
    lockQueue: emit(({ context }) => lock(context.lock)),
    unlockQueue: emit(({ context }) => unlock(context.lock)),
    downSequence: emit(({ context }) => down(seqOf(context))),
    downGate: emit(({ context }) => down(gateOf(context))),
    /** The queue is empty: give back what this run took before its dequeue. */
    leaveSequence: enqueueActions(({ context, enqueue }) => {
      if (context.sequencing === 'semaphore') enqueue.emit(up(seqOf(context)));
      if (context.sequencing === 'barriers') enqueue.emit(up(gateOf(context)));
    }),
    /** elv_next_request + blkdev_dequeue_request. */
    fetchRequest: emit(({ context }) => get(context.queue, { wait: false })),
    rememberRequest: assign({ req: ({ event }) => itemOf(event) }),
    /** ticket = atomic_inc_return(&started) - 1, still under the queue lock: ticket order is dequeue order. */
    takeTicket: emit(({ context }) => ticketTake(seqOf(context))),
    rememberTicket: assign({ ticket: ({ event }) => (event.type === 'ticketTake.ok' ? event.ticket : -1) }),
    /** barriers: a plain request lets the next dequeuer in at once. */
    openGate: emit(({ context }) => up(gateOf(context))),
    /** wait_event(seq_wait, atomic_read(&submitted) == ticket). */
    waitForTurn: emit(({ context }) => ticketWait(seqOf(context), context.ticket)),
    kmallocBuffer: emit(({ context }) => kmalloc(context.allocator, context.buffers === 'GFP_KERNEL' ? 'GFP_KERNEL' : 'GFP_ATOMIC')),
    keepHeader: assign({ header: ({ context, event }) => (event.type === 'kmalloc.ok' ? kmallocBuffer(context, event.element) : null) }),
    keepAio: assign({ aios: ({ context, event }) => (event.type === 'kmalloc.ok' ? [...context.aios, kmallocBuffer(context, event.element)] : context.aios) }),
    countEmergencyUse: emit(metric('emergencyUses', { add: 1 })),
    downEmergencyHeader: emit(({ context }) => down(emergencyHeaderOf(context))),
    downEmergencyAio: emit(({ context }) => down(emergencyAioOf(context))),
    keepEmergencyHeader: assign({ header: ({ context }) => emergencyBuffer(emergencyHeaderOf(context)) }),
    keepEmergencyAio: assign({ aios: ({ context }) => [...context.aios, emergencyBuffer(emergencyAioOf(context))] }),
    /** mempool_alloc(pool, GFP_NOIO): may wait for an element to come back. */
    mempoolAlloc: emit(({ context }) => alloc(poolOf(context), 'GFP_NOIO')),
    keepPoolBuffer: assign(({ context, event }) => {
      if (event.type !== 'alloc.ok') return {};
      const b: UbdBuffer = { from: 'mempool', pool: poolOf(context), element: event.element };
      return context.header === null ? { header: b } : { aios: [...context.aios, b] };
    }),
    /** The request goes in flight with its first chunk. */
    countInFlight: enqueueActions(({ context, enqueue }) => {
      if (context.chunk === 0) enqueue.emit(metric('inFlight', { add: 1, peak: 'maxInFlight' }));
    }),
    ioSubmit: emit(({ context }) => ioSubmit(context.ring, iocbOf(context))),
    /** submit_aio_26 on failure: the error goes through the completion pipe (a host write). */
    writeErrorReply: emit(({ context, event }) => {
      const iocb = iocbOf(context);
      const err = event.type === 'ioSubmit.error' ? -event.errno : -EAGAIN;
      const reply: UbdReply = { bio: iocb.bio, iocb: iocb.id, err, data: iocb.data };
      return put(context.pipe, reply, { ack: true, host: true });
    }),
    countSubmitError: emit(metric('submitErrors', { add: 1 })),
    nextChunk: assign({ chunk: ({ context }) => context.chunk + 1 }),
    /** Every chunk of the request is at the host: let the next request go. */
    endTurn: enqueueActions(({ context, enqueue }) => {
      if (context.sequencing === 'tickets' || context.sequencing === 'barriers') enqueue.emit(ticketAdvance(seqOf(context)));
      if (context.sequencing === 'semaphore') enqueue.emit(up(seqOf(context)));
      if (context.sequencing === 'barriers' && reqOf(context).barrier) enqueue.emit(up(gateOf(context)));
    }),
    forgetRequest: assign({ req: null, ticket: -1, header: null, aios: [], chunk: 0 }),
  },
}).createMachine({
  id: 'ubd-alloc',
  context: ({ input }) => ({ ...input, req: null, ticket: -1, header: null, aios: [], chunk: 0 }),
  initial: 'startingRequest',
  states: {
    startingRequest: {
      always: [{ guard: 'sequencedBySemaphore', target: 'waitingForSequence' }, { guard: 'usesBarriers', target: 'waitingForGate' }, { target: 'lockingQueue' }],
    },
    waitingForSequence: { tags: ['blocked'], entry: 'downSequence', on: { 'down.ok': 'lockingQueue' } },
    waitingForGate: { tags: ['blocked'], entry: 'downGate', on: { 'down.ok': 'lockingQueue' } },
    lockingQueue: { tags: ['blocked'], entry: ['disableInterrupts', 'lockQueue'], on: { 'lock.ok': 'fetchingRequest' } },
    fetchingRequest: {
      entry: 'fetchRequest',
      on: {
        'get.eagain': { target: 'returning', actions: ['unlockQueue', 'enableInterrupts', 'leaveSequence'] },
        'get.ok': [
          { guard: 'takesTickets', target: 'takingTicket', actions: 'rememberRequest' },
          { guard: 'holdsLock', target: 'allocating', actions: 'rememberRequest' },
          { target: 'allocating', actions: ['rememberRequest', 'unlockQueue', 'enableInterrupts'] },
        ],
      },
    },
    takingTicket: {
      entry: 'takeTicket',
      on: {
        'ticketTake.ok': [
          { guard: 'goesUnsequenced', target: 'allocating', actions: ['rememberTicket', 'unlockQueue', 'enableInterrupts', 'openGate'] },
          { target: 'waitingForTurn', actions: ['rememberTicket', 'unlockQueue', 'enableInterrupts'] },
        ],
      },
    },
    waitingForTurn: { tags: ['blocked'], entry: 'waitForTurn', on: { 'ticketWait.ok': 'allocating' } },
    allocating: { always: [{ guard: 'usesMempool', target: 'allocatingBuffers' }, { target: 'allocatingHeader' }] },
    allocatingHeader: {
      tags: ['blocked'],
      entry: 'kmallocBuffer',
      on: { 'kmalloc.ok': { target: 'allocatingChunk', actions: 'keepHeader' }, 'kmalloc.fail': 'waitingForEmergencyHeader' },
    },
    waitingForEmergencyHeader: {
      tags: ['blocked'],
      entry: ['countEmergencyUse', 'downEmergencyHeader'],
      on: { 'down.ok': { target: 'allocatingChunk', actions: 'keepEmergencyHeader' } },
    },
    allocatingChunk: {
      tags: ['blocked'],
      entry: 'kmallocBuffer',
      on: { 'kmalloc.ok': { target: 'submittingChunk', actions: 'keepAio' }, 'kmalloc.fail': 'waitingForEmergencyAio' },
    },
    waitingForEmergencyAio: {
      tags: ['blocked'],
      entry: ['countEmergencyUse', 'downEmergencyAio'],
      on: { 'down.ok': { target: 'submittingChunk', actions: 'keepEmergencyAio' } },
    },
    allocatingBuffers: {
      tags: ['blocked'],
      entry: 'mempoolAlloc',
      on: {
        'alloc.ok': [
          { guard: 'completesBuffers', target: 'submittingChunk', actions: 'keepPoolBuffer' },
          { target: 'allocatingBuffers', reenter: true, actions: 'keepPoolBuffer' },
        ],
      },
    },
    submittingChunk: {
      tags: ['blocked'],
      entry: ['countInFlight', 'ioSubmit'],
      on: {
        'ioSubmit.ok': 'chunkSubmitted',
        'ioSubmit.eagain': { target: 'writingErrorReply', actions: 'countSubmitError' },
        'ioSubmit.error': { target: 'writingErrorReply', actions: 'countSubmitError' },
      },
    },
    writingErrorReply: {
      tags: ['blocked'],
      entry: 'writeErrorReply',
      on: { 'put.ok': [{ guard: 'leaksTicketOnError', target: 'returning' }, { target: 'chunkSubmitted' }] },
    },
    chunkSubmitted: {
      always: [
        { guard: 'moreChunksAllocated', target: 'submittingChunk', actions: 'nextChunk' },
        { guard: 'moreChunks', target: 'allocatingChunk', actions: 'nextChunk' },
        { guard: 'holdsLock', target: 'fetchingRequest', actions: ['endTurn', 'forgetRequest'] },
        { target: 'startingRequest', actions: ['endTurn', 'forgetRequest'] },
      ],
    },
    returning: { type: 'final' },
  },
});
