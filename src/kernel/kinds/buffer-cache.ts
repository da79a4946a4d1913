/**
 * The NetBSD buffer cache (sys/kern/vfs_bio.c, NetBSD 2.x/3.x): getblk,
 * buf_malloc/allocbuf, getnewbuf, the needbuffer sleep, bwrite/bawrite's I/O
 * start, biowait, biodone, brelse, vflushbuf. The resource decides each
 * sleeper's reply when it wakes it, so `resume` hands that reply on.
 */
import { BufferCache, type BufCacheResult, type InitialBuf, type Op } from '../../resources/buffer-cache.js';
import type { BufCacheEffect } from '../../model/buffer-cache-effects.js';
import { defineResourceKind, done, handler, type EffectHandler, type Performed } from '../protocol.js';
import type { EventObject } from 'xstate';

export interface BufferCacheSpec {
  readonly kind: 'buffer-cache';
  readonly name: string;
  /** bufmem_hiwater in blocks: allocbuf trims above it (soft). */
  readonly hiwater: number;
  /** Buffer memory in blocks: buf_malloc sleeps when it is used up (hard). */
  readonly memory: number;
  /** Buffers in core at boot, LRU order (head first). */
  readonly buffers?: readonly InitialBuf[];
}

/** The handler of one buffer-cache effect: its method on the cache, then the common reply and park rules. */
function op<T extends BufCacheEffect['type']>(run: (cache: BufferCache, ctx: string, e: Op<T>) => BufCacheResult): EffectHandler<never> {
  return handler<Op<T>>({
    perform(e, env): Performed {
      const cache = env.resource(e.cache, BufferCache, e.type);
      const r = run(cache, env.caller, e);
      env.note({ effect: e.type, resource: e.cache, subject: r.note, status: r.status });
      if (r.status === 'blocked') return { status: 'parked', on: cache, op: e.type, wakeups: r.wakeups };
      return done(r.reply, r.wakeups);
    },
    // The cache decides what each sleeper gets back when it wakes it; a
    // sleeper woken to re-check (getblk's `goto start`) runs its operation again.
    resume(e, wake, env): Performed {
      if (wake.value !== undefined) return done(wake.value as EventObject);
      const cache = env.resource(e.cache, BufferCache, e.type);
      const r = run(cache, env.caller, e);
      env.note({ effect: e.type, resource: e.cache, subject: `again: ${r.note}`, status: r.status });
      if (r.status === 'blocked') cache.futileWakeups++;
      if (r.status === 'blocked') return { status: 'parked', on: cache, op: e.type, wakeups: r.wakeups };
      return done(r.reply, r.wakeups);
    },
  });
}

export const bufferCacheKind = defineResourceKind<BufferCacheSpec>({
  kind: 'buffer-cache',
  create: (s, env) => new BufferCache({ name: s.name, hiwater: s.hiwater, memory: s.memory, buffers: s.buffers }, env.clock),
  effects: {
    getblk: op<'getblk'>((c, ctx, e) => c.getblk(ctx, e)),
    bufMalloc: op<'bufMalloc'>((c, ctx, e) => c.bufMalloc(ctx, e)),
    getnewbuf: op<'getnewbuf'>((c, ctx, e) => c.getnewbuf(ctx, e)),
    needbuffer: op<'needbuffer'>((c, ctx, e) => c.needbuffer(ctx, e)),
    bufio: op<'bufio'>((c, ctx, e) => c.bufio(ctx, e)),
    bufHandoff: op<'bufHandoff'>((c, ctx, e) => c.bufHandoff(ctx, e)),
    biowait: op<'biowait'>((c, ctx, e) => c.biowait(ctx, e)),
    biodone: op<'biodone'>((c, ctx, e) => c.biodone(ctx, e)),
    brelse: op<'brelse'>((c, ctx, e) => c.brelse(ctx, e)),
    vflushbuf: op<'vflushbuf'>((c, ctx, e) => c.vflushbuf(ctx, e)),
  } satisfies Record<BufCacheEffect['type'], EffectHandler<never>>,
});
