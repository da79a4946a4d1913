/**
 * The syncer (`sys/miscfs/syncfs`): every `period` ticks, VOP_FSYNC of each
 * vnode it watches — vflushbuf: every dirty buffer not busy is locked and
 * bawritten. With a threaded vnd each bawrite only queues the buffer for the
 * vnd thread, so the syncer never sleeps here (on a uniprocessor the vnd
 * thread cannot run in between, which is why vflushbuf locks them all at
 * once). Without a period it flushes once and exits; with one it runs until
 * the workload says it has finished (its `done` channel), then flushes a last
 * time.
 */
import { assign, emit, setup } from 'xstate';
import { call, get, layerTypes, metric, required, vflushbuf, type KernelEvent } from '../src/model/index.js';
import { vnodeInfo, type StorageEnv } from './storage-env.js';

export interface SyncerInput {
  readonly env: StorageEnv;
  /** Vnodes to flush, in order (`vnd0`: the vnd's block device). */
  readonly vnodes: readonly string[];
  readonly period?: number;
  /** Channel the workload writes once when it has finished. */
  readonly done?: string;
}

interface SyncerContext extends SyncerInput {
  readonly vnodeIndex: number;
  readonly pending: readonly { readonly buf: string; readonly ios: number }[];
  readonly lastRound: boolean;
}

export const syncer = setup({
  types: layerTypes<{ context: SyncerContext; input: SyncerInput; events: KernelEvent }>(),
  guards: {
    nothingPending: ({ context }) => context.pending.length === 0,
    moreVnodes: ({ context }) => context.vnodeIndex + 1 < context.vnodes.length,
    finished: ({ context }) => context.period === undefined || context.lastRound,
  },
  actions: {
    vflushbuf: emit(({ context }) => {
      const vnode = context.vnodes[context.vnodeIndex];
      return vflushbuf(vnodeInfo(context.env, vnode).cache, vnode);
    }),
    rememberDirty: assign({ pending: ({ event }) => (event.type === 'vflushbuf.ok' ? event.bufs : []) }),
    callBawrite: emit(({ context }) => call('bawrite', { input: { env: context.env, fn: 'bawrite', buf: context.pending[0].buf, ios: context.pending[0].ios } })),
    dropWritten: assign({ pending: ({ context }) => context.pending.slice(1) }),
    nextVnode: assign({ vnodeIndex: ({ context }) => context.vnodeIndex + 1 }),
    firstVnode: assign({ vnodeIndex: 0 }),
    checkWorkload: emit(({ context }) => get(required(context.done, 'syncer: input.done (with a period)'), { wait: false })),
    markLastRound: assign({ lastRound: true }),
    countFlush: emit(metric('syncerRounds', { add: 1 })),
  },
  delays: { period: ({ context }) => context.period ?? 0 },
}).createMachine({
  id: 'syncer',
  context: ({ input }) => ({ ...input, vnodeIndex: 0, pending: [], lastRound: false }),
  initial: 'flushing',
  states: {
    flushing: { entry: ['countFlush', 'vflushbuf'], on: { 'vflushbuf.ok': { target: 'writingBack', actions: 'rememberDirty' } } },
    writingBack: { always: [{ guard: 'nothingPending', target: 'flushedVnode' }, { target: 'startingWrite' }] },
    startingWrite: { tags: ['blocked'], entry: 'callBawrite', on: { 'call.return': { target: 'writingBack', actions: 'dropWritten' } } },
    flushedVnode: {
      always: [
        { guard: 'moreVnodes', target: 'flushing', actions: 'nextVnode' },
        { guard: 'finished', target: 'done' },
        { target: 'sleeping', actions: 'firstVnode' },
      ],
    },
    sleeping: { tags: ['idle'], after: { period: 'checkingWorkload' } },
    checkingWorkload: {
      entry: 'checkWorkload',
      on: { 'get.ok': { target: 'flushing', actions: 'markLastRound' }, 'get.eagain': 'flushing' },
    },
    done: { type: 'final' },
  },
});
