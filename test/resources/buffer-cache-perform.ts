/** For resource tests: perform a buffer-cache effect by calling the cache's method of that name (as the kernel's kind does). */
import type { BufCacheEffect, BufCacheResult, BufferCache } from '../../src/resources/buffer-cache.js';

export function performOn(cache: BufferCache, ctx: string, e: BufCacheEffect): BufCacheResult {
  // The method named after the effect takes that effect; TypeScript cannot correlate the two through an index.
  const method = cache[e.type] as (ctx: string, e: BufCacheEffect) => BufCacheResult;
  return method.call(cache, ctx, e);
}
