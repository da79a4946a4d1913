/**
 * The file system's buffer-cache code, `sys/kern/vfs_bio.c` (rev 1.155, 2006)
 * and FFS's `ufs_bmaparray`, one kernel function per frame. A function that
 * calls another emits `call`: the kernel pushes the callee as a frame on the
 * *caller's* context, so Chuck Silvers' hidden path (seed 000)
 *
 *   getblk -> allocbuf -> buf_trim -> getnewbuf -> bawrite -> vndstrategy -> bmap -> bread -> getblk
 *
 * is a stack of frames, and in synchronous vnd it can come back round to a
 * buffer the same context already holds (a self-deadlock) or go round again
 * and again (a stack overflow). Folded into these frames, and not counted:
 * VOP_BWRITE and bwrite (in bawrite), VOP_STRATEGY and spec_strategy (in the
 * caller of the strategy), VOP_BMAP (in bmap), buf_malloc and buf_drain (in
 * allocbuf).
 *
 * One chart holds every function; each callable machine is the same chart
 * under the function's name (so a call chain reads `getblk -> allocbuf`),
 * entering at that function. `filesystem` is the chart as a whole, for the
 * visualizer.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import {
  bioSubmit,
  biowait,
  brelse,
  bufio,
  bufMalloc,
  call,
  getblk,
  getnewbuf,
  layerTypes,
  metric,
  needbuffer,
  outputOf,
  required,
  type EffectOf,
  type KernelEventOf,
} from '../src/model/index.js';
import { bioOf, deviceInfo, devBlockOf, fileInfo, indirectFor, issueToDisk, vnodeInfo, vnodeOf, type StorageEnv } from './storage-env.js';

export const FS_FUNCTIONS = ['getblk', 'bread', 'brelse', 'allocbuf', 'buf_trim', 'getnewbuf', 'bawrite', 'bmap'] as const;
export type FsFunction = (typeof FS_FUNCTIONS)[number];

/** Arguments of one call; each function reads its own. */
export interface FsInput {
  readonly env: StorageEnv;
  readonly fn: FsFunction;
  /** getblk, bread: the block. */
  readonly vnode?: string;
  readonly blkno?: number | string;
  /** allocbuf, brelse, bawrite: the buffer (and for bawrite, the I/Os it has had, to name the bio). */
  readonly buf?: string;
  readonly ios?: number;
  /** buf_trim, getnewbuf: the cache, and whether an empty free list may sleep on needbuffer. */
  readonly cache?: string;
  readonly wait?: boolean;
  /** brelse: bdwrite (mark it B_DELWRI first). */
  readonly delwri?: boolean;
  /** bmap: file block `block` of `file`; `why` says who asks (`vnd write` counts lower buffer reads). */
  readonly file?: string;
  readonly block?: number;
  readonly why?: 'vnd write' | 'vnd read' | 'read';
}

/** What a call returns. */
export interface FsOutput {
  readonly buf?: string;
  /** getblk/bread: the buffer had valid data. */
  readonly cached?: boolean;
  readonly ios?: number;
  /** buf_trim/getnewbuf: blocks of memory freed; and whether bufmem is still over hiwater. */
  readonly freed?: number;
  readonly over?: boolean;
}

interface FsContext extends FsInput {
  readonly cached: boolean;
  readonly freed: number;
  readonly over: boolean;
  /** needbuffer generation seen when buf_malloc found memory full. */
  readonly gen: number;
}

/** An argument the function being run was called with (its caller passes it: getblk's vnode, allocbuf's buf, ...). */
function arg<K extends 'vnode' | 'blkno' | 'buf' | 'cache' | 'file' | 'block'>(ctx: FsContext, name: K): NonNullable<FsInput[K]> {
  return required(ctx[name], `${ctx.fn}: argument ${name}`);
}

function cacheOf(ctx: FsContext): string {
  return ctx.cache ?? vnodeInfo(ctx.env, vnodeOf(arg(ctx, 'buf'))).cache;
}

