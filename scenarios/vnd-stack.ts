/**
 * The storage stack of seed 000, shared by the vnd scenarios: an upper file
 * system on vnd0, whose backing file F0 lives on the lower file system, on a
 * disk. Nested (`nested`): vnd1's backing file F1 lives on the file system
 * on vnd0 (FS1), which itself sits on F0.
 *
 *   upper FS ── vnd1 ── F1 on FS1 ──┐            (nested only)
 *   (upper FS) ── vnd0 ── F0 on FS0 ── disk ── biodone (its interrupt)
 *
 * Buffers: `vnd0:b` (upper file system, block device vnode of vnd0), `F0:indk`
 * (indirect blocks of F0, lower file system), `L:k` (other lower-FS data).
 * Caches: one global `bufcache`, or with per-vnd caches (A-F3) one per vnd
 * (`bufcache.vnd0`: every buffer of a file system on vnd0) next to the global
 * one, which keeps the lower file system's buffers.
 */
import { InputError, wiring, type Cpu, type SystemSpec, type Wiring } from '../src/index.js';
import { fsFunctions } from '../machines/filesystem.js';
import { vndstrategy, vndthread } from '../machines/vnd.js';
import { biodone } from '../machines/biodone.js';
import { disk } from '../machines/disk.js';
import type { DeviceInfo, FileInfo, StorageEnv, VnodeInfo } from '../machines/storage-env.js';

/** NDADDR of FFS: blocks the inode maps by itself. */
export const NDADDR = 12;

/**
 * A synchronous vnd round trip is 8 frames: getblk, allocbuf, buf_trim,
 * getnewbuf, bawrite, vndstrategy, bmap, bread (and the next getblk starts
 * the next trip). A chain of n round trips also has 5 frames that are not
 * part of any trip: the workload's own frame, the getblk that starts the
 * chain, and the allocbuf, buf_trim and getnewbuf at its end that find no
 * delayed write left to start. So a stack of FRAMES_PER_ROUND_TRIP x d +
 * BASE_FRAMES frames holds exactly d round trips.
 */
export const FRAMES_PER_ROUND_TRIP = 8;
export const BASE_FRAMES = 5;

/** The stack limit, in frames, that allows `maxDepth` vnd round trips. */
export function stackLimitFor(maxDepth: number): number {
  return FRAMES_PER_ROUND_TRIP * maxDepth + BASE_FRAMES;
}

export interface VndStackOptions {
  readonly mode: 'sync' | 'threaded';
  readonly preloaded: boolean;
  /** A-F3: per-vnd caches, `split` percent of hiwater and memory for each vnd's cache. */
  readonly perVndCache?: { readonly split: number };
  readonly nested?: boolean;
  /** A-F4: trim only when a thread releases its last locked buffer. */
  readonly trim?: StorageEnv['trim'];
  readonly hiwater: number;
  readonly memory: number;
  /** NINDIR: file blocks per indirect block. */
  readonly perIndirect: number;
  /** F0's direct blocks (default NDADDR). Nested stacks keep all of F1 in them, so vnd0 maps F1 without reading. */
  readonly lowerDirect?: number;
  /** sc_maxactive of each threaded unit. */
  readonly maxActive?: number;
  /** Disk service time, ticks. */
  readonly latency: number;
  /** Frames allowed on every thread's stack. */
  readonly stackLimit?: number;
  /** Buffers in core at boot, LRU order (head first); each goes to its vnode's cache. */
  readonly buffers: readonly { readonly vnode: string; readonly blkno: number | string; readonly dirty: boolean }[];
  /**
   * The processes that use the file systems: declared on `sys` (before the
   * vnd threads, biodone and the disk), with any resource they need of their
   * own (a `done` channel), given the env and the CPU they run on.
   */
  readonly workloads: (sys: Wiring, env: StorageEnv, cpu: Cpu) => void;
}

/** Nested: F1's indirect blocks, then its data, from vnd0 block 0 on (inside F0's direct blocks when lowerDirect allows). */
const F1_INDIRECT_AT = 0;
const F1_DATA_AT = 16;

