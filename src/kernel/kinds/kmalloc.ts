/**
 * The page allocator's effects (kmalloc, kfree), after Linux mm/slab.c over
 * mm/page_alloc.c `__alloc_pages` (2.6.14; 2.6.32's `__alloc_pages_slowpath`
 * has the same loop). The mask (model/gfp.ts) decides:
 *
 * - without `__GFP_WAIT`: one attempt, `__GFP_HIGH` (GFP_ATOMIC) dipping
 *   into the reserve; on failure `kmalloc.fail` (NULL);
 * - with it, the allocation loops (`goto rebalance`): an attempt, a reclaim
 *   pass (`try_to_free_pages`), and `blk_congestion_wait(WRITE, HZ/50)`, a
 *   timed sleep, before the next round — small orders never give up
 *   (`do_retry` for order <= 3). `__GFP_NORETRY` gives up after the reclaim
 *   pass instead (`do_retry` stays 0: no congestion_wait, `nopage`).
 *
 * Under memory exhausted except dirty pages (resources/allocator.ts), the
 * reclaim pass writes those pages back through the device's request queue
 * when it has one: `pageout` skips a congested queue (`may_write_to_queue`)
 * unless the caller is one of the device's writers, and a full queue makes
 * the submission sleep in `get_request_wait`, untimed — the one untimed
 * sleep on this path.
 *
 * Not modelled: the OOM killer (2.6.14 calls `out_of_memory` when reclaim
 * made no progress for a `__GFP_FS` caller: every round here just goes on),
 * the HZ/10 naps inside `try_to_free_pages`, and the early wake of
 * congestion waiters when some queue leaves congestion (they wake at their
 * timeout).
 */
import { PageAllocator, type Exhaustion } from '../../resources/allocator.js';
import { RequestQueue } from '../../resources/request-queue.js';
import type { Effect } from '../../model/effects.js';
import { parseGfp, type GfpMask } from '../../model/gfp.js';
import { defineResourceKind, done, handler, type EffectEnv, type Performed } from '../protocol.js';
import { ModelError } from '../model-error.js';

type Kmalloc = Extract<Effect, { type: 'kmalloc' }>;
type Kfree = Extract<Effect, { type: 'kfree' }>;

export interface AllocatorSpec {
  readonly kind: 'allocator';
  readonly name: string;
  readonly pressure: 'none' | 'always' | { readonly failP: number };
  readonly limit?: number;
  /** Pages only `__GFP_HIGH` (GFP_ATOMIC) may take once an ordinary attempt fails. */
  readonly reserve?: number;
  /** Memory exhausted except dirty pages on these devices: only their writeback can free any (needs pressure `always`). */
  readonly exhausted?: Exhaustion;
}

// Masks are a handful of strings written in machines: parse each once.
const MASKS = new Map<string, GfpMask>();
function maskOf(e: Kmalloc): GfpMask {
  let m = MASKS.get(e.gfp);
  if (m === undefined) {
    try {
      m = parseGfp(e.gfp);
    } catch (err) {
      throw new ModelError(`kmalloc on allocator '${e.allocator}': ${(err as Error).message}`);
    }
    MASKS.set(e.gfp, m);
  }
  return m;
}

/** HZ/50 in ticks, as C computes it, but at least one tick (schedule_timeout(0) would not sleep at all). */
function congestionPeriod(env: EffectEnv): number {
  return Math.max(1, Math.floor(env.kernel.personality().hz / 50));
}

function fail(e: Kmalloc): Performed {
  return done({ type: 'kmalloc.fail', allocator: e.allocator });
}

/** The round ends in blk_congestion_wait(WRITE, HZ/50): a timed sleep, after which the caller goes round again. */
function congestionWait(e: Kmalloc, mask: GfpMask, a: PageAllocator, env: EffectEnv): Performed {
  const period = congestionPeriod(env);
  const deadline = env.clock.now + period;
  a.congestionWait(env.caller, e.gfp, mask.flags, deadline);
  env.note({ effect: 'kmalloc', resource: e.allocator, subject: `${e.allocator} ${e.gfp}: congestion_wait`, status: 'blocked' });
  return { status: 'parked', on: a, op: 'congestion_wait', deadline, period };
}

/**
 * try_to_free_pages, then __alloc_pages' decision. Reclaim under exhaustion
 * writes back, device by device, the dirty pages the mask allows; it can
 * block only in a full request queue it is allowed to write to.
 */
