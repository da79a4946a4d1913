/**
 * Creators for the buffer-cache effects (buffer-cache-effects.ts), by the
 * same rule as creators.ts: required fields positional in declaration order,
 * optional ones in a last options object, the object built in that order.
 *
 *   releaseBuffer: emit(({ context }) => brelse(cacheOf(context), buf, { delwri: context.delwri, ack: true })),
 */
import type { BufId } from './buffer-cache-effects.js';
import type { EffectOptions } from './creators.js';
import type { EffectOf } from './effects.js';

/** getblk: find `blkno` of `vnode` in core and mark it B_BUSY for the caller. */
export function getblk(cache: string, vnode: string, blkno: number | string): EffectOf<'getblk'> {
  return { type: 'getblk', cache, vnode, blkno };
}

/** buf_malloc / allocbuf's `bufmem += size`. */
export function bufMalloc(cache: string, buf: BufId): EffectOf<'bufMalloc'> {
  return { type: 'bufMalloc', cache, buf };
}

/** getnewbuf(from_bufq); `wait`: sleep on needbuffer when both queues are empty. */
export function getnewbuf(cache: string, wait: boolean): EffectOf<'getnewbuf'> {
  return { type: 'getnewbuf', cache, wait };
}

/** Sleep on needbuffer unless a buffer was released since generation `gen`. */
export function needbuffer(cache: string, gen: number): EffectOf<'needbuffer'> {
  return { type: 'needbuffer', cache, gen };
}

/** Start I/O on a busy buffer the caller owns. */
export function bufio(cache: string, buf: BufId, op: 'read' | 'write'): EffectOf<'bufio'> {
  return { type: 'bufio', cache, buf, op };
}

/** The buffer's I/O now sits with the contexts `via`. */
export function bufHandoff(cache: string, buf: BufId, via: readonly string[]): EffectOf<'bufHandoff'> {
  return { type: 'bufHandoff', cache, buf, via };
}

export function biowait(cache: string, buf: BufId): EffectOf<'biowait'> {
  return { type: 'biowait', cache, buf };
}

export function biodone(cache: string, buf: BufId): EffectOf<'biodone'> {
  return { type: 'biodone', cache, buf };
}

/** brelse (`delwri`: bdwrite); `ack`: reply `brelse.ok`. */
export function brelse(cache: string, buf: BufId, opts?: EffectOptions<'brelse', 'cache' | 'buf'>): EffectOf<'brelse'> {
  return { type: 'brelse', cache, buf, ...opts };
}

/** vflushbuf: lock every B_DELWRI buffer of `vnode` not busy, for the caller. */
export function vflushbuf(cache: string, vnode: string): EffectOf<'vflushbuf'> {
  return { type: 'vflushbuf', cache, vnode };
}
