/**
 * The NetBSD buffer cache (sys/kern/vfs_bio.c, NetBSD 2.x/3.x): getblk,
 * buf_malloc/allocbuf, getnewbuf, the needbuffer sleep, bwrite/bawrite's I/O
 * start, biowait, biodone, brelse, vflushbuf. The resource decides each
 * sleeper's reply when it wakes it, so `resume` hands that reply on.
 */
import { BufferCache, type InitialBuf } from '../../resources/buffer-cache.js';
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

const bufferCacheOp = handler<BufCacheEffect>({
  perform(e, env): Performed {
    const cache = env.resource(e.cache, BufferCache, e.type);
    const r = cache.perform(env.caller, e);
    env.note({ effect: e.type, resource: e.cache, subject: r.note, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: cache, op: e.type, wakeups: r.wakeups };
    return done(r.reply, r.wakeups);
  },
  resume: (_e, wake) => done(wake.value as EventObject),
});

const TYPES = ['getblk', 'bufMalloc', 'getnewbuf', 'needbuffer', 'bufio', 'bufHandoff', 'biowait', 'biodone', 'brelse', 'vflushbuf'] as const satisfies readonly BufCacheEffect['type'][];

export const bufferCacheKind = defineResourceKind<BufferCacheSpec>({
  kind: 'buffer-cache',
  create: (s, env) => new BufferCache({ name: s.name, hiwater: s.hiwater, memory: s.memory, buffers: s.buffers }, env.clock),
  effects: Object.fromEntries(TYPES.map((t) => [t, bufferCacheOp])) as Record<BufCacheEffect['type'], EffectHandler<never>>,
});