function reclaim(e: Kmalloc, mask: GfpMask, a: PageAllocator, env: EffectEnv): Performed {
  for (const d of a.reclaimable(mask.flags)) {
    if (d.queue === undefined) continue;
    const q = env.resource(d.queue, RequestQueue, `kmalloc reclaim of ${d.device}`);
    if (q.congested && !(d.writers ?? []).includes(env.caller)) continue;
    if (q.full) {
      q.sleepForWriteback(env.caller, d.device);
      env.note({ effect: 'kmalloc', resource: d.queue, subject: `${e.allocator} ${e.gfp}: writeback of ${d.device}`, status: 'blocked' });
      return { status: 'parked', on: q, op: 'get_request_wait' };
    }
  }
  return afterReclaim(e, mask, a, env);
}

/** Reclaim freed nothing an attempt could use: __GFP_NORETRY gives up, anyone else waits and goes round again. */
function afterReclaim(e: Kmalloc, mask: GfpMask, a: PageAllocator, env: EffectEnv): Performed {
  if (mask.flags.has('__GFP_NORETRY')) {
    env.note({ effect: 'kmalloc', resource: e.allocator, subject: `${e.allocator} ${e.gfp}: nopage`, status: 'eagain' });
    return fail(e);
  }
  return congestionWait(e, mask, a, env);
}

/**
 * One round: an attempt (the reserve too for `__GFP_HIGH`), then NULL
 * without `__GFP_WAIT`, else reclaim. Under `failP` pressure the attempt's
 * fate is first a choice point (`<allocator>:fail`, options ok / fail); the
 * round runs once it is `drawn`.
 */
function round(e: Kmalloc, env: EffectEnv, drawn?: boolean): Performed {
  const a = env.resource(e.allocator, PageAllocator, 'kmalloc');
  const choice = drawn === undefined ? a.failChoice() : undefined;
  if (choice !== undefined) return { status: 'choose', ...choice };
  const mask = maskOf(e);
  const element = a.tryAlloc(env.caller, { high: mask.flags.has('__GFP_HIGH'), fails: drawn });
  if (element !== undefined) {
    env.note({ effect: 'kmalloc', resource: e.allocator, subject: `${e.allocator} ${e.gfp}`, status: 'ok' });
    return done({ type: 'kmalloc.ok', allocator: e.allocator, element });
  }
  if (!mask.flags.has('__GFP_WAIT')) {
    env.note({ effect: 'kmalloc', resource: e.allocator, subject: `${e.allocator} ${e.gfp}`, status: 'eagain' });
    return fail(e);
  }
  return reclaim(e, mask, a, env);
}

const kmalloc = handler<Kmalloc>({
  perform: (e, env) => round(e, env),
  resume(e, wake, env): Performed {
    // The scheduler drew the attempt's fate.
    if (wake.reason === 'chosen') return round(e, env, wake.value === 'fail');
    // congestion_wait timed out: `goto rebalance`, a new round (the kernel runs it as a retry, a step of its own).
    if (wake.reason === 'timed-out') return round(e, env);
    // get_request_wait let reclaim go: its writeback is submitted and the pass ends.
    return afterReclaim(e, maskOf(e), env.resource(e.allocator, PageAllocator, 'kmalloc'), env);
  },
  mightSleep: (e) => (maskOf(e).flags.has('__GFP_WAIT') ? `kmalloc(${e.gfp}) on allocator ${e.allocator}` : undefined),
  warnings: (e) => maskOf(e).warnings.map((w) => `kmalloc on allocator ${e.allocator}: ${w}`),
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
  create(s, env) {
    let a: PageAllocator;
    try {
      a = new PageAllocator({ name: s.name, pressure: s.pressure, limit: s.limit, reserve: s.reserve, exhausted: s.exhausted }, env.clock, env.random(`allocator:${s.name}`));
    } catch (err) {
      throw new ModelError((err as Error).message);
    }
    a.exhausted?.dirtyOn.forEach((d, i) => {
      if (d.queue !== undefined && !(env.declared(d.queue) instanceof RequestQueue)) {
        throw new ModelError(`allocator ${s.name}: exhausted.dirtyOn[${i}].queue '${d.queue}' is not a request-queue declared before the allocator`);
      }
    });
    return a;
  },
  effects: { kmalloc, kfree },
});
