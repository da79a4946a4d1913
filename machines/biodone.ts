/**
 * The disk's completion interrupt: `biodone()` for each transfer the disk
 * finished. For a vnd's nested buf that is nestiobuf_iodone -> vndiodone
 * (sc_active--, innermost unit first) -> biodone of the buf it was for: an
 * async write is released there (brelse, which wakes needbuffer), a read
 * wakes its biowait. So buffer memory held by writes through a vnd comes back
 * only here, after the vnd has translated and issued them.
 */
import { enqueueActions, setup } from 'xstate';
import type { Effect, KernelEvent } from '../src/model/index.js';
import { bufOfBio, unitsOfRequest, vnodeOf, type StorageEnv } from './storage-env.js';

export interface BiodoneInput {
  readonly env: StorageEnv;
}

/** What the disk puts in the interrupt's channel (its `replyTo` reply). */
interface DiskDone {
  readonly id: string;
  readonly bio: string;
  readonly res: number;
}

export const biodone = setup({
  types: {} as { context: BiodoneInput; input: BiodoneInput; events: KernelEvent; emitted: Effect },
  actions: {
    completeTransfer: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'get.ok') return;
      const done = event.item as DiskDone;
      for (const unit of unitsOfRequest(done.id).reverse()) {
        const d = context.env.devices[unit];
        if (d?.kind === 'vnd' && d.active !== undefined) enqueue.emit({ type: 'up', sem: d.active });
      }
      const buf = bufOfBio(done.bio);
      const vnode = context.env.vnodes[vnodeOf(buf)];
      if (vnode !== undefined) enqueue.emit({ type: 'biodone', cache: vnode.cache, buf });
      enqueue.emit({ type: 'bioComplete', bio: done.bio, error: done.res < 0 ? -done.res : 0 });
    }),
  },
}).createMachine({
  id: 'biodone',
  context: ({ input }) => input,
  initial: 'completing',
  states: {
    completing: { tags: ['idle'], on: { 'get.ok': { actions: 'completeTransfer' } } },
  },
});
