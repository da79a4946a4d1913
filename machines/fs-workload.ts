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
import type { Effect, KernelEvent } from '../src/model/index.js';
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

function current<K extends FsOp['op']>(context: FsWorkloadContext, op: K): Extract<FsOp, { op: K }> {
  const o = context.ops[context.pc];
  if (o.op !== op) throw new Error(`fs-workload: operation ${context.pc} is ${o.op}, not ${op}`);
  return o as Extract<FsOp, { op: K }>;
}

export const fsWorkload = setup({
  types: {} as { context: FsWorkloadContext; input: FsWorkloadInput; events: KernelEvent; emitted: Effect },
  guards: {
    allDone: ({ context }) => context.pc >= context.ops.length,
    next: ({ context }, params: { op: FsOp['op'] }) => context.ops[context.pc].op === params.op,
  },
  actions: {
    advance: assign({ pc: ({ context }) => context.pc + 1 }),
    callBmap: emit(({ context }) => {
      const o = current(context, 'bmap');
      return { type: 'call' as const, machine: 'bmap', input: { env: context.env, fn: 'bmap', file: o.file, block: o.block, why: 'read' } };
    }),
    callBread: emit(({ context }) => {
      const o = current(context, 'read');
      return { type: 'call' as const, machine: 'bread', input: { env: context.env, fn: 'bread', vnode: o.vnode, blkno: o.blkno } };
    }),
    callGetblk: emit(({ context }) => {
      const o = current(context, 'write');
      return { type: 'call' as const, machine: 'getblk', input: { env: context.env, fn: 'getblk', vnode: o.vnode, blkno: o.blkno } };
    }),
    rememberBuffer: assign({ buf: ({ event }) => (event.type === 'call.return' ? (event.output as { buf: string }).buf : undefined) }),
    /** brelse after a read; bdwrite after a write. */
    callBrelse: emit(({ context }) => ({
      type: 'call' as const,
      machine: 'brelse',
      input: { env: context.env, fn: 'brelse', buf: context.buf, delwri: context.ops[context.pc].op === 'write' },
    })),
    /** physio -> vndstrategy: no buffer, the bio is the process's own. */
    startRawWrite: enqueueActions(({ context, enqueue }) => {
      const o = current(context, 'rawWrite');
      const bio = `r${o.unit}:${o.block}#w${context.pc + 1}`;
      const req: VndRequest = { bio, op: 'write', block: o.block, units: [] };
      enqueue.emit({ type: 'bioSubmit', bio });
      enqueue.emit({ type: 'call', machine: 'vndstrategy', input: { env: context.env, role: 'strategy', unit: o.unit, req } });
    }),
    announceDone: enqueueActions(({ context, enqueue }) => {
      if (context.done !== undefined) enqueue.emit({ type: 'put', chan: context.done, item: 'finished' });
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
