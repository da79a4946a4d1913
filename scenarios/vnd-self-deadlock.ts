/**
 * S-A1: the synchronous vnd's self-deadlock (seed 000, PR 12189; DOMAIN.md
 * §1.A A-1). P reads block 12 of vnd0's backing file F0, whose address is in
 * indirect block F0:ind0 (I), not in core. getblk(I) hashes a fresh buffer
 * and marks it B_BUSY for P, then allocbuf pushes bufmem over hiwater, so
 * buf_trim -> getnewbuf takes the LRU head: vnd0:12 (D1), a delayed write of
 * the upper file system, whose vnd block 12 is F0's block 12 — mapped by I.
 * bawrite -> vndstrategy runs in P: bmap(F0, 12) -> bread(I) -> getblk(I):
 * I is B_BUSY, owned by P. P sleeps on a buffer only P can release.
 *
 * Deterministic: AGE empty, D1 at the LRU head, the cache exactly at hiwater
 * before I is allocated, and I the indirect block that maps D1. Memory is
 * not exhausted (memory > hiwater + 1).
 */
import { diskParams } from '../machines/disk.js';
import { defineScenario, type SystemSpec } from '../src/index.js';
import { fsWorkload } from '../machines/fs-workload.js';
import { NDADDR, buildVndStack, refuseSparseWithPreload } from './vnd-stack.js';

const ALL = ['hiwater', 'memory', 'latency'] as const;
/** D1: vnd0 block 12 = F0 file block 12, the first block F0:ind0 maps. */
const D1 = NDADDR;

export const vndSelfDeadlock = defineScenario({
  name: 'vnd-self-deadlock',
  title: 'synchronous vnd: getblk sleeps on the buffer it is allocating',
  seed: '000_0458200db6990adb.txt',
  ref: 'DOMAIN.md §1.A A-1, §2 S-A1',
  summary:
    "getblk(I) locks a fresh buffer I and allocbuf trims: getnewbuf takes a delayed write of the upper file system and bawrites it; the synchronous vndstrategy maps it in the caller's context, which needs indirect block I — B_BUSY, owned by the caller itself.",
  params: {
    hiwater: { type: 'int', default: 3, min: 1, max: 4096, doc: 'bufmem_hiwater in blocks; the cache holds exactly this much at boot (D1 at the LRU head, clean lower-FS blocks behind it)', swarm: [1, 8] },
    memory: { type: 'int', default: 8, min: 2, max: 65536, doc: 'buffer memory in blocks (the hard limit; by default well above hiwater: memory is not what runs out here)', swarm: [2, 16] },
    latency: diskParams.latency,
    split: { type: 'int', default: 34, min: 1, max: 99, doc: "fix-per-vnd-cache: percent of hiwater and memory that vnd0's own cache gets; the lower file system's cache keeps the rest" },
    sparse: { type: 'bool', default: false, doc: "the backing file F0 has holes (fix-preload-bmap refuses it: VNDIOCSET cannot preload a hole's address)" },
  },
  defaultVariant: 'buggy',
  variants: {
    buggy: {
      summary: 'pre-2005 vnd: vndstrategy translates in the caller, under the caller\'s allocbuf',
      ref: 'A-1',
      expect: { kind: 'must', outcome: 'deadlock' },
      uses: ALL,
    },
    'fix-thread': {
      summary: '2005 vnd: vndstrategy queues the buf for the unit thread, which maps it after P released I',
      ref: 'A-F1',
      expect: { kind: 'must', outcome: 'completed' },
      uses: ALL,
      evidence: { metric: 'trimWrites', doc: "trims that started a delayed write (P's allocbuf did reach D1 while holding I)" },
    },
    'fix-preload-bmap': {
      summary: 'block map preloaded at VNDIOCSET: translating D1 reads no buffer',
      ref: 'A-F2',
      expect: { kind: 'must', outcome: 'completed' },
      uses: [...ALL, 'sparse'],
      evidence: { metric: 'bmapPreloaded', doc: 'translations answered from the preloaded map (D1 was written while P held I)' },
    },
    'fix-per-vnd-cache': {
      summary: "vnd0's buffers in a cache of their own: trimming for I only ever touches lower-FS buffers",
      ref: 'A-F3',
      expect: { kind: 'must', outcome: 'completed' },
      uses: [...ALL, 'split'],
      evidence: { metric: 'bufTrims', doc: "buf_trim calls (allocating I did push the lower cache over its hiwater)" },
    },
  },
  build(variant, params): SystemSpec {
    const { hiwater, memory, latency } = params;
    if (variant === 'fix-preload-bmap') refuseSparseWithPreload('vnd-self-deadlock', params.sparse);
    const split = variant === 'fix-per-vnd-cache' ? params.split : undefined;
    const perVnd = split !== undefined;
    // D1 heads the LRU queue; clean lower-FS blocks fill the cache to hiwater (with per-vnd
    // caches, each cache to its own hiwater: D1 alone in vnd0's, the clean blocks in the lower one).
    const fillers = perVnd ? hiwater - Math.max(1, Math.round((hiwater * split) / 100)) : hiwater - 1;
    const buffers = [{ vnode: 'vnd0', blkno: D1, dirty: true }, ...Array.from({ length: Math.max(0, fillers) }, (_, k) => ({ vnode: 'L', blkno: k, dirty: false }))];
    return buildVndStack({
      mode: variant === 'fix-thread' ? 'threaded' : 'sync',
      preloaded: variant === 'fix-preload-bmap',
      perVndCache: perVnd ? { split } : undefined,
      hiwater,
      memory,
      perIndirect: 4,
      latency,
      buffers,
      workloads: (sys, env, cpu) => sys.context({ name: 'P', kind: 'thread', cpu, user: true, machine: fsWorkload, input: { env, ops: [{ op: 'bmap', file: 'F0', block: D1 }] } }),
    });
  },
});
