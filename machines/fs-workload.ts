/**
 * A process using the file systems: a script of operations run in order on
 * its own context, each through the buffer-cache frames.
 * - `bmap`: read file block `block` of `file` — VOP_BMAP first, which may
 *   bread the indirect block covering it (seed 000's "P needs I").
 * - `read`: bread a block and brelse it.
 * - `write`: overwrite a whole block: getblk, then bdwrite (dirty, written later).
 * - `rawWrite`: write through the raw device rvnd (physio: straight to
 *   vndstrategy, no buffer-cache buffer; A-F0).
 * - `sleep`: think for `ticks`.
 * When it has finished it says so on `done`, if given (the syncer stops then).
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { bioSubmit, call, layerTypes, outputOf, put, type KernelEventOf } from '../src/model/index.js';
import type { FsOutput } from './filesystem.js';
import type { StorageEnv, VndRequest } from './storage-env.js';

export type FsOp =
  | { readonly op: 'bmap'; readonly file: string; readonly block: number }
  | { readonly op: 'read'; readonly vnode: string; readonly blkno: number | string }
  | { readonly op: 'write'; readonly vnode: string; readonly blkno: number | string }
  | { readonly op: 'rawWrite'; readonly unit: string; readonly block: number }
  | { readonly op: 'sleep'; readonly ticks: number };

export interface FsWorkloadInput {
  readonly env: StorageEnv;
  readonly ops: readonly FsOp[];
  readonly done?: string;
}

interface FsWorkloadContext extends FsWorkloadInput {
  /** Index of the operation in progress. */
  readonly pc: number;
  readonly buf?: string;
}

/** A type guard on the discriminant: TypeScript does not narrow a union by comparing it with a generic `K`, this does. */
function isOp<K extends FsOp['op']>(o: FsOp, op: K): o is Extract<FsOp, { op: K }> {
  return o.op === op;
}

function current<K extends FsOp['op']>(context: FsWorkloadContext, op: K): Extract<FsOp, { op: K }> {
  const o = context.ops[context.pc];
  if (!isOp(o, op)) throw new Error(`fs-workload: operation ${context.pc} is ${o.op}, not ${op}`);
  return o;
}

export const fsWorkload = setup({
  types: layerTypes<{ context: FsWorkloadContext; input: FsWorkloadInput; events: KernelEventOf<unknown, FsOutput> }>(), // buffer-cache frames return FsOutput (vndstrategy nothing, never read)
  guards: {
    allDone: ({ context }) => context.pc >= context.ops.length,
    next: ({ context }, params: { op: FsOp['op'] }) => context.ops[context.pc].op === params.op,
  },
  actions: {
    advance: assign({ pc: ({ context }) => context.pc + 1 }),
    callBmap: emit(({ context }) => {
      const o = current(context, 'bmap');
      return call('bmap', { input: { env: context.env, fn: 'bmap', file: o.file, block: o.block, why: 'read' } });
    }),
    callBread: emit(({ context }) => {
      const o = current(context, 'read');
      return call('bread', { input: { env: context.env, fn: 'bread', vnode: o.vnode, blkno: o.blkno } });
    }),
    callGetblk: emit(({ context }) => {
      const o = current(context, 'write');
      return call('getblk', { input: { env: context.env, fn: 'getblk', vnode: o.vnode, blkno: o.blkno } });
    }),
    rememberBuffer: assign({ buf: ({ event }) => outputOf(event).buf }),
    /** brelse after a read; bdwrite after a write. */
    callBrelse: emit(({ context }) => call('brelse', { input: { env: context.env, fn: 'brelse', buf: context.buf, delwri: context.ops[context.pc].op === 'write' } })),
    /** physio -> vndstrategy: no buffer, the bio is the process's own. */
    startRawWrite: enqueueActions(({ context, enqueue }) => {
      const o = current(context, 'rawWrite');
      const bio = `r${o.unit}:${o.block}#w${context.pc + 1}`;
      const req: VndRequest = { bio, op: 'write', block: o.block, units: [] };
      enqueue.emit(bioSubmit(bio));
      enqueue.emit(call('vndstrategy', { input: { env: context.env, role: 'strategy', unit: o.unit, req } }));
    }),
    announceDone: enqueueActions(({ context, enqueue }) => {
      if (context.done !== undefined) enqueue.emit(put(context.done, 'finished'));
    }),
  },
  delays: { thinkTime: ({ context }) => current(context, 'sleep').ticks },
}).createMachine({
  id: 'fs-workload',
  context: ({ input }) => ({ ...input, pc: 0 }),
  initial: 'nextOperation',
  states: {
    nextOperation: {
      always: [
        { guard: 'allDone', target: 'finished' },
        { guard: { type: 'next', params: { op: 'bmap' } }, target: 'mappingFileBlock' },
        { guard: { type: 'next', params: { op: 'read' } }, target: 'readingBlock' },
        { guard: { type: 'next', params: { op: 'write' } }, target: 'lockingBlockToWrite' },
        { guard: { type: 'next', params: { op: 'rawWrite' } }, target: 'writingRawDevice' },
        { target: 'thinking' },
      ],
    },
    mappingFileBlock: { tags: ['blocked'], entry: 'callBmap', on: { 'call.return': { target: 'nextOperation', actions: 'advance' } } },
    readingBlock: { tags: ['blocked'], entry: 'callBread', on: { 'call.return': { target: 'releasingBlock', actions: 'rememberBuffer' } } },
    lockingBlockToWrite: { tags: ['blocked'], entry: 'callGetblk', on: { 'call.return': { target: 'releasingBlock', actions: 'rememberBuffer' } } },
    releasingBlock: { tags: ['blocked'], entry: 'callBrelse', on: { 'call.return': { target: 'nextOperation', actions: 'advance' } } },
    writingRawDevice: { tags: ['blocked'], entry: 'startRawWrite', on: { 'call.return': { target: 'nextOperation', actions: 'advance' } } },
    thinking: { after: { thinkTime: { target: 'nextOperation', actions: 'advance' } } },
    finished: { entry: 'announceDone', always: 'exited' },
    exited: { type: 'final' },
  },
});
