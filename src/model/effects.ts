/**
 * The effect vocabulary: everything a layer machine may ask of the kernel.
 *
 * Machines never touch each other or a resource. They `emit(...)` one of these
 * effects; the kernel performs it on the resource when the transition that
 * emitted it is committed, in emission order, on the machine's execution
 * context. Effects are data (plain objects with string addresses), so a
 * machine's transitions can be unit-tested with XState's pure `transition`
 * and compared with `toEqual`.
 *
 * Blocking: if an effect cannot complete (pipe full, pool empty, lock owned),
 * the *context* is parked on the resource and the effects emitted after it in
 * the same transition wait behind it, exactly as the code after a blocking
 * system call waits for it to return. A machine that needs to know the
 * outcome waits in a state for the reply event named below (tag that state
 * `blocked`, or `idle` when it waits for new work); effects without a reply
 * (a blocking `put` without `ack`) let the machine move on while the kernel
 * holds its context.
 */

import type { BufCacheEffect, BufCacheReply } from './buffer-cache-effects.js';
import type { Gfp } from './gfp.js';

/** A host AIO control block as the driver submits it. */
export interface Iocb {
  /** Canonical id, e.g. `ubd#3.0` (bio, chunk). */
  readonly id: string;
  /** The bio this chunk belongs to. */
  readonly bio: string;
  readonly op?: 'read' | 'write';
  readonly sector?: number;
  /**
   * The driver's own pointer, handed back with the completion
   * (`aio_thread_reply.data`): which buffers to free when it is done.
   */
  readonly data?: unknown;
}

/** kmalloc's allocation mask (model/gfp.ts): a flag set, `__GFP_WAIT` lets it sleep. */
export type { Gfp };

/**
 * What a write bio promises to put on the media: `count` sectors from
 * `sector`. `barrier`: the submitter (a file system) requires every write
 * queued before it to reach the media before it, and every write after it
 * to go after it.
 */
export interface WriteSpec {
  readonly sector: number;
  readonly count: number;
  readonly barrier?: boolean;
}

