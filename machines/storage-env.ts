/**
 * What the file-system and vnd frames know about the stack they run in:
 * which buffer cache holds a vnode's buffers, which device its blocks go to
 * (VOP_STRATEGY), the block map geometry of vnd backing files, and each
 * device. Plain data: every frame gets it in its input, so a frame is a pure
 * function of its input like the kernel code it models.
 *
 * Naming, canonical so equal states hash equally: a buffer is `vnode:block`
 * (`vnd0:12`; `F0:ind3` is indirect block 3 of file F0); the bio of an I/O on
 * it is `vnd0:12#w2` (its second I/O, a write); a disk request's id adds the
 * vnd units the I/O went through, `vnd0:12#w2@vnd0`, so the completion
 * interrupt knows whose `sc_active` to drop.
 */
import type { Effect } from '../src/model/index.js';

/** Where a vnode's buffers live and which device their I/O goes to. */
export interface VnodeInfo {
  readonly cache: string;
  /** `disk`, or a vnd unit (`vnd0`): the device VOP_STRATEGY sends its buffers to. */
  readonly dev: string;
}

/** A vnd backing file: FFS's block map, reduced to one level of indirect blocks. */
export interface FileInfo {
  /** Device of the file system that holds the file, and that file system's buffer cache. */
  readonly dev: string;
  readonly cache: string;
  /** NDADDR: file blocks mapped by the inode itself (no indirect block to read). */
  readonly direct: number;
  /** NINDIR: file blocks mapped by one indirect block. */
  readonly perIndirect: number;
  /** Device blocks of the file's data block 0 and indirect block 0 (the rest follow). */
  readonly dataAt: number;
  readonly indirectAt: number;
}

export type DeviceInfo =
  | {
      readonly kind: 'disk';
      /** The disk's request queue, its context, and the channel its completion interrupt reads. */
      readonly queue: string;
      readonly ctx: string;
      readonly done: string;
      /** The completion interrupt's context (biodone runs there). */
      readonly intr: string;
    }
  | {
      readonly kind: 'vnd';
      /** The backing file. */
      readonly file: string;
      /** `sync`: vndstrategy translates in the caller's context (before 2005); `threaded`: it queues for the unit's thread. */
      readonly mode: 'sync' | 'threaded';
      /** A-F2: the whole block map was loaded at VNDIOCSET, so translating never reads a buffer. */
      readonly preloaded: boolean;
      /** Threaded: the unit's queue (sc_tab), its thread, and the semaphore counting sc_active against sc_maxactive. */
      readonly queue?: string;
      readonly thread?: string;
      readonly active?: string;
    };

export interface StorageEnv {
  readonly vnodes: Readonly<Record<string, VnodeInfo>>;
  readonly files: Readonly<Record<string, FileInfo>>;
  readonly devices: Readonly<Record<string, DeviceInfo>>;
  /**
   * Where buffer memory is trimmed back to hiwater: `allocbuf` (NetBSD: while
   * the caller holds the buffer it is allocating), or `brelse` (A-F4: only
   * when a thread releases the last buffer it had locked).
   */
  readonly trim: 'allocbuf' | 'brelse';
}

/** A request in a vnd unit's queue (sc_tab): a bio, the cache buffer it is for (none for raw I/O), and the units it passed. */
export interface VndRequest {
  readonly bio: string;
  readonly op: 'read' | 'write';
  /** Block on the vnd device. */
  readonly block: number;
  readonly buf?: string;
  readonly units: readonly string[];
}

export function vnodeInfo(env: StorageEnv, vnode: string): VnodeInfo {
  const v = env.vnodes[vnode];
  if (v === undefined) throw new Error(`storage env: no vnode '${vnode}' (vnodes: ${Object.keys(env.vnodes).join(', ')})`);
  return v;
}

export function fileInfo(env: StorageEnv, file: string): FileInfo {
  const f = env.files[file];
  if (f === undefined) throw new Error(`storage env: no file '${file}' with a block map`);
  return f;
}

export function deviceInfo(env: StorageEnv, dev: string): DeviceInfo {
  const d = env.devices[dev];
  if (d === undefined) throw new Error(`storage env: no device '${dev}'`);
  return d;
}

/** The vnode a buffer belongs to: `F0` of `F0:ind3`. */
export function vnodeOf(buf: string): string {
  return buf.slice(0, buf.lastIndexOf(':'));
}

/** The block part of a buffer name: `ind3` of `F0:ind3`, 12 of `vnd0:12`. */
export function blknoOf(buf: string): number | string {
  const b = buf.slice(buf.lastIndexOf(':') + 1);
  return /^\d+$/.test(b) ? Number(b) : b;
}

/** The block on its device that a buffer reads and writes (the block number a file's bmap would give). */
export function devBlockOf(env: StorageEnv, buf: string): number {
  const vnode = vnodeOf(buf);
  const blkno = blknoOf(buf);
  const f = env.files[vnode];
  if (f !== undefined) return typeof blkno === 'number' ? f.dataAt + blkno : f.indirectAt + indirectIndex(blkno);
  return typeof blkno === 'number' ? blkno : 0;
}

/** `ind3` -> 3. */
function indirectIndex(blkno: string): number {
  const m = /^ind(\d+)$/.exec(blkno);
  if (!m) throw new Error(`storage env: '${blkno}' is not an indirect block name`);
  return Number(m[1]);
}

/** The indirect block of `file` that maps file block `block`, or undefined for a direct block. */
export function indirectFor(f: FileInfo, block: number): string | undefined {
  if (block < f.direct) return undefined;
  return `ind${Math.floor((block - f.direct) / f.perIndirect)}`;
}

/** `vnd0:12#w2`: the `ios`+1-th I/O on the buffer. */
export function bioOf(buf: string, op: 'read' | 'write', ios: number): string {
  return `${buf}#${op === 'read' ? 'r' : 'w'}${ios + 1}`;
}

/** The buffer a bio is for. */
export function bufOfBio(bio: string): string {
  return bio.slice(0, bio.indexOf('#'));
}

export function diskRequestId(bio: string, units: readonly string[]): string {
  return `${bio}@${units.join('>')}`;
}

/** The vnd units an I/O went through, outermost first, from its disk request id. */
export function unitsOfRequest(id: string): string[] {
  const path = id.slice(id.lastIndexOf('@') + 1);
  return path === '' ? [] : path.split('>');
}

/** Queue a transfer on a disk and hand the buffer's I/O to the disk and its interrupt. */
export function issueToDisk(env: StorageEnv, dev: string, req: { readonly bio: string; readonly buf?: string; readonly units: readonly string[] }): Effect[] {
  const d = deviceInfo(env, dev);
  if (d.kind !== 'disk') throw new Error(`storage env: '${dev}' is not a disk`);
  const out: Effect[] = [{ type: 'put', chan: d.queue, item: { id: diskRequestId(req.bio, req.units), bio: req.bio, replyTo: d.done } }];
  if (req.buf !== undefined) out.unshift({ type: 'bufHandoff', cache: vnodeInfo(env, vnodeOf(req.buf)).cache, buf: req.buf, via: [d.ctx, d.intr] });
  return out;
}
