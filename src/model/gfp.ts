/**
 * Allocation masks as flag sets (include/linux/gfp.h, 2.6.14 to 2.6.32): a
 * named mask is a set of `__GFP_*` flags, and a caller may or them together
 * (`GFP_NOIO | __GFP_HIGH`). What the page allocator and a mempool do with a
 * request depends on the flags, not on the name: `__GFP_WAIT` lets it sleep
 * (so might_sleep applies), `__GFP_IO` lets reclaim start I/O, `__GFP_FS` lets
 * it call into file systems, `__GFP_HIGH` dips into the emergency reserve,
 * `__GFP_NORETRY` gives up after one reclaim pass.
 *
 * 4.x renamed `__GFP_WAIT` to `__GFP_DIRECT_RECLAIM` (plus kswapd's
 * `__GFP_KSWAPD_RECLAIM`); the models keep the 2.6 name for both.
 */

export const GFP_FLAGS = ['__GFP_WAIT', '__GFP_HIGH', '__GFP_IO', '__GFP_FS', '__GFP_NOWARN', '__GFP_NORETRY', '__GFP_NOMEMALLOC'] as const;
export type GfpFlag = (typeof GFP_FLAGS)[number];

/** The named masks the models use, as gfp.h defines them. */
export const GFP_MASKS = {
  GFP_ATOMIC: ['__GFP_HIGH'],
  GFP_NOWAIT: [],
  GFP_NOIO: ['__GFP_WAIT'],
  GFP_NOFS: ['__GFP_WAIT', '__GFP_IO'],
  GFP_KERNEL: ['__GFP_WAIT', '__GFP_IO', '__GFP_FS'],
} as const satisfies Record<string, readonly GfpFlag[]>;
export type GfpName = keyof typeof GFP_MASKS;

type GfpPart = GfpName | GfpFlag;
/** A mask as C writes it: one name or flag, or up to three or-ed together (`GFP_KERNEL|GFP_ATOMIC`). */
export type Gfp = GfpPart | `${GfpPart}|${GfpPart}` | `${GfpPart}|${GfpPart}|${GfpPart}`;

/** A mask taken apart: its flags and the lint-like warnings its spelling earns (never an outcome). */
export interface GfpMask {
  readonly text: string;
  readonly flags: ReadonlySet<GfpFlag>;
  readonly warnings: readonly string[];
}

const PARTS: ReadonlySet<string> = new Set<string>([...Object.keys(GFP_MASKS), ...GFP_FLAGS]);

/**
 * Parse `mask` (`GFP_KERNEL`, `GFP_NOIO|__GFP_HIGH`). Throws naming the bad
 * part and the allowed ones. `GFP_ATOMIC` or-ed with anything earns the
 * warning the kernel's own review gives it ("GFP_ATOMIC must be used alone"):
 * `GFP_KERNEL|GFP_ATOMIC` is a sleeping allocation with `__GFP_HIGH`.
 */
export function parseGfp(mask: string): GfpMask {
  const parts = mask.split('|').map((p) => p.trim());
  const flags = new Set<GfpFlag>();
  for (const p of parts) {
    if (!PARTS.has(p)) throw new Error(`gfp mask '${mask}': unknown part '${p}' (allowed: ${[...PARTS].join(', ')})`);
    const named = (GFP_MASKS as Record<string, readonly GfpFlag[]>)[p];
    if (named !== undefined) for (const f of named) flags.add(f);
    else flags.add(p as GfpFlag);
  }
  const warnings = parts.length > 1 && parts.includes('GFP_ATOMIC') ? [`${mask}: GFP_ATOMIC must be used alone`] : [];
  return { text: mask, flags, warnings };
}

/** `__GFP_WAIT`: the allocation may sleep (reclaim directly, wait on a pool). */
export function gfpMayWait(mask: string): boolean {
  return parseGfp(mask).flags.has('__GFP_WAIT');
}
