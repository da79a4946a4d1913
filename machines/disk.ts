/**
 * A host disk (or any block device): is fed requests from its queue (its
 * mailbox: a device never sits blocked in a read, it reacts), serves
 * each for `latency` ticks, and completes it. Requests are served
 * concurrently, so several can finish at the same instant and the scheduler
 * may complete them in any order (a real disk completes out of order).
 *
 * A request is either an AIO iocb (completed into its AIO ring, for
 * io_getevents) or a synchronous request from a helper thread that carries a
 * `replyTo` channel (pread/pwrite returning).
 *
 * With `media`, the disk is a host file whose contents matter: it puts each
 * write on its media as it takes it (host submission order: overlapping
 * writes land in that order, last one wins) and reports it with
 * `mediaWrite`, so the kernel's sector shadow can check the order.
 */
import { enqueueActions, setup } from 'xstate';
import { defineParams, ioComplete, layerTypes, mediaWrite, put, type KernelEventOf } from '../src/model/index.js';

/**
 * The disk's own parameter, declared once: scenarios that run a disk list it
 * under this name and choose only its default.
 */
export const diskParams = defineParams({
  latency: { type: 'int', default: 1, min: 0, max: 1_000_000, doc: 'disk service time in ticks, from taking a request to completing it', swarm: [0, 3] },
});

export interface DiskInput {
  readonly queue: string;
  /** Ticks from taking a request to completing it. Default 0. */
  readonly latency?: number;
  /** AIO ring that iocbs complete into. */
  readonly ring?: string;
  /** Report writes to the sector shadow as they reach the media. Default false. */
  readonly media?: boolean;
}

/** What the disk serves: an iocb, or a helper's request naming where to reply. */
export interface DiskRequest {
  readonly id: string;
  readonly bio: string;
  readonly replyTo?: string;
  readonly op?: 'read' | 'write';
  readonly sector?: number;
}

/** What the disk puts in a helper request's `replyTo` channel (pread/pwrite returning; res 0 = done). */
export interface DiskReply {
  readonly id: string;
  readonly bio: string;
  readonly res: number;
}

type DiskEvent = KernelEventOf<DiskRequest> | { type: 'serviced'; req: DiskRequest };

export const disk = setup({
  types: layerTypes<{ context: Required<DiskInput>; input: DiskInput; events: DiskEvent }>(),
  actions: {
    /** One timer per request, named after it, so requests finishing together can finish in any order. */
    startService: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'get.ok') return;
      const req = event.item;
      if (context.media && req.op === 'write' && req.sector !== undefined) enqueue.emit(mediaWrite(req.bio, req.sector));
      enqueue.raise({ type: 'serviced', req }, { delay: context.latency, id: `svc-${req.id}` });
    }),
    complete: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'serviced') return;
      const req = event.req;
      if (req.replyTo !== undefined) enqueue.emit(put(req.replyTo, { id: req.id, bio: req.bio, res: 0 } satisfies DiskReply));
      else enqueue.emit(ioComplete(context.ring, req.id, { res: 0 }));
    }),
  },
}).createMachine({
  id: 'disk',
  context: ({ input }) => ({ queue: input.queue, latency: input.latency ?? 0, ring: input.ring ?? '', media: input.media ?? false }),
  initial: 'serving',
  states: {
    serving: {
      tags: ['idle'],
      on: {
        'get.ok': { actions: 'startService' },
        serviced: { actions: 'complete' },
      },
    },
  },
});
