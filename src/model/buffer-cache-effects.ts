/**
 * The buffer-cache effects a file-system machine may emit, and their
 * replies (NetBSD vfs_bio.c: getblk, getnewbuf, brelse, biowait, biodone,
 * vflushbuf). Performed by the kernel on the BufferCache resource.
 */

/** A context's name, as effects address them. */
type CtxId = string;

/** A buffer's name: `vnode:block`, e.g. `vnd0:12`, `F0:ind3` (indirect block 3 of file F0). */
export type BufId = string;

/** What a machine may ask of a buffer cache (performed by the kernel on the caller's context). */
export type BufCacheEffect =
  /**
   * getblk: find the block in core and mark it B_BUSY for the caller,
   * sleeping ("getblk") while another holder has it busy; a block not in core
   * gets a fresh B_BUSY buffer, hashed in at once and without memory (the
   * caller's allocbuf gives it some). Reply `getblk.ok`.
   */
  | { type: 'getblk'; cache: string; vnode: string; blkno: number | string }
  /** buf_malloc and allocbuf's `bufmem += size`. Reply `bufMalloc.ok`, or `bufMalloc.full` at the hard memory limit. */
  | { type: 'bufMalloc'; cache: string; buf: BufId }
  /**
   * getnewbuf(from_bufq): the head of AGE, else of LRU. A clean one is
   * stripped and its memory freed (buf_trim); a B_DELWRI one is marked busy
   * for the caller to bawrite. Both queues empty: sleep ("getnewbuf") on
   * needbuffer when `wait`, then return nothing. Reply `getnewbuf.freed`,
   * `getnewbuf.delwri` or `getnewbuf.empty`.
   */
  | { type: 'getnewbuf'; cache: string; wait: boolean }
  /** buf_malloc's sleep on needbuffer, unless a buffer was released since `gen` (no lost wake-up). Reply `needbuffer.woken`. */
  | { type: 'needbuffer'; cache: string; gen: number }
  /** Start I/O on a busy buffer the caller owns (bwrite/bawrite: clears B_DELWRI, sets B_ASYNC; or a read). The caller completes it until it hands it on. No reply. */
  | { type: 'bufio'; cache: string; buf: BufId; op: 'read' | 'write' }
  /** The buffer's I/O now sits with `via` (queued at a vnd thread; issued to a disk and its interrupt). No reply. */
  | { type: 'bufHandoff'; cache: string; buf: BufId; via: readonly CtxId[] }
  /** biowait: sleep until the buffer's I/O is done. Reply `biowait.ok`. */
  | { type: 'biowait'; cache: string; buf: BufId }
  /** biodone: I/O done; an async write is released (brelse), a read wakes its biowait. No reply. */
  | { type: 'biodone'; cache: string; buf: BufId }
  /**
   * brelse (with `delwri`: bdwrite): unlock the buffer, hand it to the oldest
   * B_WANTED sleeper or queue it, wake needbuffer. With `ack`, reply
   * `brelse.ok` with what the caller still holds (A-F4 trims then).
   */
  | { type: 'brelse'; cache: string; buf: BufId; delwri?: boolean; ack?: boolean }
  /** vflushbuf (the syncer's VOP_FSYNC): every B_DELWRI buffer of `vnode` not busy, marked busy for the caller, LRU order. Reply `vflushbuf.ok`. */
  | { type: 'vflushbuf'; cache: string; vnode: string };

/** Its replies. `ios` counts the I/Os ever started on that block (names bios canonically). */
export type BufCacheReply =
  | { type: 'getblk.ok'; cache: string; buf: BufId; cached: boolean; fresh: boolean; ios: number }
  | { type: 'bufMalloc.ok'; cache: string; buf: BufId; bufmem: number; hiwater: number; over: boolean; locked: number }
  | { type: 'bufMalloc.full'; cache: string; buf: BufId; gen: number }
  | { type: 'getnewbuf.freed'; cache: string; buf: BufId; over: boolean }
  | { type: 'getnewbuf.delwri'; cache: string; buf: BufId; ios: number }
  | { type: 'getnewbuf.empty'; cache: string; over: boolean }
  | { type: 'needbuffer.woken'; cache: string }
  | { type: 'biowait.ok'; cache: string; buf: BufId }
  | { type: 'brelse.ok'; cache: string; buf: BufId; locked: number; over: boolean }
  | { type: 'vflushbuf.ok'; cache: string; bufs: readonly { readonly buf: BufId; readonly ios: number }[] };

