/**
 * S-A2: vnd <-> file system recursion overflows the kernel stack (seed 000:
 * "the number of mutually recursive calls between vnd and the file system
 * drivers is not explicitly limited anywhere"; DOMAIN.md §1.A A-2).
 *
 * The upper file system has n delayed writes D1..Dn at the head of the LRU
 * queue, and vnd0 block Dk is mapped by indirect block F0:ind(k-1), none in
 * core; the cache is at hiwater. P writes one lower-FS block not in core
 * (getblk, then bdwrite): its allocbuf trims, getnewbuf bawrites D1, the synchronous vndstrategy maps D1
 * on P's stack, bread(F0:ind0) -> getblk -> allocbuf trims again and bawrites
 * D2... one vnd round trip (FRAMES_PER_ROUND_TRIP = 8 frames) per delayed
 * write. With stackLimit = 8 x maxDepth + 5 frames (vnd-stack.ts), n =
 * maxDepth completes and n = maxDepth + 1 overflows.
 *
 * Nested (vnd1's backing file F1 on a file system on vnd0, whose own delayed
 * writes E1..En sit between the Dk on the LRU queue): every Dk costs two
 * round trips — vnd1's, whose bread of F1's indirect block trims Ek, and
 * vnd0's, whose bread of F0's trims D(k+1) — so the overflow comes at
 * n = floor(maxDepth / 2) + 1.
 *
 * With the unit thread (A-F1) each hand-off starts on the thread's own
 * stack: the deepest stack is a constant (9 frames: the thread, bmap, bread,
 * getblk, allocbuf, buf_trim, getnewbuf, bawrite, vndstrategy) whatever n is.
 */
import { diskParams } from '../machines/disk.js';
import { defineScenario, type SystemSpec } from '../src/index.js';
import { fsWorkload } from '../machines/fs-workload.js';
import { BASE_FRAMES, FRAMES_PER_ROUND_TRIP, NDADDR, buildVndStack, stackLimitFor } from './vnd-stack.js';

const PER_INDIRECT = 4;
/** Nested: F0 maps its first blocks directly — all of F1 — and FS1's own data Ek lies beyond. */
const NESTED_LOWER_DIRECT = 256;

export const vndRecursion = defineScenario({
  name: 'vnd-recursion',
  title: 'synchronous vnd: mutual recursion with the file system overflows the stack',
  seed: '000_0458200db6990adb.txt',
  ref: 'DOMAIN.md §1.A A-2, §2 S-A2',
  summary:
    'Each delayed write that allocbuf trims is mapped on the same stack, and mapping it needs an uncached indirect block whose allocbuf trims the next one: one vnd round trip of 8 frames per dirty buffer, with no bound.',
  params: {
    n: { type: 'int', default: 9, min: 0, max: 64, doc: 'delayed writes of the upper file system whose indirect blocks are not in core (nested: on vnd1, with as many on vnd0 between them)', swarm: [0, 12] },
    maxDepth: { type: 'int', default: 8, min: 1, max: 64, doc: `stack size in vnd round trips: every thread gets ${FRAMES_PER_ROUND_TRIP} x maxDepth + ${BASE_FRAMES} frames`, swarm: [2, 16] },
    nested: { type: 'bool', default: false, doc: "vnd1 on a file on a file system on vnd0: each of vnd1's dirty buffers costs two round trips" },
    latency: diskParams.latency,
  },
  defaultVariant: 'buggy',
  variants: {
    buggy: {
      summary: 'pre-2005 vnd: every bawrite of a vnd buffer maps it on the caller\'s stack',
      ref: 'A-2',
      expect: { kind: 'must', outcome: 'stack-overflow' },
      uses: ['n', 'maxDepth', 'nested', 'latency'],
    },
    'fix-thread': {
      summary: '2005 vnd: vndstrategy queues for the unit thread; each hand-off starts on a fresh stack',
      ref: 'A-F1',
      expect: { kind: 'must', outcome: 'completed' },
      uses: ['n', 'maxDepth', 'nested', 'latency'],
      evidence: { metric: 'vndHandoffs', doc: 'bufs handed to a vnd thread instead of recursing' },
    },
  },
  build(variant, params): SystemSpec {
    const { n, maxDepth, nested, latency } = params;
    // vnd block NDADDR + 4k is file block NDADDR + 4k: the first block indirect block k maps.
    const dirty = (vnode: string, k: number, base: number) => ({ vnode, blkno: base + PER_INDIRECT * k, dirty: true });
    const delayed = Array.from({ length: n }, (_, k) => (nested ? [dirty('vnd1', k, NDADDR), dirty('vnd0', k, NESTED_LOWER_DIRECT)] : [dirty('vnd0', k, NDADDR)])).flat();
    // One clean block per allocation of the chain, behind them: the last trim frees them back to hiwater instead of sleeping.
    const allocations = delayed.length + 1;
    const clean = Array.from({ length: allocations }, (_, k) => ({ vnode: 'L', blkno: k, dirty: false }));
    const buffers = [...delayed, ...clean];
    return buildVndStack({
      mode: variant === 'fix-thread' ? 'threaded' : 'sync',
      preloaded: false,
      nested,
      hiwater: buffers.length,
      memory: buffers.length + allocations + 1,
      perIndirect: PER_INDIRECT,
      lowerDirect: nested ? NESTED_LOWER_DIRECT : undefined,
      latency,
      stackLimit: stackLimitFor(maxDepth),
      buffers,
      workloads: (sys, env, cpu) => sys.context({ name: 'P', kind: 'thread', cpu, user: true, machine: fsWorkload, input: { env, ops: [{ op: 'write', vnode: 'L', blkno: 'x' }] }, stackLimit: stackLimitFor(maxDepth) }),
    });
  },
});
