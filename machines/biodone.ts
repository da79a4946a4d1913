/**
 * The disk's completion interrupt: `biodone()` for each transfer the disk
 * finished. For a vnd's nested buf that is nestiobuf_iodone -> vndiodone
 * (sc_active--, innermost unit first) -> biodone of the buf it was for: an
 * async write is released there (brelse, which wakes needbuffer), a read
 * wakes its biowait. So buffer memory held by writes through a vnd comes back
 * only here, after the vnd has translated and issued them.
 */
import { enqueueActions, setup } from 'xstate';
import { bioComplete, biodone as biodoneEffect, layerTypes, up, type KernelEventOf } from '../src/model/index.js';
import type { DiskReply } from './disk.js';
import { bufOfBio, unitsOfRequest, vnodeOf, type StorageEnv } from './storage-env.js';

export interface BiodoneInput {
  readonly env: StorageEnv;
}


export const biodone = setup({
  types: layerTypes<{ context: BiodoneInput; input: BiodoneInput; events: KernelEventOf<DiskReply> }>(), // its channel carries the disk's replyTo replies
  actions: {
    completeTransfer: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'get.ok') return;
      const done = event.item;
      for (const unit of unitsOfRequest(done.id).reverse()) {
        const d = context.env.devices[unit];
        if (d?.kind === 'vnd' && d.active !== undefined) enqueue.emit(up(d.active));
      }
      const buf = bufOfBio(done.bio);
      const vnode = context.env.vnodes[vnodeOf(buf)];
      if (vnode !== undefined) enqueue.emit(biodoneEffect(vnode.cache, buf));
      enqueue.emit(bioComplete(done.bio, { error: done.res < 0 ? -done.res : 0 }));
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
