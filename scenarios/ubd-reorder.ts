/**
 * S-B2: ubd request reordering (seed 001, Jeff Dike, Sep 2005: "Because we
 * must sleep, we must drop the queue spinlock, which opens the queue to any
 * other processes that want to do I/O. One of these can ... sneak ahead of a
 * process handling an earlier request"). DOMAIN.md §1.B B-3, B-F3, B-F3'.
 *
 * Every variant runs Jeff's B-F1 + B-F2 driver (lock dropped, GFP_ATOMIC with
 * emergency buffers) under random memory pressure; they differ in how
 * requests are kept in queue order on their way to the host. The host disk
 * applies overlapping writes in host submission order, and the sector shadow
 * knows which data each sector should end with: a reordering of overlapping
 * writes is silent corruption. The default workload is DOMAIN.md's script,
 * twice: u1 and u2 each queue two writes, all to sectors 100-101 (with two
 * writes in all, some schedules never let the two processes meet in the
 * driver, and a fix would pass without being stressed).
 */
import { diskParams } from '../machines/disk.js';
import { defineScenario, EIO, type SystemSpec } from '../src/index.js';
import { ubdAllocSystem, ubdScripts, type UbdAllocSystem } from './ubd-alloc-system.js';

const COMMON = ['submitters', 'writes', 'sectors', 'chunks', 'pressure', 'allocFailP', 'latency'] as const;

const DRIVERS = {
  buggy: { holdLock: false, buffers: 'emergency', sequencing: 'none' },
  'fix-tickets': { holdLock: false, buffers: 'emergency', sequencing: 'tickets' },
  'fix-semaphore': { holdLock: false, buffers: 'emergency', sequencing: 'semaphore' },
  'fix-barriers': { holdLock: false, buffers: 'emergency', sequencing: 'barriers' },
  'barriers-unmarked': { holdLock: false, buffers: 'emergency', sequencing: 'barriers' },
  'ticket-leak': { holdLock: false, buffers: 'emergency', sequencing: 'tickets', leakTicketOnError: true },
} satisfies Readonly<Record<string, UbdAllocSystem['driver']>>;

const TURN_WAITS = { metric: 'ubd.seq.waits', doc: 'requests that had to wait for their turn (a later request was ready before an earlier one was at the host)' };

export const ubdReorder = defineScenario({
  name: 'ubd-reorder',
  title: 'ubd request reordering',
  seed: '001_f0963b53fce9cf7d.txt',
  ref: 'DOMAIN.md §1.B B-3, §2 S-B2',
  summary:
    'Once do_ubd_request drops the queue lock to sleep for memory, another process can dequeue a later request and submit it first; the host applies overlapping writes in its order and the older data wins.',
  params: {
    submitters: { type: 'int', default: 2, min: 1, max: 16, doc: 'guest processes writing through ubd, each running the request function itself', swarm: [2, 8] },
    writes: { type: 'int', default: 4, min: 1, max: 1000, doc: 'writes in all, dealt round-robin to the submitters', swarm: [2, 300] },
    sectors: { type: 'int', default: 1, min: 1, max: 4096, doc: 'places the writes start at (from sector 100); 1 = every write overlaps every other', swarm: [1, 64] },
    chunks: { type: 'int', default: 2, min: 1, max: 4, doc: 'pieces the COW bitmap splits each request into (one sector, one aio and one host iocb each)', swarm: [1, 4] },
    pressure: { type: 'enum', default: 'random', values: ['none', 'random', 'always'], doc: 'memory pressure: none, random (allocFailP percent of attempts fail), always' },
    allocFailP: { type: 'int', default: 30, min: 0, max: 100, doc: 'with pressure=random: percent of GFP_ATOMIC attempts that fail (30 = probability 0.3)', swarm: [10, 50] },
    latency: diskParams.latency,
    barrier: { type: 'bool', default: true, doc: 'the workload marks every write that overlaps an earlier one as a barrier, as a file system orders what must be ordered' },
  },
  defaultVariant: 'buggy',
  variants: {
    buggy: {
      summary: 'B-F1 + B-F2 without sequencing: a request that sleeps for memory is overtaken by a later one',
      ref: 'B-3',
      expect: { kind: 'may', outcome: 'violation' },
      uses: COMMON,
    },
    'fix-tickets': {
      summary: "Jeff's started/submitted tickets: a ticket at dequeue, under the lock; wait until submitted reaches it; advance after the last chunk",
      ref: 'B-F3',
      expect: { kind: 'must', outcome: 'completed' },
      uses: COMMON,
      evidence: TURN_WAITS,
    },
    'fix-semaphore': {
      summary: "Paolo's version: one semaphore held from before the dequeue until the request's last chunk is submitted",
      ref: 'B-F3 (semaphore)',
      expect: { kind: 'must', outcome: 'completed' },
      uses: COMMON,
      evidence: TURN_WAITS,
    },
    'fix-barriers': {
      summary: 'only barrier writes are sequenced (they wait for everything before them and hold back what comes after); the workload marks overlapping writes',
      ref: "B-F3'",
      expect: { kind: 'must', outcome: 'completed' },
      uses: [...COMMON, 'barrier'],
      evidence: { metric: 'ubd.gate.waits', doc: 'dequeues held back while a barrier was on its way to the host' },
    },
    'barriers-unmarked': {
      summary: "fix-barriers' driver with a workload that marks nothing: overlapping writes go unordered",
      ref: "B-F3' without barriers",
      expect: { kind: 'may', outcome: 'violation' },
      uses: [...COMMON, 'barrier'],
      defaults: { barrier: false },
    },
    'ticket-leak': {
      summary: "Jeff's tickets, but a host submission error returns without advancing submitted: every later request waits forever",
      ref: 'B-F3 (ticket leak)',
      expect: { kind: 'must', outcome: 'deadlock' },
      uses: COMMON,
    },
  },
  build(variant, params): SystemSpec {
    const { submitters, writes, sectors, chunks, pressure, allocFailP, latency } = params;
    const barrier = variant === 'fix-barriers' || variant === 'barriers-unmarked' ? params.barrier : false;
    return ubdAllocSystem({
      scripts: ubdScripts({ submitters, writes, chunks, sectors, barriers: barrier }),
      pressure,
      allocFailP,
      latency,
      driver: DRIVERS[variant],
      // ticket-leak: the first io_submit fails (as io_submit(2) may, e.g. -EIO).
      faults: variant === 'ticket-leak' ? [{ at: 'ioSubmit', errno: EIO, nth: [1] }] : undefined,
    });
  },
});
