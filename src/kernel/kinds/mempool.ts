/**
 * mempool_alloc and mempool_free (Linux mm/mempool.c, in the version the
 * spec names: resources/mempool-versions.ts). The mask decides whether the
 * caller may sleep (`__GFP_WAIT`, model/gfp.ts); the version whether the
 * sleep is an untimed `io_schedule()` (2.6.14) or `io_schedule_timeout(5*HZ)`
 * (2.6.18 and later), HZ being the kernel personality's. A free wakes every
 * sleeper without a hand-off: each re-runs `repeat_alloc` when the scheduler
 * next runs it (`resume`), and may find the element taken and sleep again.
 */
import { Mempool } from '../../resources/mempool.js';
import { DEFAULT_MEMPOOL_VERSION, mempoolVersion, type MempoolVersionName } from '../../resources/mempool-versions.js';
import { PageAllocator } from '../../resources/allocator.js';
import type { OpResult } from '../../resources/resource.js';
import type { Effect } from '../../model/effects.js';
import { parseGfp, type GfpFlag } from '../../model/gfp.js';
import { defineResourceKind, done, handler, type EffectEnv, type Performed } from '../protocol.js';
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
  /** Whose mm/mempool.c it follows (MEMPOOL_VERSIONS); default 2.6.14. */
  readonly version?: MempoolVersionName;
}

/** The mask's flags; a model error naming the effect's `gfp` field and the allowed parts (checked first, by mightSleep). */
function flagsOf(e: Alloc): ReadonlySet<GfpFlag> {
  try {
    return parseGfp(e.gfp).flags;
  } catch (err) {
    throw new ModelError(`effect 'alloc' on mempool '${e.pool}', field gfp: ${(err as Error).message}`);
  }
}

/** What the pool answered, as the kernel acts on it: a reply, or a sleep (timed on 2.6.18 and later). */
function performed(e: Alloc, pool: Mempool, r: OpResult<string>, env: EffectEnv): Performed {
  env.note({ effect: 'alloc', resource: e.pool, subject: `${e.pool} ${e.gfp}`, status: r.status });
  if (r.status === 'ok') return done({ type: 'alloc.ok', pool: e.pool, element: r.value as string });
  if (r.status === 'eagain') return done({ type: 'alloc.fail', pool: e.pool });
  const seconds = pool.version.sleepSeconds;
  if (seconds === undefined) return { status: 'parked', on: pool, op: 'alloc' };
  // io_schedule_timeout(5*HZ): 5 seconds in the personality's ticks.
  const period = seconds * env.kernel.personality().hz;
  return { status: 'parked', on: pool, op: 'alloc', deadline: env.clock.now + period, period };
}

/**
 * The backing allocator's attempt under `failP` pressure is a choice point
 * (PageAllocator.failChoice): the choice comes first, and the operation runs
 * with its outcome. The choice carries what it was made for (nothing: the
 * first attempt; `released` or `timed-out`: a retry), so the re-run knows.
 */
function drawFirst(pool: Mempool, env: EffectEnv, why?: 'released' | 'timed-out'): Performed | undefined {
  const backing = env.resource(pool.backingName, PageAllocator, 'alloc');
  const c = backing.failChoice();
  if (c === undefined) return undefined;
  return { status: 'choose', point: c.point, options: c.options, weights: c.weights, carry: why };
}

const alloc = handler<Alloc>({
  perform(e, env): Performed {
    const pool = env.resource(e.pool, Mempool, 'alloc');
    return drawFirst(pool, env) ?? performed(e, pool, pool.alloc(env.caller, e.gfp), env);
  },
  resume(e, wake, env): Performed {
    const pool = env.resource(e.pool, Mempool, 'alloc');
    if (wake.reason === 'chosen') {
      const fails = wake.value === 'fail';
      const why = wake.carry as 'released' | 'timed-out' | undefined;
      const r = why === undefined ? pool.alloc(env.caller, e.gfp, fails) : pool.retry(env.caller, why, fails);
      return performed(e, pool, r, env);
    }
    // Woken by a free, or the timeout ran out: goto repeat_alloc, with the full mask.
    const why = wake.reason === 'timed-out' ? 'timed-out' : 'released';
    return drawFirst(pool, env, why) ?? performed(e, pool, pool.retry(env.caller, why), env);
  },
  mightSleep: (e) => (flagsOf(e).has('__GFP_WAIT') ? `mempool_alloc(${e.pool}, ${e.gfp})` : undefined),
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
    try {
      mempoolVersion(s.version ?? DEFAULT_MEMPOOL_VERSION);
    } catch (err) {
      throw new ModelError(`mempool '${s.name}': ${(err as Error).message}`);
    }
    return new Mempool({ name: s.name, minNr: s.minNr, backing, freedBy: s.freedBy ? [...s.freedBy] : undefined, version: s.version }, env.clock);
  },
  effects: { alloc, free },
});