/** Call another function of the chart as a frame on this context. */
function callFunction(fn: FsFunction, context: FsContext, args: Omit<FsInput, 'env' | 'fn'>): EffectOf<'call'> {
  return call(fn, { input: { env: context.env, fn, ...args } satisfies FsInput });
}

const fsSetup = setup({
  // What comes back from a frame of this chart is an FsOutput (a vndstrategy call returns nothing, and no transition reads it).
  types: layerTypes<{ context: FsContext; input: FsInput; events: KernelEventOf<unknown, FsOutput>; output: FsOutput }>(),
  guards: {
    calledAsGetblk: ({ context }) => context.fn === 'getblk',
    calledAsBread: ({ context }) => context.fn === 'bread',
    calledAsBrelse: ({ context }) => context.fn === 'brelse',
    calledAsAllocbuf: ({ context }) => context.fn === 'allocbuf',
    calledAsBufTrim: ({ context }) => context.fn === 'buf_trim',
    calledAsGetnewbuf: ({ context }) => context.fn === 'getnewbuf',
    calledAsBawrite: ({ context }) => context.fn === 'bawrite',
    freshBuffer: ({ event }) => event.type === 'getblk.ok' && event.fresh,
    bufferCached: ({ event }) => outputOf(event).cached === true,
    onVndDevice: ({ context }) => deviceInfo(context.env, vnodeInfo(context.env, vnodeOf(arg(context, 'buf'))).dev).kind === 'vnd',
    trimsInAllocbuf: ({ context }) => context.env.trim === 'allocbuf',
    trimsAndOverHiwater: ({ context, event }) => context.env.trim === 'allocbuf' && event.type === 'bufMalloc.ok' && event.over,
    trimFreedAndStillOver: ({ event }) => (outputOf(event).freed ?? 0) > 0 && outputOf(event).over === true,
    drainFreedSome: ({ event }) => (outputOf(event).freed ?? 0) > 0,
    lastLockReleasedOverHiwater: ({ event }) => event.type === 'brelse.ok' && event.locked === 0 && event.over,
    directBlock: ({ context }) => indirectFor(fileInfo(context.env, arg(context, 'file')), arg(context, 'block')) === undefined,
  },
  actions: {
    // ---- getblk / bread
    lookUpAndLock: emit(({ context }) => getblk(vnodeInfo(context.env, arg(context, 'vnode')).cache, arg(context, 'vnode'), arg(context, 'blkno'))),
    rememberLockedBuffer: assign(({ event }) => (event.type === 'getblk.ok' ? { buf: event.buf, cached: event.cached, ios: event.ios } : {})),
    callAllocbuf: emit(({ context }) => callFunction('allocbuf', context, { buf: context.buf })),
    callGetblk: emit(({ context }) => callFunction('getblk', context, { vnode: context.vnode, blkno: context.blkno })),
    rememberBuffer: assign(({ event }) => {
      const o = outputOf(event);
      return { buf: o.buf, cached: o.cached ?? false, ios: o.ios };
    }),
    /** bio_doread: B_READ, VOP_STRATEGY; the disk path queues it here, a vnd path is a call. */
    startRead: enqueueActions(({ context, enqueue }) => {
      const cache = cacheOf(context);
      const buf = arg(context, 'buf');
      const bio = bioOf(buf, 'read', context.ios ?? 0);
      enqueue.emit(bufio(cache, buf, 'read'));
      enqueue.emit(bioSubmit(bio));
      const dev = vnodeInfo(context.env, vnodeOf(buf)).dev;
      if (deviceInfo(context.env, dev).kind === 'disk') for (const e of issueToDisk(context.env, dev, { bio, buf: context.buf, units: [] })) enqueue.emit(e);
      else enqueue.emit(call('vndstrategy', { input: { env: context.env, role: 'strategy', unit: dev, req: { bio, op: 'read', block: devBlockOf(context.env, buf), buf: context.buf, units: [] } } }));
    }),
    biowait: emit(({ context }) => biowait(cacheOf(context), arg(context, 'buf'))),
    // ---- brelse
    releaseBuffer: emit(({ context }) => brelse(cacheOf(context), arg(context, 'buf'), { delwri: context.delwri, ack: context.env.trim === 'brelse' })),
    // ---- allocbuf
    bufMalloc: emit(({ context }) => bufMalloc(cacheOf(context), arg(context, 'buf'))),
    recordOvershoot: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'bufMalloc.ok') return;
      enqueue.emit(metric('bufmemOvershoot', { max: Math.max(0, event.bufmem - event.hiwater) }));
      enqueue.emit(metric('maxLockedAtAlloc', { max: event.locked }));
    }),
    rememberGen: assign(({ event }) => (event.type === 'bufMalloc.full' ? { gen: event.gen } : {})),
    /** buf_drain(1): one buf_trim that may not sleep. */
    callDrain: emit(({ context }) => callFunction('buf_trim', context, { cache: cacheOf(context), wait: false })),
    sleepOnNeedbuffer: emit(({ context }) => needbuffer(cacheOf(context), context.gen)),
    callTrim: emit(({ context }) => callFunction('buf_trim', context, { cache: cacheOf(context), wait: true })),
    callTrimAfterUnlock: emit(({ context }) => callFunction('buf_trim', context, { cache: cacheOf(context), wait: false })),
    // ---- buf_trim / getnewbuf
    countTrim: emit(metric('bufTrims', { add: 1 })),
    callGetnewbuf: emit(({ context }) => callFunction('getnewbuf', context, { cache: context.cache, wait: context.wait })),
    rememberTrimResult: assign(({ event }) => {
      const o = outputOf(event);
      return { freed: o.freed ?? 0, over: o.over ?? false };
    }),
    takeFreeBuffer: emit(({ context }) => getnewbuf(arg(context, 'cache'), context.wait ?? true)),
    rememberFreed: assign(({ event }) => (event.type === 'getnewbuf.freed' ? { freed: 1, over: event.over } : event.type === 'getnewbuf.empty' ? { freed: 0, over: event.over } : {})),
    rememberDelayedWrite: assign(({ event }) => (event.type === 'getnewbuf.delwri' ? { buf: event.buf, ios: event.ios, freed: 0 } : {})),
    countTrimWrite: emit(metric('trimWrites', { add: 1 })),
    callBawrite: emit(({ context }) => callFunction('bawrite', context, { buf: context.buf, ios: context.ios })),
    // ---- bawrite
    /** bawrite -> VOP_BWRITE -> bwrite: clear B_DELWRI, set B_ASYNC, VOP_STRATEGY (a disk queue here; a vnd is a call). */
    startWrite: enqueueActions(({ context, enqueue }) => {
      const cache = cacheOf(context);
      const buf = arg(context, 'buf');
      const bio = bioOf(buf, 'write', context.ios ?? 0);
      enqueue.emit(bufio(cache, buf, 'write'));
      enqueue.emit(bioSubmit(bio));
      const dev = vnodeInfo(context.env, vnodeOf(buf)).dev;
      if (deviceInfo(context.env, dev).kind === 'disk') for (const e of issueToDisk(context.env, dev, { bio, buf: context.buf, units: [] })) enqueue.emit(e);
    }),
    callVndstrategy: emit(({ context }) => {
      const buf = arg(context, 'buf');
      const dev = vnodeInfo(context.env, vnodeOf(buf)).dev;
      const bio = bioOf(buf, 'write', context.ios ?? 0);
      return call('vndstrategy', { input: { env: context.env, role: 'strategy', unit: dev, req: { bio, op: 'write', block: devBlockOf(context.env, buf), buf: context.buf, units: [] } } });
    }),
    // ---- bmap
    callBreadIndirect: emit(({ context }) => callFunction('bread', context, { vnode: context.file, blkno: indirectFor(fileInfo(context.env, arg(context, 'file')), arg(context, 'block')) })),
    /** Mapping a vnd write needed a lower buffer: the hidden dependency (and whether its block had to come from the disk). */
    countLowerRead: enqueueActions(({ context, enqueue }) => {
      if (context.why !== 'vnd write') return;
      enqueue.emit(metric('lowerBufferReadsDuringWrite', { add: 1 }));
      if (!context.cached) enqueue.emit(metric('indirectMissesDuringWrite', { add: 1 }));
    }),
    callBrelse: emit(({ context }) => callFunction('brelse', context, { buf: context.buf })),
  },
});

