/**
 * The page allocator's effects (kmalloc, kfree): Linux mm/slab.c +
 * mm/page_alloc.c under pressure. The mask (model/gfp.ts) decides: with
 * __GFP_WAIT the caller may sleep, without it the attempt fails instead.
 */
import { PageAllocator } from '../../resources/allocator.js';
import type { Effect } from '../../model/effects.js';
import { defineResourceKind, done, handler, type Performed } from '../protocol.js';
import { gfpMayWait } from '../../model/gfp.js';

type Kmalloc = Extract<Effect, { type: 'kmalloc' }>;
type Kfree = Extract<Effect, { type: 'kfree' }>;

export interface AllocatorSpec {
  readonly kind: 'allocator';
  readonly name: string;
  readonly pressure: 'none' | 'always' | { readonly failP: number };
  readonly limit?: number;
}
const kmalloc = handler<Kmalloc>({
  perform(e, env): Performed {
    const allocator = env.resource(e.allocator, PageAllocator, 'kmalloc');
    const r = allocator.alloc(env.caller, { wait: gfpMayWait(e.gfp) });
    env.note({ effect: 'kmalloc', resource: e.allocator, subject: `${e.allocator} ${e.gfp}`, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: allocator, op: 'kmalloc' };
    return done(r.status === 'ok' ? { type: 'kmalloc.ok', allocator: e.allocator, element: r.value as string } : { type: 'kmalloc.fail', allocator: e.allocator });
  },
  resume(e, wake) {
    // The kfree that woke it handed over the memory it freed.
    return done({ type: 'kmalloc.ok', allocator: e.allocator, element: wake.value as string });
  },
  mightSleep: (e) => (gfpMayWait(e.gfp) ? `kmalloc(${e.gfp}) on allocator ${e.allocator}` : undefined),
});

const kfree = handler<Kfree>({
  perform(e, env): Performed {
    const wakeups = env.resource(e.allocator, PageAllocator, 'kfree').free(e.element);
    env.note({ effect: 'kfree', resource: e.allocator, subject: e.element, status: 'ok' });
    return done(undefined, wakeups);
  },
});

export const allocatorKind = defineResourceKind<AllocatorSpec>({
  kind: 'allocator',
  create: (s, env) => new PageAllocator({ name: s.name, pressure: s.pressure, limit: s.limit }, env.clock, env.random(`allocator:${s.name}`)),
  effects: { kmalloc, kfree },
});