export function buildVndStack(o: VndStackOptions): SystemSpec {
  const nested = o.nested ?? false;
  const units = nested ? ['vnd0', 'vnd1'] : ['vnd0'];
  const lowerCache = 'bufcache';
  const cacheOfUnit = (u: string): string => (o.perVndCache ? `bufcache.${u}` : lowerCache);

  const vnodes: Record<string, VnodeInfo> = {
    L: { cache: lowerCache, dev: 'disk' },
    F0: { cache: lowerCache, dev: 'disk' },
    vnd0: { cache: cacheOfUnit('vnd0'), dev: 'vnd0' },
  };
  const files: Record<string, FileInfo> = {
    F0: { dev: 'disk', cache: lowerCache, direct: o.lowerDirect ?? NDADDR, perIndirect: o.perIndirect, dataAt: 10_000, indirectAt: 5_000 },
  };
  if (nested) {
    vnodes.F1 = { cache: cacheOfUnit('vnd0'), dev: 'vnd0' };
    vnodes.vnd1 = { cache: cacheOfUnit('vnd1'), dev: 'vnd1' };
    files.F1 = { dev: 'vnd0', cache: cacheOfUnit('vnd0'), direct: NDADDR, perIndirect: o.perIndirect, dataAt: F1_DATA_AT, indirectAt: F1_INDIRECT_AT };
  }
  const sys = wiring();
  // One CPU for the threads that run kernel code (the processes, the vnd threads, the syncer).
  // biodone runs from the disk's interrupt and the machines raise no spl, so it may come
  // between any two steps: it stays off the CPU rules, as does the disk.
  const cpu0 = sys.cpu('cpu0');
  const caches = o.perVndCache ? [lowerCache, ...units.map(cacheOfUnit)] : [lowerCache];
  for (const [name, share] of cacheShares(caches, o)) {
    const buffers = o.buffers.filter((b) => vnodeCache(vnodes, b.vnode) === name);
    if (buffers.length > share.memory) throw new InputError(`cache ${name} starts with ${buffers.length} buffers but has memory for ${share.memory}: give it more memory (or a lower hiwater)`);
    sys.bufferCache(name, { hiwater: share.hiwater, memory: share.memory, buffers });
  }
  // Written by the strategy routine of whichever context starts a transfer: the kernel learns who.
  const diskQueue = sys.channel('disk.queue', { capacity: Infinity, readers: 1, writers: 'observed' });
  const diskDone = sys.channel('biodone', { capacity: Infinity, readers: 1, writers: 1 });
  const threaded = o.mode === 'threaded' ? units.map((u) => ({
    unit: u,
    queue: sys.channel(`${u}.queue`, { capacity: Infinity, unit: 'bufs', readers: 1, writers: 'observed' }),
    // sc_active is given back by the completion interrupt; while a transfer is at the disk, the disk will get it there.
    active: sys.semaphore(`${u}.active`, { count: o.maxActive ?? 8, upBy: 2 }),
  })) : [];

  // The env names resources (a directory every context shares): it hands no end; each context says which it holds.
  const devices: Record<string, DeviceInfo> = { disk: { kind: 'disk', queue: diskQueue.name, ctx: 'disk', done: diskDone.name, intr: 'biodone' } };
  for (const u of units) {
    const file = u === 'vnd0' ? 'F0' : 'F1';
    const t = threaded.find((x) => x.unit === u);
    devices[u] = t
      ? { kind: 'vnd', file, mode: 'threaded', preloaded: o.preloaded, queue: t.queue.name, thread: `${u}-thread`, active: t.active.name }
      : { kind: 'vnd', file, mode: 'sync', preloaded: o.preloaded };
  }
  const env: StorageEnv = { vnodes, files, devices, trim: o.trim ?? 'allocbuf' };

  o.workloads(sys, env, cpu0);
  for (const t of threaded) {
    // Takes bufs from its queue and a transfer slot, both found in the env.
    sys.context({ name: `${t.unit}-thread`, kind: 'thread', cpu: cpu0, machine: vndthread, input: { env, role: 'thread', unit: t.unit }, stackLimit: o.stackLimit, ends: [t.queue.reader, t.active.down] });
  }
  // vndiodone gives sc_active back (the units are in the env).
  sys.context({ name: 'biodone', kind: 'thread', mailbox: diskDone.reader, machine: biodone, input: { env }, ends: threaded.map((t) => t.active.up) });
  sys.context({
    name: 'disk',
    kind: 'device',
    mailbox: diskQueue.reader,
    machine: disk,
    input: { queue: diskQueue.reader, latency: o.latency },
    // It answers on the channel each request names (the env's `done`), and a transfer at the disk will give its unit's sc_active back.
    ends: [diskDone.writer, ...threaded.map((t) => t.active.up)],
  });
  // NetBSD 2.x/3.x (seed 000 is NetBSD 2005): non-preemptive, spl per thread, HZ 100.
  return sys.build({ callable: { ...fsFunctions, vndstrategy }, kernel: { personality: 'netbsd' } });
}

function vnodeCache(vnodes: StorageEnv['vnodes'], vnode: string): string {
  const v = vnodes[vnode];
  if (v === undefined) throw new Error(`vnd stack: initial buffer on unknown vnode '${vnode}'`);
  return v.cache;
}

/** hiwater and memory of each cache: all of it for the one global cache, or `split` percent for each vnd's. */
function cacheShares(caches: readonly string[], o: VndStackOptions): [string, { hiwater: number; memory: number }][] {
  if (!o.perVndCache) return [[caches[0], { hiwater: o.hiwater, memory: o.memory }]];
  const { split } = o.perVndCache;
  const vndHiwater = Math.round((o.hiwater * split) / 100);
  const vndMemory = Math.round((o.memory * split) / 100);
  const vnds = caches.length - 1;
  const lower = { hiwater: o.hiwater - vnds * vndHiwater, memory: o.memory - vnds * vndMemory };
  if (vndHiwater < 1 || vndMemory < 1 || lower.hiwater < 1 || lower.memory < 1) {
    throw new InputError(
      `split=${split} leaves a cache without room: each vnd cache would get hiwater ${vndHiwater} and memory ${vndMemory}, the lower file system's hiwater ${lower.hiwater} and memory ${lower.memory} (of hiwater ${o.hiwater}, memory ${o.memory}); every cache needs at least 1 of each — choose split between them or give more memory`,
    );
  }
  return caches.map((c, i) => [c, i === 0 ? lower : { hiwater: vndHiwater, memory: vndMemory }]);
}

/** A-F2's precondition: VNDIOCSET with a preloaded map refuses a sparse backing file. */
export function refuseSparseWithPreload(scenario: string, sparse: boolean): void {
  if (!sparse) return;
  throw new InputError(
    `${scenario}: fix-preload-bmap cannot configure vnd0 on a sparse backing file (sparse=true): a preloaded block map has no disk address for a hole, and filling holes would need allocation at VNDIOCSET (vnd(4): the driver does not work on sparse files); use sparse=false or another fix`,
  );
}