/** The chart, named `id`: every function, entered at the one `input.fn` names. */
function fsChart(id: string) {
  return fsSetup.createMachine({
    id,
    context: ({ input }) => ({ ...input, cached: false, freed: 0, over: false, gen: 0 }),
    initial: 'called',
    states: {
      /** A fresh frame: enter the function the caller named. */
      called: {
        always: [
          { guard: 'calledAsGetblk', target: 'getblk' },
          { guard: 'calledAsBread', target: 'bread' },
          { guard: 'calledAsBrelse', target: 'brelse' },
          { guard: 'calledAsAllocbuf', target: 'allocbuf' },
          { guard: 'calledAsBufTrim', target: 'buf_trim' },
          { guard: 'calledAsGetnewbuf', target: 'getnewbuf' },
          { guard: 'calledAsBawrite', target: 'bawrite' },
          { target: 'bmap' },
        ],
      },
      /** getblk: find the block in core and lock it (sleep "getblk" while B_BUSY); a fresh buffer gets memory from allocbuf. */
      getblk: {
        initial: 'lockingBuffer',
        states: {
          lockingBuffer: {
            tags: ['blocked'],
            entry: 'lookUpAndLock',
            on: {
              'getblk.ok': [
                { guard: 'freshBuffer', target: 'allocatingMemory', actions: 'rememberLockedBuffer' },
                { target: '#returned', actions: 'rememberLockedBuffer' },
              ],
            },
          },
          allocatingMemory: { tags: ['blocked'], entry: 'callAllocbuf', on: { 'call.return': '#returned' } },
        },
      },
      /** bread: getblk, and when the buffer holds no valid data, read it and biowait. */
      bread: {
        initial: 'gettingBuffer',
        states: {
          gettingBuffer: {
            tags: ['blocked'],
            entry: 'callGetblk',
            on: {
              'call.return': [
                { guard: 'bufferCached', target: '#returned', actions: 'rememberBuffer' },
                { target: 'startingRead', actions: 'rememberBuffer' },
              ],
            },
          },
          startingRead: {
            entry: 'startRead',
            always: [{ guard: 'onVndDevice', target: 'readingThroughVnd' }, { target: 'waitingForRead' }],
          },
          readingThroughVnd: { tags: ['blocked'], on: { 'call.return': 'waitingForRead' } },
          waitingForRead: { tags: ['blocked'], entry: 'biowait', on: { 'biowait.ok': '#returned' } },
        },
      },
      /** brelse (bdwrite with `delwri`). With A-F4, a thread that just released its last locked buffer trims here. */
      brelse: {
        initial: 'releasingBuffer',
        states: {
          releasingBuffer: {
            entry: 'releaseBuffer',
            always: { guard: 'trimsInAllocbuf', target: '#returned' },
            on: {
              'brelse.ok': [{ guard: 'lastLockReleasedOverHiwater', target: 'trimmingAfterUnlock' }, { target: '#returned' }],
            },
          },
          trimmingAfterUnlock: {
            tags: ['blocked'],
            entry: 'callTrimAfterUnlock',
            on: {
              'call.return': [
                { guard: 'trimFreedAndStillOver', target: 'trimmingAfterUnlock', reenter: true },
                { target: '#returned' },
              ],
            },
          },
        },
      },
      /**
       * allocbuf: buf_malloc (drain once, then sleep "buf_malloc" on
       * needbuffer, at the hard limit), bufmem += size, and while bufmem is
       * over hiwater, buf_trim — all while the caller holds the buffer B_BUSY.
       */
      allocbuf: {
        initial: 'gettingMemory',
        states: {
          gettingMemory: {
            entry: 'bufMalloc',
            on: {
              'bufMalloc.ok': [
                { guard: 'trimsAndOverHiwater', target: 'trimmingCache', actions: 'recordOvershoot' },
                { target: '#returned', actions: 'recordOvershoot' },
              ],
              'bufMalloc.full': [
                { guard: 'trimsInAllocbuf', target: 'drainingCache', actions: 'rememberGen' },
                { target: 'sleepingForMemory', actions: 'rememberGen' },
              ],
            },
          },
          drainingCache: {
            tags: ['blocked'],
            entry: 'callDrain',
            on: { 'call.return': [{ guard: 'drainFreedSome', target: 'gettingMemory' }, { target: 'sleepingForMemory' }] },
          },
          sleepingForMemory: { tags: ['blocked'], entry: 'sleepOnNeedbuffer', on: { 'needbuffer.woken': 'gettingMemory' } },
          trimmingCache: {
            tags: ['blocked'],
            entry: 'callTrim',
            on: {
              'call.return': [{ guard: 'trimFreedAndStillOver', target: 'trimmingCache', reenter: true }, { target: '#returned' }],
            },
          },
        },
      },
      /** buf_trim: getnewbuf from the free queues; what it freed. */
      buf_trim: {
        initial: 'gettingNewBuffer',
        states: {
          gettingNewBuffer: {
            tags: ['blocked'],
            entry: ['countTrim', 'callGetnewbuf'],
            on: { 'call.return': { target: '#returned', actions: 'rememberTrimResult' } },
          },
        },
      },
      /** getnewbuf(from_bufq): AGE head, else LRU head; a delayed write is started (bawrite) and nothing is returned. */
      getnewbuf: {
        initial: 'takingFreeBuffer',
        states: {
          takingFreeBuffer: {
            tags: ['blocked'],
            entry: 'takeFreeBuffer',
            on: {
              'getnewbuf.freed': { target: '#returned', actions: 'rememberFreed' },
              'getnewbuf.empty': { target: '#returned', actions: 'rememberFreed' },
              'getnewbuf.delwri': { target: 'writingDelayedBuffer', actions: ['rememberDelayedWrite', 'countTrimWrite'] },
            },
          },
          writingDelayedBuffer: { tags: ['blocked'], entry: 'callBawrite', on: { 'call.return': '#returned' } },
        },
      },
      /** bawrite: start the write (B_ASYNC) and hand it to the device's strategy; never waits for it. */
      bawrite: {
        initial: 'startingWrite',
        states: {
          startingWrite: {
            entry: 'startWrite',
            always: [{ guard: 'onVndDevice', target: 'writingThroughVnd' }, { target: '#returned' }],
          },
          writingThroughVnd: { tags: ['blocked'], entry: 'callVndstrategy', on: { 'call.return': '#returned' } },
        },
      },
      /** ufs_bmaparray: a direct block is in the inode; otherwise bread the indirect block, look, brelse it. */
      bmap: {
        initial: 'mapping',
        states: {
          mapping: { always: [{ guard: 'directBlock', target: '#returned' }, { target: 'readingIndirectBlock' }] },
          readingIndirectBlock: {
            tags: ['blocked'],
            entry: 'callBreadIndirect',
            on: { 'call.return': { target: 'releasingIndirectBlock', actions: ['rememberBuffer', 'countLowerRead'] } },
          },
          releasingIndirectBlock: { tags: ['blocked'], entry: 'callBrelse', on: { 'call.return': '#returned' } },
        },
      },
      returned: { id: 'returned', type: 'final' },
    },
    output: ({ context }) => ({ buf: context.buf, cached: context.cached, ios: context.ios, freed: context.freed, over: context.over }),
  });
}

/** The buffer-cache chart as a whole (what `biostack machines filesystem` draws). */
export const filesystem = fsChart('filesystem');

/** Each function as a callable machine named after it, so a call chain reads `getblk -> allocbuf -> buf_trim`. */
export const fsFunctions: Readonly<Record<FsFunction, typeof filesystem>> = {
  // In FS_FUNCTIONS order; the Record type makes the compiler check that every function is here, once.
  getblk: fsChart('getblk'),
  bread: fsChart('bread'),
  brelse: fsChart('brelse'),
  allocbuf: fsChart('allocbuf'),
  buf_trim: fsChart('buf_trim'),
  getnewbuf: fsChart('getnewbuf'),
  bawrite: fsChart('bawrite'),
  bmap: fsChart('bmap'),
};
