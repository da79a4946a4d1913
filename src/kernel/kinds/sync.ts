/**
 * Synchronisation (lock/unlock, down/up, ticket take/wait/advance): spin and
 * sleep locks (Linux spin_lock / mutex; NetBSD simple_lock, B_BUSY), counting
 * semaphores (Linux kernel/locking/semaphore.c down/up), and a ticket counter
 * (a sequence a context waits to reach, as an ordered completion).
 *
 * Timed sleeps (`timeout` in ticks): down_timeout() (kernel/semaphore.c,
 * 2.6.26+, -ETIME), wait_event_timeout() for a ticket (include/linux/wait.h,
 * returns 0), and a sleep lock's timeout as NetBSD getblk()'s `slptimeo` on a
 * B_BUSY buffer (sys/kern/vfs_bio.c, ltsleep returns EWOULDBLOCK, getblk NULL).
 * Linux's mutex_lock has no timed form, and a spin lock never sleeps: a
 * timeout on one is refused.
 */
import { Lock } from '../../resources/lock.js';
import { Semaphore } from '../../resources/semaphore.js';
import { TicketCounter } from '../../resources/ticket-counter.js';
import type { Effect } from '../../model/effects.js';
import { defineResourceKind, done, handler, type Performed } from '../protocol.js';
import { ModelError } from '../model-error.js';
import { checkTimeout, timedSleep } from './timeout.js';

type LockE = Extract<Effect, { type: 'lock' }>;
type Unlock = Extract<Effect, { type: 'unlock' }>;
type Down = Extract<Effect, { type: 'down' }>;
type Up = Extract<Effect, { type: 'up' }>;
type Take = Extract<Effect, { type: 'ticketTake' }>;
type Wait = Extract<Effect, { type: 'ticketWait' }>;
type Advance = Extract<Effect, { type: 'ticketAdvance' }>;

export interface LockSpec {
  readonly kind: 'lock';
  readonly name: string;
  readonly flavour: 'spin' | 'sleep';
}
export interface SemaphoreSpec {
  readonly kind: 'semaphore';
  readonly name: string;
  readonly count: number;
  readonly upBy?: readonly string[];
}
export interface CounterSpec {
  readonly kind: 'counter';
  readonly name: string;
  readonly value?: number;
  readonly advancers?: readonly string[];
}

const lock = handler<LockE>({
  perform(e, env): Performed {
    const l = env.resource(e.lock, Lock, 'lock');
    const wait = e.wait ?? true;
    checkTimeout(e.timeout, wait, `lock on '${e.lock}'`);
    if (e.timeout !== undefined && l.flavour !== 'sleep') {
      throw new ModelError(`lock on '${e.lock}': timeout is allowed on flavour 'sleep' only; '${e.lock}' is a ${l.flavour} lock, whose waiter spins and never sleeps`);
    }
    const r = l.acquire(env.caller, { wait });
    env.note({ effect: 'lock', resource: e.lock, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: l, op: 'acquire', ...timedSleep(e.timeout, env.clock) };
    return done({ type: r.status === 'ok' ? 'lock.ok' : 'lock.busy', lock: e.lock });
  },
  resume(e, wake) {
    if (wake.reason === 'timed-out') return done({ type: 'lock.timedout', lock: e.lock });
    // Ownership was passed straight to the oldest waiter on release.
    return done({ type: 'lock.ok', lock: e.lock });
  },
  mightSleep(e, lookup) {
    if (e.wait === false) return undefined;
    const l = lookup(e.lock);
    return l instanceof Lock && l.flavour === 'sleep' ? `a sleep lock (${e.lock})` : undefined;
  },
});

const unlock = handler<Unlock>({
  perform(e, env): Performed {
    const r = env.resource(e.lock, Lock, 'unlock').release(env.caller);
    env.note({ effect: 'unlock', resource: e.lock, status: 'ok' });
    return done(undefined, r.wakeups);
  },
});

const down = handler<Down>({
  perform(e, env): Performed {
    const sem = env.resource(e.sem, Semaphore, 'down');
    const wait = e.wait ?? true;
    checkTimeout(e.timeout, wait, `down on '${e.sem}'`);
    const r = sem.down(env.caller, { wait });
    env.note({ effect: 'down', resource: e.sem, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: sem, op: 'down', ...timedSleep(e.timeout, env.clock) };
    return done({ type: r.status === 'ok' ? 'down.ok' : 'down.busy', sem: e.sem });
  },
  // up() handed its unit straight to the oldest waiter; or down_timeout's -ETIME.
  resume: (e, wake) => done({ type: wake.reason === 'timed-out' ? 'down.timedout' : 'down.ok', sem: e.sem }),
  mightSleep: (e) => (e.wait === false ? undefined : `down(${e.sem})`),
});

const up = handler<Up>({
  perform(e, env): Performed {
    const r = env.resource(e.sem, Semaphore, 'up').up(env.caller);
    env.note({ effect: 'up', resource: e.sem, status: 'ok' });
    return done(undefined, r.wakeups);
  },
});

const ticketTake = handler<Take>({
  perform(e, env): Performed {
    const ticket = env.resource(e.counter, TicketCounter, 'ticketTake').take(env.caller);
    env.note({ effect: 'ticketTake', resource: e.counter, status: `ticket ${ticket}` });
    return done({ type: 'ticketTake.ok', counter: e.counter, ticket });
  },
});

const ticketWait = handler<Wait>({
  perform(e, env): Performed {
    const counter = env.resource(e.counter, TicketCounter, 'ticketWait');
    checkTimeout(e.timeout, true, `ticketWait on '${e.counter}'`);
    const r = counter.waitFor(env.caller, e.ticket, { wait: true });
    env.note({ effect: 'ticketWait', resource: e.counter, subject: `${e.counter} ${e.ticket}`, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: counter, op: 'waitFor', ...timedSleep(e.timeout, env.clock) };
    return done({ type: 'ticketWait.ok', counter: e.counter, ticket: e.ticket });
  },
  resume: (e, wake) => done({ type: wake.reason === 'timed-out' ? 'ticketWait.timedout' : 'ticketWait.ok', counter: e.counter, ticket: e.ticket }),
  mightSleep: (e) => `a wait for ticket ${e.ticket} on ${e.counter}`,
});

const ticketAdvance = handler<Advance>({
  perform(e, env): Performed {
    const r = env.resource(e.counter, TicketCounter, 'ticketAdvance').advance(env.caller, e.by ?? 1);
    env.note({ effect: 'ticketAdvance', resource: e.counter, status: 'ok' });
    return done(undefined, r.wakeups);
  },
});

export const lockKind = defineResourceKind<LockSpec>({
  kind: 'lock',
  create: (s, env) => new Lock({ name: s.name, flavour: s.flavour }, env.clock),
  effects: { lock, unlock },
  // A held spin lock makes its holder atomic (Linux: preempt_count; "scheduling while atomic").
  atomicHolds: (r, ctx) => (r instanceof Lock && r.flavour === 'spin' && r.owner === ctx ? [r.name] : []),
});

export const semaphoreKind = defineResourceKind<SemaphoreSpec>({
  kind: 'semaphore',
  create: (s, env) => new Semaphore({ name: s.name, count: s.count, upBy: s.upBy ? [...s.upBy] : undefined }, env.clock),
  effects: { down, up },
});

export const counterKind = defineResourceKind<CounterSpec>({
  kind: 'counter',
  create: (s, env) => new TicketCounter({ name: s.name, value: s.value, advancers: s.advancers ? [...s.advancers] : undefined }, env.clock),
  effects: { ticketTake, ticketWait, ticketAdvance },
});