export type Effect =
  // ---- channels: request queues, mailboxes, host pipes --------------------------------
  /**
   * Put an item into a channel (write(2) of one record on a pipe).
   * `wait` (default true): block while full; false = O_NONBLOCK, reply `put.ok`/`put.eagain`.
   * `ack`: with wait, reply `put.ok` once the item is in (so the machine can wait for it).
   * `front`: requeue at the head (blk_requeue_request).
   * `host`: a host system call; while it blocks, the context's whole CPU is stalled
   * (UML: the guest is one host process, so nothing else on that CPU runs).
   * `timeout` (ticks, with wait): sleep at most that long (wait_event_timeout), then reply
   * `put.timedout` with the item still in the writer's hands; a timed put always replies.
   * `interlock`: as for `down`.
   */
  | { type: 'put'; chan: string; item: unknown; wait?: boolean; ack?: boolean; front?: boolean; host?: boolean; timeout?: number; interlock?: string }
  /**
   * Take the head item. `wait` (default true): block while empty. Reply `get.ok {item}` or `get.eagain`.
   * `timeout` (ticks, with wait): sleep at most that long, then reply `get.timedout`. `interlock`: as for `down`.
   */
  | { type: 'get'; chan: string; wait?: boolean; host?: boolean; timeout?: number; interlock?: string }
  // ---- host AIO (arch/um/os-Linux/aio.c) ------------------------------------------------
  /** io_submit(2) of one iocb. Reply `ioSubmit.ok`, `ioSubmit.eagain` (ring full) or `ioSubmit.error {errno}` (injected). Never blocks. */
  | { type: 'ioSubmit'; ring: string; iocb: Iocb }
  /**
   * io_getevents(2): block until `min` (default 1) completions, take up to `max` (default 1). Reply `ioGetevents.ok {events}`.
   * `timeout` (ticks, its `struct timespec`): when it passes first, reply `ioGetevents.timedout {events}`
   * with the fewer than `min` events there were (possibly none), as read_events returns them.
   */
  | { type: 'ioGetevents'; ring: string; min?: number; max?: number; timeout?: number }
  /** The device finished an iocb (res < 0 is an errno; the fault injector may turn it into -EIO). No reply. */
  | { type: 'ioComplete'; ring: string; id: string; res?: number }
  // ---- memory -----------------------------------------------------------------------------
  /**
   * kmalloc on a page allocator (mm/page_alloc.c `__alloc_pages`, 2.6.14-2.6.32).
   * Without `__GFP_WAIT` one attempt (`__GFP_HIGH` may take from the reserve);
   * with it the caller loops in reclaim, sleeping in `congestion_wait(HZ/50)`
   * between rounds, until memory turns up (`__GFP_NORETRY`: one round). Reply
   * `kmalloc.ok {element}` or `kmalloc.fail`.
   */
  | { type: 'kmalloc'; allocator: string; gfp: Gfp }
  /** kfree. No reply. */
  | { type: 'kfree'; allocator: string; element: string }
  /**
   * mempool_alloc(pool, gfp). With `__GFP_WAIT` (GFP_NOIO, GFP_KERNEL) it may
   * sleep on the pool (so might_sleep applies); without it (GFP_ATOMIC,
   * GFP_NOWAIT) an empty pool answers NULL. Reply `alloc.ok {element}` or
   * `alloc.fail`.
   */
  | { type: 'alloc'; pool: string; gfp: Gfp }
  /** mempool_free. No reply. */
  | { type: 'free'; pool: string; element: string }
  // ---- block request queues (block/ll_rw_blk.c) -----------------------------------------
  /**
   * Take a request of a block queue (`get_request`; with `wait`, default true,
   * `get_request_wait`: sleep, untimed, while all `nr_requests` are out).
   * Reply `getRequest.ok` or `getRequest.fail` (wait false, queue full).
   */
  | { type: 'getRequest'; queue: string; wait?: boolean }
  /** Give a request back (`blk_put_request` after `end_that_request_last`): wakes one sleeper. No reply. */
  | { type: 'putRequest'; queue: string }
  // ---- sleeping and spinning ------------------------------------------------------------
  /**
   * Acquire a lock. `wait` false = trylock. Reply `lock.ok` or `lock.busy`.
   * `timeout` (ticks; sleep locks only: NetBSD getblk's `slptimeo` on a B_BUSY buffer): reply `lock.timedout`.
   */
  | { type: 'lock'; lock: string; wait?: boolean; timeout?: number }
  | { type: 'unlock'; lock: string }
  /**
   * down() on a semaphore (or a tsleep until a wakeup); `wait` false =
   * down_trylock. Reply `down.ok` or `down.busy`. `timeout` (ticks):
   * down_timeout(sem, jiffies), reply `down.timedout` (its -ETIME).
   * `interlock`: a spin lock (NetBSD simple_lock) the caller holds, passed
   * to ltsleep: released once the caller is asleep and taken back before the
   * reply, so a waker can take it meanwhile (kern_synch.c ltsleep without
   * PNORELOCK). Untouched when the call does not sleep.
   */
  | { type: 'down'; sem: string; wait?: boolean; timeout?: number; interlock?: string }
  | { type: 'up'; sem: string }
  /** Take the next ticket (Jeff Dike's `started` counter: atomic_inc_return). Never blocks. Reply `ticketTake.ok {ticket}`. */
  | { type: 'ticketTake'; counter: string }
  /**
   * Sleep until the counter reaches `ticket` (Jeff Dike's `submitted` counter). Reply `ticketWait.ok`.
   * `timeout` (ticks): wait_event_timeout, reply `ticketWait.timedout` when it returns 0.
   */
  | { type: 'ticketWait'; counter: string; ticket: number; timeout?: number }
  | { type: 'ticketAdvance'; counter: string; by?: number }
  // ---- CPU and interrupts -----------------------------------------------------------------
  /**
   * splx(level) / local_irq_disable(): set the interrupt priority level of this
   * context's CPU. While it is above 0 the context holds the CPU: no other
   * thread runs there, and only handlers of a higher level can interrupt.
   */
  | { type: 'spl'; level: number }
  /** Return from interrupt: the handler gives back the CPU it borrowed. */
  | { type: 'iret' }
  /** Assert an interrupt line: the named handler context becomes pending. */
  | { type: 'raiseIrq'; handler: string }
  // ---- synchronous calls (frames) -------------------------------------------------------
  /**
   * Call another machine synchronously: the kernel pushes a fresh instance of
   * `machine` as a frame on this context; this frame waits until the callee
   * reaches a final state, then gets `call.return {output}`.
   */
  | { type: 'call'; machine: string; input?: unknown }
  // ---- obligations and observability ----------------------------------------------------
  /**
   * A new bio enters the stack: from now on it must complete exactly once.
   * With `write`, the bio is also queued in the sector shadow: the order of
   * these effects is the order the stack promised to keep (queue order).
   */
  | { type: 'bioSubmit'; bio: string; write?: WriteSpec }
  /** bio_endio / biodone. `error` is an errno (0 = success). */
  | { type: 'bioComplete'; bio: string; error?: number }
  /**
   * A device put a write on its media (a host disk applies them in the order
   * it takes them: host submission order). The sector shadow checks the
   * order against the promised one. No reply.
   */
  | { type: 'mediaWrite'; bio: string; sector: number; count?: number }
  /**
   * Scenario metric: `add` to a counter or raise a high-water `max`. With
   * `peak`, the counter is a gauge and the metric named `peak` keeps its
   * high-water mark (`inFlight` +1/-1 with peak `maxInFlight`).
   */
  | { type: 'metric'; name: string; add?: number; max?: number; peak?: string }
  /**
   * A draw inside a model (a disk's service time, a cache's destage order) as
   * a choice point: the scheduler picks one of `options` (DFS enumerates them,
   * replay tokens record them, random strategies draw by `weights`; fifo takes
   * the first). Reply `draw.ok {point, value}`.
   */
  | { type: 'draw'; point: string; options: readonly (string | number)[]; weights?: readonly number[] }
  // ---- buffer cache (NetBSD vfs_bio.c) ----------------------------------------------------
  /**
   * getblk, bufMalloc, getnewbuf, needbuffer, bufio, bufHandoff, biowait,
   * biodone, brelse, vflushbuf on a buffer cache: the list with their
   * replies is `BufCacheEffect` in src/model/buffer-cache-effects.ts.
   */
  | BufCacheEffect;

