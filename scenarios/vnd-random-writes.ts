/**
 * S-A3, probabilistic form (DOMAIN.md §2 S-A3 "Probabilistic"): a process
 * writes whole blocks at random over vnd0 (getblk + bdwrite: delayed writes),
 * the syncer flushes vnd0 every `period` ticks, the vnd thread maps each write
 * through F0's indirect blocks in the (global) buffer cache. Whether it
 * deadlocks depends on the interleaving: only when the last free buffers are
 * taken by dirty vnd data while the vnd thread needs a buffer for an
 * indirect block not in core, and no write is left at the disk whose
 * completion could wake it.
 *
 * The defaults are a small form (20 blocks of buffer memory, 120 writes over
 * 512 blocks: it deadlocks on about half of the schedules, and a run takes a
 * tenth of a second). `buggy-full-size` is DOMAIN.md's realistic form: 256
 * blocks of buffer memory, 1,000 writes over a 64 MiB vnd of 8 KiB blocks,
 * 32 indirect blocks (about 80% of translations find theirs in core), written
 * in bursts of 4 per tick — dirty data per syncer period comparable to memory,
 * which is what makes it possible; at one write per tick the syncer and the
 * vnd thread keep up and it never deadlocks.
 */
import { diskParams } from '../machines/disk.js';
import { Prng, defineScenario, type SystemSpec } from '../src/index.js';
import { fsWorkload, type FsOp } from '../machines/fs-workload.js';
import { syncer } from '../machines/syncer.js';
import { buildVndStack, refuseSparseWithPreload } from './vnd-stack.js';

const COMMON = ['memory', 'hiwater', 'writes', 'blocks', 'perIndirect', 'burst', 'gap', 'period', 'latency', 'maxActive', 'workload'] as const;

export const vndRandomWrites = defineScenario({
  name: 'vnd-random-writes',
  title: 'threaded vnd under random writes and a periodic syncer: the buffer-memory deadlock on some schedules',
  seed: '000_0458200db6990adb.txt',
  ref: 'DOMAIN.md §1.A A-3, §2 S-A3 (probabilistic)',
  summary:
    'Random delayed writes to a vnd and a periodic syncer: on some interleavings every buffer is a write queued at the vnd thread just when it needs one for an indirect block of the backing file.',
  params: {
    memory: { type: 'int', default: 20, min: 4, max: 65536, doc: 'buffer memory in blocks (the hard limit)', swarm: [12, 48] },
    hiwater: { type: 'int', default: 15, min: 1, max: 65536, doc: 'bufmem_hiwater in blocks (allocbuf trims above it)', swarm: [9, 36] },
    writes: { type: 'int', default: 120, min: 1, max: 100000, doc: 'whole-block writes to vnd0, at random blocks', swarm: [50, 300] },
    blocks: { type: 'int', default: 512, min: 1, max: 1048576, doc: 'size of vnd0 in blocks' },
    perIndirect: { type: 'int', default: 256, min: 1, max: 65536, doc: 'NINDIR: blocks of the backing file one indirect block maps (how often mapping a write finds its indirect block in core)' },
    burst: { type: 'int', default: 1, min: 1, max: 100000, doc: 'writes issued back to back before each think time' },
    gap: { type: 'int', default: 1, min: 0, max: 1000, doc: 'ticks the writer thinks after each burst' },
    period: { type: 'int', default: 24, min: 1, max: 100000, doc: 'syncer period in ticks' },
    latency: { ...diskParams.latency, default: 3, swarm: undefined },
    maxActive: { type: 'int', default: 8, min: 1, max: 64, doc: 'sc_maxactive of the vnd thread' },
    workload: { type: 'int', default: 1, min: 1, max: 1000000, doc: 'seed of the random block sequence (fixed: schedules vary with --seed)' },
    split: { type: 'int', default: 50, min: 1, max: 99, doc: "fix-per-vnd-cache: percent of hiwater and memory that vnd0's own cache gets" },
    sparse: { type: 'bool', default: false, doc: 'the backing file has holes (fix-preload-bmap refuses it)' },
  },
  defaultVariant: 'buggy',
  variants: {
    buggy: {
      summary: 'one global cache, block map read through it, trimming in allocbuf',
      ref: 'A-3',
      expect: { kind: 'may', outcome: 'deadlock' },
      uses: COMMON,
    },
    'buggy-full-size': {
      summary: 'the same, realistic size: 256 blocks of memory, 1,000 writes in bursts of 4 over 64 MiB, syncer every 30 ticks',
      ref: 'A-3',
      expect: { kind: 'may', outcome: 'deadlock' },
      uses: COMMON,
      defaults: { memory: 256, hiwater: 192, writes: 1000, blocks: 8192, perIndirect: 256, burst: 4, period: 30 },
    },
    'fix-preload-bmap': {
      summary: 'block map preloaded at VNDIOCSET',
      ref: 'A-F2',
      expect: { kind: 'must', outcome: 'completed' },
      uses: [...COMMON, 'sparse'],
      evidence: { metric: 'bmapPreloaded', doc: 'writes mapped from the preloaded map' },
    },
    'fix-per-vnd-cache': {
      summary: "vnd0's buffers in a cache of their own",
      ref: 'A-F3',
      expect: { kind: 'must', outcome: 'completed' },
      uses: [...COMMON, 'split'],
      evidence: { metric: 'lowerBufferReadsDuringWrite', doc: 'indirect blocks read from the lower cache to map a write' },
    },
    'fix-raw-device': {
      summary: 'the writer uses the raw device rvnd0 (physio): no buffer-cache buffers for vnd data',
      ref: 'A-F0',
      expect: { kind: 'must', outcome: 'completed' },
      uses: COMMON,
      evidence: { metric: 'vndHandoffs', doc: 'raw writes the vnd thread mapped (through the lower cache)' },
    },
  },
  build(variant, params): SystemSpec {
    const p = params;
    if (variant === 'fix-preload-bmap') refuseSparseWithPreload('vnd-random-writes', params.sparse);
    const rng = new Prng(`vnd-random-writes:${p.workload}`);
    const raw = variant === 'fix-raw-device';
    const ops: FsOp[] = [];
    for (let i = 0; i < p.writes; i++) {
      const block = rng.int(p.blocks);
      ops.push(raw ? { op: 'rawWrite', unit: 'vnd0', block } : { op: 'write', vnode: 'vnd0', blkno: block });
      if (p.gap > 0 && (i + 1) % p.burst === 0) ops.push({ op: 'sleep', ticks: p.gap });
    }
    return buildVndStack({
      mode: 'threaded',
      preloaded: variant === 'fix-preload-bmap',
      perVndCache: variant === 'fix-per-vnd-cache' ? { split: params.split } : undefined,
      hiwater: p.hiwater,
      memory: p.memory,
      perIndirect: p.perIndirect,
      maxActive: p.maxActive,
      latency: p.latency,
      buffers: [],
      workloads: (sys, env, cpu) => {
        // The writer says it is done; the syncer stops flushing once it has.
        const done = sys.channel('writer.done', { capacity: 1, readers: 1, writers: 1 });
        sys.context({ name: 'writer', kind: 'thread', cpu, user: true, machine: fsWorkload, input: { env, ops, done: done.writer } });
        sys.context({ name: 'syncer', kind: 'thread', cpu, machine: syncer, input: { env, vnodes: ['vnd0'], period: p.period, done: done.reader } });
      },
    });
  },
});
