/**
 * The `timeout` of a timed sleep, as the built-in handlers read it: a whole
 * number of ticks (jiffies of the personality: `5*HZ` is `5 * hz`), turned
 * into the deadline and period a `parked` answer carries. The kernel
 * (loop.ts) withdraws the sleeper from its resource at the deadline and
 * re-runs the operation as timed out, as schedule_timeout() returning 0 ends
 * wait_event_timeout() and down_timeout() (include/linux/wait.h,
 * kernel/semaphore.c since 2.6.26) or ltsleep() returning EWOULDBLOCK ends a
 * NetBSD sleep (sys/kern/kern_synch.c 1.148, NetBSD 3: "sleeps at most
 * timo/hz seconds (0 means no timeout)", endtsleep() takes the sleeper off its
 * sleep queue). Here an untimed sleep has no `timeout` at all, so 0 is refused.
 */
import type { SimClock } from '../../resources/resource.js';
import { ModelError } from '../model-error.js';

/** The deadline and period of a timed sleep, spread into a `parked` answer; empty for an untimed one. */
export type TimedSleep = { readonly deadline: number; readonly period: number } | Record<string, never>;

const UNTIMED: TimedSleep = Object.freeze({});

/**
 * Refuses a `timeout` that is not a whole number of ticks >= 1, or one on a
 * call that never sleeps (`wait: false`, a trylock or O_NONBLOCK): a zero
 * timeout is what `wait: false` already says. `what` names the call
 * (`down on 'pool'`).
 */
export function checkTimeout(timeout: number | undefined, wait: boolean, what: string): void {
  if (timeout === undefined) return;
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new ModelError(`${what}: timeout must be a whole number of ticks >= 1 (5*HZ is 5 * the personality's hz), got ${String(timeout)}`);
  }
  if (!wait) throw new ModelError(`${what}: timeout is for a sleeping call, and wait: false never sleeps; drop one of them`);
}

/** The deadline (now + timeout) and period of a checked timeout, or nothing for an untimed sleep. */
export function timedSleep(timeout: number | undefined, clock: Readonly<SimClock>): TimedSleep {
  return timeout === undefined ? UNTIMED : { deadline: clock.now + timeout, period: timeout };
}
