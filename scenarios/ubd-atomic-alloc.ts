/**
 * S-B1: the UML ubd driver sleeping in atomic context (seed 001, Jeff Dike,
 * Sep 2005: "the ubd driver must issue I/O requests to the host even if there
 * is no memory available"). DOMAIN.md §1.B B-1, B-2.
 *
 * Each request needs a header buffer and one aio per COW chunk. The 2.6.14
 * request function allocates them with kmalloc(GFP_KERNEL) while holding the
 * queue spin lock with interrupts off: a call that may sleep in atomic
 * context, flagged on the call even when memory is plentiful. Dropping the
 * lock (B-F1) makes the sleep legal, but under permanent pressure nothing in
 * flight will ever free memory (B-2). Jeff's emergency buffers (B-F2) and the
 * reviewer's mempool both make progress with no memory at all, at the price
 * of one request in flight (or minNr / buffers per request) at a time.
 *
 * Writes here never overlap: this scenario is about memory, not order (that
 * is ubd-reorder). The fixes sequence requests with Jeff's tickets, as his
 * patch set does: B-F1 opens the queue to concurrent submitters.
 */
import { diskParams } from '../machines/disk.js';
import { MEMPOOL_VERSIONS, defineScenario, type MempoolVersionName, type SystemSpec } from '../src/index.js';
import { ubdAllocSystem, ubdScripts, type UbdAllocSystem } from './ubd-alloc-system.js';

const COMMON = ['submitters', 'writes', 'chunks', 'pressure', 'allocFailP', 'latency'] as const;

const DRIVERS = {
  buggy: { holdLock: true, buffers: 'GFP_KERNEL', sequencing: 'none' },
  'fix-drop-lock': { holdLock: false, buffers: 'GFP_KERNEL', sequencing: 'none' },
  'fix-emergency-buffer': { holdLock: false, buffers: 'emergency', sequencing: 'tickets' },
  'fix-mempool': { holdLock: false, buffers: 'mempool', sequencing: 'tickets' },
} satisfies Readonly<Record<string, UbdAllocSystem['driver']>>;

export const ubdAtomicAlloc = defineScenario({
  name: 'ubd-atomic-alloc',
  title: 'ubd sleeping in atomic context',
  seed: '001_f0963b53fce9cf7d.txt',
  ref: 'DOMAIN.md §1.B B-1, B-2, §2 S-B1',
  summary:
    'do_ubd_request allocates a header and one aio per COW chunk with kmalloc(GFP_KERNEL) while holding the queue spin lock with interrupts off; the fixes must make progress with no free memory at all.',
  params: {
    submitters: { type: 'int', default: 2, min: 1, max: 16, doc: 'guest processes writing through ubd, each running the request function itself', swarm: [1, 8] },
    writes: { type: 'int', default: 4, min: 1, max: 1000, doc: 'writes in all, dealt round-robin to the submitters, each to sectors of its own', swarm: [1, 40] },
    chunks: { type: 'int', default: 2, min: 1, max: 4, doc: 'pieces the COW bitmap splits each request into: one aio (and one host iocb) each, so a request needs 1 + chunks buffers', swarm: [1, 4] },
    pressure: { type: 'enum', default: 'always', values: ['none', 'random', 'always'], doc: 'memory pressure: none, random (allocFailP percent of attempts fail), always (every attempt fails; GFP_KERNEL loops in reclaim and congestion_wait)' },
    allocFailP: { type: 'int', default: 30, min: 0, max: 100, doc: 'with pressure=random: percent of allocation attempts that fail (30 = probability 0.3)', swarm: [10, 50] },
    latency: diskParams.latency,
    minNr: { type: 'int', default: 3, min: 0, max: 64, doc: 'fix-mempool: buffers the mempool keeps in reserve; one request needs 1 + chunks of them', swarm: [1, 12] },
    kernel: {
      type: 'enum',
      default: '2.6.14',
      values: [...MEMPOOL_VERSIONS],
      doc: "fix-mempool: whose mm/mempool.c the pool follows: 2.6.14 sleeps untimed, 2.6.32 and later retry every 5*HZ, 4.x retry with the full mask before sleeping, 6.17 has the min_nr = 0 fix",
    },
  },
  defaultVariant: 'buggy',
  variants: {
    buggy: {
      summary: '2.6.14: kmalloc(GFP_KERNEL) for the header and each chunk under the queue spin lock, interrupts off',
      ref: 'B-1',
      expect: { kind: 'must', outcome: 'violation' },
      uses: COMMON,
    },
    'fix-drop-lock': {
      summary: 'B-F1 alone: the lock is dropped around allocation, so GFP_KERNEL may sleep; with no memory it loops in reclaim and congestion_wait forever, and no request ever reaches the host',
      ref: 'B-F1, B-2',
      // Not a deadlock: 2.6.14 mm/page_alloc.c __alloc_pages never sleeps until a free; a small
      // GFP_KERNEL allocation loops (do_retry, order <= 3) with blk_congestion_wait(WRITE, HZ/50),
      // a timed sleep, so the sleeper stays live and the run makes no progress (FIDELITY.md §2.6).
      expect: { kind: 'must', outcome: 'no-progress' },
      uses: COMMON,
    },
    'fix-emergency-buffer': {
      summary: "Jeff's patches: lock dropped, kmalloc(GFP_ATOMIC), on failure a static emergency header/aio behind semaphores the interrupt handler ups; tickets keep queue order",
      ref: 'B-F1+B-F2+B-F3',
      expect: { kind: 'must', outcome: 'completed' },
      uses: COMMON,
      evidence: { metric: 'emergencyUses', doc: 'allocations that failed and fell back to an emergency buffer' },
    },
    'fix-mempool': {
      summary: "the reviewer's alternative: lock dropped, a request's buffers from a mempool whose reserve (minNr) covers one request; tickets keep queue order",
      ref: 'B-F1+mempool+B-F3',
      expect: { kind: 'must', outcome: 'completed' },
      uses: [...COMMON, 'minNr', 'kernel'],
      evidence: { metric: 'ubd.buffers.reserveAllocs', doc: 'buffers the mempool served from its reserve because kmalloc failed' },
    },
  },
  build(variant, params): SystemSpec {
    const { submitters, writes, chunks, pressure, allocFailP, latency } = params;
    const system = ubdAllocSystem({
      scripts: ubdScripts({ submitters, writes, chunks }),
      pressure,
      allocFailP,
      latency,
      driver: DRIVERS[variant],
      ...(variant === 'fix-mempool' ? { minNr: params.minNr, mempoolVersion: params.kernel as MempoolVersionName } : {}),
    });
    // UML (ubd-alloc-system.ts): HZ 100, so io_schedule_timeout(5*HZ) is 500 ticks.
    return system;
  },
});
