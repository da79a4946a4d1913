/**
 * The lost-wake-up invariant (issue 9, item 2): a context asleep on a
 * resource although the condition it tested before sleeping is already true,
 * with no wake-up pending, sleeps on a wake-up that was never sent — the
 * classic race a `prepare_to_wait(); if (!cond) schedule();` sequence (or
 * a check under the queue's lock) exists to close, and the bug a release
 * that forgets its `wake_up` leaves behind. A woken context is off the
 * resource's queue (its retry is pending), so every waiter the resource
 * still lists is one nobody has woken.
 *
 * Generic: each resource kind that can state its waiters' condition does so
 * through `Resource.readyWaiter` (resources/resource.ts); the kernel runs
 * this after every step over the resources the step touched. A waiter whose
 * condition stays false and that nobody will ever wake is a deadlock (the
 * wait-for check), not this.
 */
import type { Resource } from '../resources/resource.js';

/** A lost wake-up: the sleeper, the resource, and the condition that already holds. */
export interface LostWakeup {
  readonly contexts: readonly string[];
  readonly message: string;
}

/** The first lost wake-up among `resources` (in the order given, waiters oldest first), or undefined. */
export function findLostWakeup(resources: Iterable<Resource>): LostWakeup | undefined {
  for (const r of resources) {
    if (r.readyWaiter === undefined) continue;
    for (const w of r.waiters()) {
      const predicate = r.readyWaiter(w);
      if (predicate === undefined) continue;
      return {
        contexts: [w.ctx],
        message: `lost wake-up: ${w.ctx} sleeps on ${r.describe()} waiting for ${w.what} (since step ${w.since}), although ${predicate} already holds and no wake-up is pending`,
      };
    }
  }
  return undefined;
}
