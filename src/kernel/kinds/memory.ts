/**
 * Memory (kmalloc, kfree, mempool_alloc, mempool_free): Linux mm/slab +
 * mm/page_alloc.c under pressure, and mm/mempool.c. kmalloc(GFP_KERNEL) may
 * sleep until memory is freed; GFP_ATOMIC fails instead. mempool_alloc falls
 * back to its reserve, then (if it may wait) sleeps for a mempool_free.
 */
import { Mempool } from '../../resources/mempool.js';
import { PageAllocator } from '../../resources/allocator.js';
import type { Effect } from '../../model/effects.js';
import { defineResourceKind, done, handler, type Performed } from '../protocol.js';
import { ModelError } from '../model-error.js';

type Kmalloc = Extract<Effect, { type: 'kmalloc' }>;
type Kfree = Extract<Effect, { type: 'kfree' }>;
type Alloc = Extract<Effect, { type: 'alloc' }>;
type Free = Extract<Effect, { type: 'free' }>;

export interface AllocatorSpec {
  readonly kind: 'allocator';
  readonly name: string;
  readonly pressure: 'none' | 'always' | { readonly failP: number };
  readonly limit?: number;
}
export interface MempoolSpec {
  readonly kind: 'mempool';
  readonly name: string;
  readonly minNr: number;
  readonly backing: string;
  /** Contexts that free its elements (the completion path), if not the ones that allocate them. */
  readonly freedBy?: readonly string[];
}

const kmalloc = handler<Kmalloc>({
  perform(e, env): Performed {
    const allocator = env.resource(e.allocator, PageAllocator, 'kmalloc');
    const r = allocator.alloc(env.caller, { wait: e.gfp === 'GFP_KERNEL' });
    env.note({ effect: 'kmalloc', resource: e.allocator, subject: `${e.allocator} ${e.gfp}`, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: allocator, op: 'kmalloc' };
    return done(r.status === 'ok' ? { type: 'kmalloc.ok', allocator: e.allocator, element: r.value as string } : { type: 'kmalloc.fail', allocator: e.allocator });
  },
  resume(e, wake) {
    // The kfree that woke it handed over the memory it freed.
    return done({ type: 'kmalloc.ok', allocator: e.allocator, element: wake.value as string });
  },
  mightSleep: (e) => (e.gfp === 'GFP_KERNEL' ? `kmalloc(GFP_KERNEL) on allocator ${e.allocator}` : undefined),
});

const kfree = handler<Kfree>({
  perform(e, env): Performed {
    const wakeups = env.resource(e.allocator, PageAllocator, 'kfree').free(e.element);
    env.note({ effect: 'kfree', resource: e.allocator, subject: e.element, status: 'ok' });
    return done(undefined, wakeups);
  },
});

const alloc = handler<Alloc>({
  perform(e, env): Performed {
    const pool = env.resource(e.pool, Mempool, 'alloc');
    const r = pool.alloc(env.caller, { wait: e.wait });
    env.note({ effect: 'alloc', resource: e.pool, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: pool, op: 'alloc' };
    return done(r.status === 'ok' ? { type: 'alloc.ok', pool: e.pool, element: r.value as string } : { type: 'alloc.fail', pool: e.pool });
  },
  resume(e, wake) {
    // mempool_free hands its element straight to the oldest sleeper.
    return done({ type: 'alloc.ok', pool: e.pool, element: wake.value as string });
  },
  mightSleep: (e) => (e.wait ? `mempool_alloc(${e.pool}) that may wait` : undefined),
});

const free = handler<Free>({
  perform(e, env): Performed {
    const r = env.resource(e.pool, Mempool, 'free').free(env.caller, e.element);
    env.note({ effect: 'free', resource: e.pool, status: 'ok' });
    return done(undefined, r.wakeups);
  },
});

export const allocatorKind = defineResourceKind<AllocatorSpec>({
  kind: 'allocator',
  create: (s, env) => new PageAllocator({ name: s.name, pressure: s.pressure, limit: s.limit }, env.clock, env.random(`allocator:${s.name}`)),
  effects: { kmalloc, kfree },
});

export const mempoolKind = defineResourceKind<MempoolSpec>({
  kind: 'mempool',
  create(s, env) {
    const backing = env.declared(s.backing);
    if (!(backing instanceof PageAllocator)) throw new ModelError(`mempool '${s.name}': backing '${s.backing}' is not a declared allocator`);
    return new Mempool({ name: s.name, minNr: s.minNr, backing, freedBy: s.freedBy ? [...s.freedBy] : undefined }, env.clock);
  },
  effects: { alloc, free },
});
