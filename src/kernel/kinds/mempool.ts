/**
 * mempool_alloc and mempool_free (Linux mm/mempool.c): the backing allocator
 * first, then the reserve, then (if the caller may wait) a sleep on the
 * pool's wait queue.
 */
import { Mempool } from '../../resources/mempool.js';
import { PageAllocator } from '../../resources/allocator.js';
import type { Effect } from '../../model/effects.js';
import { defineResourceKind, done, handler, type Performed } from '../protocol.js';
import { ModelError } from '../model-error.js';

type Alloc = Extract<Effect, { type: 'alloc' }>;
type Free = Extract<Effect, { type: 'free' }>;

export interface MempoolSpec {
  readonly kind: 'mempool';
  readonly name: string;
  readonly minNr: number;
  readonly backing: string;
  /** Contexts that free its elements (the completion path), if not the ones that allocate them. */
  readonly freedBy?: readonly string[];
}

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

export const mempoolKind = defineResourceKind<MempoolSpec>({
  kind: 'mempool',
  create(s, env) {
    const backing = env.declared(s.backing);
    if (!(backing instanceof PageAllocator)) throw new ModelError(`mempool '${s.name}': backing '${s.backing}' is not a declared allocator`);
    return new Mempool({ name: s.name, minNr: s.minNr, backing, freedBy: s.freedBy ? [...s.freedBy] : undefined }, env.clock);
  },
  effects: { alloc, free },
});