export type EffectType = Effect['type'];

/** The member of `Effect` whose `type` is `T`: `EffectOf<'put'>` is the put effect's exact shape. */
export type EffectOf<T extends EffectType> = Extract<Effect, { type: T }>;

/** Every event the kernel delivers to a machine. */
export type KernelEvent =
  | { type: 'draw.ok'; point: string; value: string | number }
  | { type: 'get.ok'; chan: string; item: unknown }
  | { type: 'get.eagain'; chan: string }
  | { type: 'get.timedout'; chan: string }
  | { type: 'put.ok'; chan: string }
  | { type: 'put.eagain'; chan: string }
  | { type: 'put.timedout'; chan: string }
  | { type: 'ioSubmit.ok'; ring: string; id: string }
  | { type: 'ioSubmit.eagain'; ring: string; id: string }
  | { type: 'ioSubmit.error'; ring: string; id: string; errno: number }
  | { type: 'ioGetevents.ok'; ring: string; events: readonly IoEvent[] }
  | { type: 'ioGetevents.timedout'; ring: string; events: readonly IoEvent[] }
  | { type: 'kmalloc.ok'; allocator: string; element: string }
  | { type: 'kmalloc.fail'; allocator: string }
  | { type: 'alloc.ok'; pool: string; element: string }
  | { type: 'alloc.fail'; pool: string }
  | { type: 'getRequest.ok'; queue: string }
  | { type: 'getRequest.fail'; queue: string }
  | { type: 'lock.ok'; lock: string }
  | { type: 'lock.busy'; lock: string }
  | { type: 'lock.timedout'; lock: string }
  | { type: 'down.ok'; sem: string }
  | { type: 'down.busy'; sem: string }
  | { type: 'down.timedout'; sem: string }
  | { type: 'ticketTake.ok'; counter: string; ticket: number }
  | { type: 'ticketWait.ok'; counter: string; ticket: number }
  | { type: 'ticketWait.timedout'; counter: string; ticket: number }
  | { type: 'call.return'; machine: string; output: unknown }
  | { type: 'irq'; handler: string }
  | BufCacheReply;

/** One completion returned by io_getevents. */
export interface IoEvent {
  readonly iocb: Iocb;
  /** Bytes done, or a negative errno. */
  readonly res: number;
}
