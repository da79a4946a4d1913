/**
 * S-A3: the vnd thread's buffer-memory deadlock (seed 000: "more threads
 * don't help the problems described in PR 12189"; DOMAIN.md §1.A A-3, A-3b).
 *
 * The upper file system's dirty buffers D fill the cache to hiwater; all are
 * mapped by indirect block I = F0:ind0 of the backing file, not in core. The
 * syncer flushes vnd0: every D is locked and bawritten, which with the vnd
 * thread only queues it — so all of the cache's memory is now in writes that
 * only the vnd thread can complete.
 *
 * - `plain`: the vnd thread maps D1: bread(I) -> getblk -> allocbuf ->
 *   over hiwater -> buf_trim -> getnewbuf finds both free queues empty and
 *   sleeps on needbuffer. Only a brelse wakes it, and the buffers are
 *   released when their writes complete — after the vnd thread has mapped
 *   them. Cycle: vnd0-thread -> needbuffer -> vnd0-thread.
 * - `holding` (A-3b): a process P reading F0 holds I B_BUSY when it runs
 *   out of buffers in allocbuf(I) and sleeps for one; the vnd thread needs I
 *   to map D1. Cycle: P -> needbuffer -> vnd0-thread -> I -> P.
 *
 * With memory = hiwater the sleep is buf_malloc's (the hard limit) instead
 * of getnewbuf's; the cycles are the same. sc_maxactive does not matter.
 */
import { diskParams } from '../machines/disk.js';
import { defineScenario, type Cpu, type SystemSpec, type Wiring } from '../src/index.js';
import { fsWorkload } from '../machines/fs-workload.js';
import { syncer } from '../machines/syncer.js';
import type { StorageEnv } from '../machines/storage-env.js';
import { NDADDR, buildVndStack, refuseSparseWithPreload } from './vnd-stack.js';

const COMMON = ['hiwater', 'memory', 'maxActive', 'latency'] as const;

export const vndBufferMemory = defineScenario({
  name: 'vnd-buffer-memory',
  title: 'threaded vnd: the vnd thread needs a buffer that only its own writes would free',
  seed: '000_0458200db6990adb.txt',
  ref: 'DOMAIN.md §1.A A-3, A-3b, §2 S-A3',
  summary:
    "All buffer memory is in delayed writes queued at the vnd thread; mapping the first needs an indirect block of the backing file, so the vnd thread (or a process holding that block) sleeps for a buffer that only those writes' completions would release.",
  params: {
    hiwater: { type: 'int', default: 2, min: 1, max: 4096, doc: 'bufmem_hiwater in blocks; the dirty vnd buffers fill the cache to it', swarm: [1, 8] },
    memory: { type: 'int', default: 3, min: 1, max: 65536, doc: 'buffer memory in blocks (hard limit); = hiwater makes the sleep buf_malloc\'s', swarm: [1, 12] },
    shape: { type: 'enum', default: 'plain', values: ['plain', 'holding'], doc: 'plain: only the vnd thread needs I; holding: process P holds I while it sleeps for a buffer' },
    maxActive: { type: 'int', default: 8, min: 1, max: 64, doc: 'sc_maxactive: concurrent transfers of the vnd thread (8 for a local file system, 2 over NFS)', swarm: [1, 8] },
    latency: diskParams.latency,
    split: { type: 'int', default: 50, min: 1, max: 99, doc: "fix-per-vnd-cache: percent of hiwater and memory that vnd0's own cache gets" },
    sparse: { type: 'bool', default: false, doc: 'the backing file F0 has holes (fix-preload-bmap refuses it)' },
  },
  defaultVariant: 'buggy',
  variants: {
    buggy: {
      summary: '2005 vnd thread: mapping D1 needs a buffer, and every buffer is a write queued at the vnd thread',
      ref: 'A-3',
      expect: { kind: 'must', outcome: 'deadlock' },
      uses: COMMON,
    },
    'buggy-holding': {
      summary: 'P holds I while it sleeps for buffer space; the vnd thread needs I',
      ref: 'A-3b',
      expect: { kind: 'must', outcome: 'deadlock' },
      uses: COMMON,
    },
    'fix-preload-bmap': {
      summary: 'block map preloaded at VNDIOCSET: the vnd thread never needs a buffer to map a write',
      ref: 'A-F2',
      expect: { kind: 'must', outcome: 'completed' },
      uses: [...COMMON, 'shape', 'sparse'],
      evidence: { metric: 'bmapPreloaded', doc: 'writes mapped from the preloaded map while the cache was full of them' },
    },
    'fix-per-vnd-cache': {
      summary: "vnd0's buffers in a cache of their own: mapping them takes buffers from the lower file system's cache",
      ref: 'A-F3',
      expect: { kind: 'must', outcome: 'completed' },
      uses: [...COMMON, 'shape', 'split'],
      evidence: { metric: 'lowerBufferReadsDuringWrite', doc: 'indirect blocks read (from the lower cache) to map a vnd write' },
    },
    'fix-no-trim-while-locked': {
      summary: 'allocbuf never trims or waits for space while the caller holds a buffer; a thread trims when it releases its last one',
      ref: 'A-F4',
      expect: { kind: 'must', outcome: 'completed' },
      uses: [...COMMON, 'shape'],
      defaults: { shape: 'holding' },
      evidence: { metric: 'bufmemOvershoot', doc: 'blocks bufmem went over hiwater (the cost: no deterministic limit while buffers are locked)' },
    },
  },
  build(variant, params): SystemSpec {
    const { hiwater, memory, maxActive, latency } = params;
    if (variant === 'fix-preload-bmap') refuseSparseWithPreload('vnd-buffer-memory', params.sparse);
    const shape = variant === 'buggy' ? 'plain' : variant === 'buggy-holding' ? 'holding' : params.shape;
    const perVnd = variant === 'fix-per-vnd-cache';
    const split = variant === 'fix-per-vnd-cache' ? params.split : 0;
    // The dirty vnd buffers fill their cache to its hiwater; all are mapped by F0:ind0.
    const dirty = perVnd ? Math.round((hiwater * split) / 100) : hiwater;
    const buffers = Array.from({ length: dirty }, (_, k) => ({ vnode: 'vnd0', blkno: NDADDR + k, dirty: true }));
    const workloads = (sys: Wiring, env: StorageEnv, cpu: Cpu): void => {
      // Booted first: the syncer's vflushbuf locks every D, and P's getblk locks I, before anything else runs.
      sys.context({ name: 'syncer', kind: 'thread', cpu, machine: syncer, input: { env, vnodes: ['vnd0'] } });
      if (shape === 'holding') sys.context({ name: 'P', kind: 'thread', cpu, user: true, machine: fsWorkload, input: { env, ops: [{ op: 'bmap', file: 'F0', block: NDADDR }] } });
    };
    return buildVndStack({
      mode: 'threaded',
      preloaded: variant === 'fix-preload-bmap',
      perVndCache: perVnd ? { split } : undefined,
      trim: variant === 'fix-no-trim-while-locked' ? 'brelse' : 'allocbuf',
      hiwater,
      memory,
      perIndirect: 64,
      maxActive,
      latency,
      buffers,
      workloads,
    });
  },
});
