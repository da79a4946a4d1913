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
 */
import { enqueueActions, setup } from 'xstate';
import type { Effect, KernelEvent } from '../src/index.js';

export interface DiskInput {
  readonly queue: string;
  /** Ticks from taking a request to completing it. Default 0. */
  readonly latency?: number;
  /** AIO ring that iocbs complete into. */
  readonly ring?: string;
}

/** What the disk serves: an iocb, or a helper's request naming where to reply. */
export interface DiskRequest {
  readonly id: string;
  readonly bio: string;
  readonly replyTo?: string;
}

type DiskEvent = KernelEvent | { type: 'serviced'; req: DiskRequest };

export const disk = setup({
  types: {} as { context: Required<DiskInput>; input: DiskInput; events: DiskEvent; emitted: Effect },
  actions: {
    /** One timer per request, named after it, so requests finishing together can finish in any order. */
    startService: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'get.ok') return;
      const req = event.item as DiskRequest;
      enqueue.raise({ type: 'serviced', req }, { delay: context.latency, id: `svc-${req.id}` });
    }),
    complete: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'serviced') return;
      const req = event.req;
      if (req.replyTo !== undefined) enqueue.emit({ type: 'put', chan: req.replyTo, item: { id: req.id, bio: req.bio, res: 0 } });
      else enqueue.emit({ type: 'ioComplete', ring: context.ring, id: req.id, res: 0 });
    }),
  },
}).createMachine({
  id: 'disk',
  context: ({ input }) => ({ queue: input.queue, latency: input.latency ?? 0, ring: input.ring ?? '' }),
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
