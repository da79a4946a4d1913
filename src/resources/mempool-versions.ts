/**
 * What each kernel's mm/mempool.c does, read from the sources (FIDELITY.md
 * §2). The loop is the same in every version modelled here — the backing
 * allocator first, then the reserve, then a sleep on `pool->wait`, and after
 * a wake-up `goto repeat_alloc` — and `mempool_free` refills the reserve
 * only below `min_nr`, then `wake_up(&pool->wait)`, which wakes every
 * sleeper (`prepare_to_wait` is non-exclusive); above it the element goes
 * back to the allocator with no wake-up. What differs:
 *
 * - `2.6.14` (mm/mempool.c of 2.6.14; the gfp_temp rework came after
 *   2.6.11, whose mempool_alloc still differs): the first round strips `__GFP_WAIT|__GFP_IO` and every round
 *   adds `__GFP_NOMEMALLOC|__GFP_NORETRY|__GFP_NOWARN`; after a failure it
 *   sets `gfp_temp = gfp_mask`, `prepare_to_wait`, and sleeps in an untimed
 *   `io_schedule()` if `curr_nr` is still 0. No `wakeup_bdflush` and no
 *   full-mask attempt when the pool is half empty: those are 2.6.11's.
 * - `2.6.32`: the same, but `io_schedule_timeout(5*HZ)` (its comment: "a
 *   workaround for some DM problems in 2.6.18").
 * - `4.4`, `4.19`: after the first round fails with an empty pool,
 *   `if (gfp_temp != gfp_mask) { gfp_temp = gfp_mask; goto repeat_alloc; }`
 *   (a full-mask attempt before sleeping); then `prepare_to_wait` under
 *   `pool->lock` and an unconditional `io_schedule_timeout(5*HZ)`. 4.4 spells
 *   the flag `__GFP_DIRECT_RECLAIM` (model/gfp.ts keeps `__GFP_WAIT`).
 * - `6.17`: 4.19's loop plus Yadan Fan's min_nr = 0 fix, commit a5867a218d7c
 *   "mm: mempool: fix wake-up edge case bug for zero-minimum pools" (in
 *   mm-stable on 2025-07-25, so merged for 6.17) and its follow-up "mm:
 *   mempool: fix crash in mempool_free() for zero-minimum pools":
 *   `mempool_free` also puts the element into an empty zero-minimum pool and
 *   wakes the sleepers, and `mempool_init_node` preallocates
 *   `max(1, min_nr)` elements. Before it, a zero-minimum pool is never
 *   refilled and its sleepers are never woken.
 */

export const MEMPOOL_VERSIONS = ['2.6.14', '2.6.32', '4.4', '4.19', '6.17'] as const;
export type MempoolVersionName = (typeof MEMPOOL_VERSIONS)[number];

/** The version a pool follows when its spec names none: the seed-001 era. */
export const DEFAULT_MEMPOOL_VERSION: MempoolVersionName = '2.6.14';

export interface MempoolVersion {
  readonly name: MempoolVersionName;
  /** `io_schedule_timeout(n*HZ)`: the sleep's timeout in seconds; undefined for an untimed `io_schedule()`. */
  readonly sleepSeconds: number | undefined;
  /** 4.x: a failed first round retries at once with the full mask before sleeping. */
  readonly immediateRetry: boolean;
  /** The min_nr = 0 fix: an empty zero-minimum pool is refilled by a free (and woken), and created with one element. */
  readonly zeroMinRefill: boolean;
}

const VERSIONS: Readonly<Record<MempoolVersionName, MempoolVersion>> = {
  '2.6.14': { name: '2.6.14', sleepSeconds: undefined, immediateRetry: false, zeroMinRefill: false },
  '2.6.32': { name: '2.6.32', sleepSeconds: 5, immediateRetry: false, zeroMinRefill: false },
  '4.4': { name: '4.4', sleepSeconds: 5, immediateRetry: true, zeroMinRefill: false },
  '4.19': { name: '4.19', sleepSeconds: 5, immediateRetry: true, zeroMinRefill: false },
  '6.17': { name: '6.17', sleepSeconds: 5, immediateRetry: true, zeroMinRefill: true },
};

/** The behaviour of `name`; throws naming the allowed values (callers wrap it as a ModelError). */
export function mempoolVersion(name: string): MempoolVersion {
  if (!(MEMPOOL_VERSIONS as readonly string[]).includes(name)) throw new Error(`version must be one of ${MEMPOOL_VERSIONS.join(', ')}, got '${name}'`);
  return VERSIONS[name as MempoolVersionName];
}
