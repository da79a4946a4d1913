/**
 * vnd(4), the vnode disk driver (`sys/dev/vnd.c`): a block device whose
 * blocks are a file's blocks. Writing vnd block b means translating file
 * block b of the backing file with VOP_BMAP — which for FFS may bread an
 * indirect block through the *lower* file system's buffer cache — and
 * sending a nested buf to the device the file lives on (a disk, or another
 * vnd when vnds are nested).
 *
 * Two roles of one chart:
 * - `strategy` (vndstrategy, a frame on the caller's context). Synchronous
 *   (before 2005): translate and issue right here, so bmap runs on the stack
 *   of whoever called bawrite — possibly inside that caller's allocbuf.
 *   Threaded: put the buf on the unit's queue (sc_tab) and return; the
 *   translation starts over on the unit thread's own stack.
 * - `thread` (vndthread, the unit's kernel thread): take a buf, wait for a
 *   transfer slot ("vndac": sc_active < sc_maxactive), translate, issue.
 *
 * With a preloaded block map (A-F2) translation reads nothing.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { bufHandoff, call, down, get, itemOf, layerTypes, metric, put, required, type KernelEventOf } from '../src/model/index.js';
import { deviceInfo, fileInfo, issueToDisk, vnodeInfo, vnodeOf, type StorageEnv, type VndRequest } from './storage-env.js';

export interface VndInput {
  readonly env: StorageEnv;
  readonly role: 'strategy' | 'thread';
  /** The unit, e.g. `vnd0`. */
  readonly unit: string;
  /** strategy: the buf to translate and issue. */
  readonly req?: VndRequest;
}

type VndContext = VndInput;

function unitOf(context: VndContext) {
  const d = deviceInfo(context.env, context.unit);
  if (d.kind !== 'vnd') throw new Error(`vnd: '${context.unit}' is not a vnd unit`);
  return d;
}

/** The buf being translated: a strategy's input, or what the thread took from its queue. */
const reqOf = (context: VndContext): VndRequest => required(context.req, `vnd: context.req (${context.role} of ${context.unit} has no buf)`);

/** A threaded unit's queue, thread and transfer-slot semaphore (a sync unit has none). */
const threadedPart = (context: VndContext, part: 'queue' | 'thread' | 'active'): string => required(unitOf(context)[part], `vnd: ${context.unit}.${part} (a threaded unit's)`);

/** Where the backing file's block `block` lives: its file system's device and the block there. */
function lowerTarget(context: VndContext): { dev: string; block: number } {
  const f = fileInfo(context.env, unitOf(context).file);
  return { dev: f.dev, block: f.dataAt + reqOf(context).block };
}

const vndSetup = setup({
  types: layerTypes<{ context: VndContext; input: VndInput; events: KernelEventOf<VndRequest> }>(), // its queue carries bufs
  guards: {
    isThread: ({ context }) => context.role === 'thread',
    unitThreaded: ({ context }) => unitOf(context).mode === 'threaded',
    bmapPreloaded: ({ context }) => unitOf(context).preloaded,
    fileOnVnd: ({ context }) => deviceInfo(context.env, lowerTarget(context).dev).kind === 'vnd',
  },
  actions: {
    /** vndstrategy, threaded: BUFQ_PUT on sc_tab and wake the thread; the buf's write now sits with the thread. */
    queueForThread: enqueueActions(({ context, enqueue }) => {
      const req = reqOf(context);
      if (req.buf !== undefined) enqueue.emit(bufHandoff(vnodeInfo(context.env, vnodeOf(req.buf)).cache, req.buf, [threadedPart(context, 'thread')]));
      enqueue.emit(put(threadedPart(context, 'queue'), req));
      enqueue.emit(metric('vndHandoffs', { add: 1 }));
    }),
    takeFromQueue: emit(({ context }) => get(threadedPart(context, 'queue'))),
    rememberRequest: assign({ req: ({ event }) => itemOf(event) }),
    /** VND_GETXFER + `while (sc_active >= sc_maxactive) tsleep("vndac")`. */
    waitForTransferSlot: emit(({ context }) => down(threadedPart(context, 'active'))),
    countPreloaded: emit(metric('bmapPreloaded', { add: 1 })),
    /** VOP_BMAP on the backing file (vnd blocks are file blocks one to one). */
    callBmap: emit(({ context }) => {
      const req = reqOf(context);
      return call('bmap', { input: { env: context.env, fn: 'bmap', file: unitOf(context).file, block: req.block, why: req.op === 'write' ? 'vnd write' : 'vnd read' } });
    }),
    /** handle_with_strategy: a nested buf straight to the disk the file lives on. */
    issueToDisk: enqueueActions(({ context, enqueue }) => {
      const req = reqOf(context);
      for (const e of issueToDisk(context.env, lowerTarget(context).dev, { bio: req.bio, buf: req.buf, units: [...req.units, context.unit] })) enqueue.emit(e);
    }),
    /** The file lives on a file system on another vnd: VOP_STRATEGY of that unit. */
    callLowerVnd: emit(({ context }) => {
      const req = reqOf(context);
      const t = lowerTarget(context);
      const lower: VndRequest = { bio: req.bio, op: req.op, block: t.block, buf: req.buf, units: [...req.units, context.unit] };
      return call('vndstrategy', { input: { env: context.env, role: 'strategy', unit: t.dev, req: lower } satisfies VndInput });
    }),
    forgetRequest: assign({ req: undefined }),
  },
});

function vndChart(id: string) {
  return vndSetup.createMachine({
    id,
    context: ({ input }) => input,
    initial: 'starting',
    states: {
      starting: {
        always: [{ guard: 'isThread', target: 'waitingForWork' }, { guard: 'unitThreaded', target: 'queueingForThread' }, { target: 'translating' }],
      },
      queueingForThread: { entry: 'queueForThread', always: '#vndReturned' },
      waitingForWork: { tags: ['idle'], entry: 'takeFromQueue', on: { 'get.ok': { target: 'waitingForTransferSlot', actions: 'rememberRequest' } } },
      waitingForTransferSlot: { tags: ['blocked'], entry: 'waitForTransferSlot', on: { 'down.ok': 'translating' } },
      translating: {
        always: [{ guard: 'bmapPreloaded', target: 'issuing', actions: 'countPreloaded' }, { target: 'readingBlockMap' }],
      },
      readingBlockMap: { tags: ['blocked'], entry: 'callBmap', on: { 'call.return': 'issuing' } },
      issuing: { always: [{ guard: 'fileOnVnd', target: 'issuingToLowerVnd' }, { target: 'issued', actions: 'issueToDisk' }] },
      issuingToLowerVnd: { tags: ['blocked'], entry: 'callLowerVnd', on: { 'call.return': 'issued' } },
      issued: { always: [{ guard: 'isThread', target: 'waitingForWork', actions: 'forgetRequest' }, { target: '#vndReturned' }] },
      returned: { id: 'vndReturned', type: 'final' },
    },
  });
}

/** The chart as a whole (what `biostack machines vnd` draws). */
export const vnd = vndChart('vnd');
/** vndstrategy, called as a frame by whoever starts I/O on a vnd buffer. */
export const vndstrategy = vndChart('vndstrategy');
/** The unit's kernel thread (2005 and later). */
export const vndthread = vndChart('vndthread');
