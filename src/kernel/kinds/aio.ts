/**
 * Host AIO (io_submit, io_getevents, the device's completion): UML's
 * arch/um/os-Linux/aio.c over Linux fs/aio.c. io_submit never blocks — a full
 * ring (nr_events of io_setup) is EAGAIN; io_getevents sleeps until min_nr
 * completions arrive, or until its timeout passes (2.6 fs/aio.c read_events:
 * it then returns the fewer events it has, possibly none).
 */
import { AioRing } from '../../resources/aio-ring.js';
import { Channel } from '../../resources/channel.js';
import type { Effect, Iocb, IoEvent } from '../../model/effects.js';
import { defineResourceKind, done, handler, type Performed } from '../protocol.js';
import { checkTimeout, timedSleep } from './timeout.js';

type Submit = Extract<Effect, { type: 'ioSubmit' }>;
type Getevents = Extract<Effect, { type: 'ioGetevents' }>;
type Complete = Extract<Effect, { type: 'ioComplete' }>;

export interface AioRingSpec {
  readonly kind: 'aio-ring';
  readonly name: string;
  readonly nrEvents: number;
  readonly submitters?: readonly string[];
  /** Device context that completes iocbs. */
  readonly completer?: string;
  /** Channel the device takes submitted iocbs from (each successful io_submit is forwarded there). */
  readonly device?: string;
}

const OP = 'io_submit/io_getevents';

const ioSubmit = handler<Submit>({
  perform(e, env): Performed {
    const ring = env.resource(e.ring, AioRing, OP) as AioRing<Iocb>;
    const errno = env.fault('ioSubmit', e.ring);
    if (errno) {
      env.note({ effect: 'ioSubmit', resource: e.ring, subject: e.iocb.id, status: `injected errno ${errno}` });
      return done({ type: 'ioSubmit.error', ring: e.ring, id: e.iocb.id, errno });
    }
    const r = ring.submit(env.caller, e.iocb);
    env.note({ effect: 'ioSubmit', resource: e.ring, subject: e.iocb.id, status: r.status });
    let wakeups = undefined;
    if (r.status === 'ok') {
      // The iocb reaches the device through its queue: the forwarding the spec declares.
      const device = (env.specOf(e.ring) as AioRingSpec | undefined)?.device;
      if (device !== undefined) wakeups = env.resource(device, Channel, 'ioSubmit', 'a channel or pipe').put(env.caller, e.iocb, { wait: false }).wakeups;
    }
    return done({ type: r.status === 'ok' ? 'ioSubmit.ok' : 'ioSubmit.eagain', ring: e.ring, id: e.iocb.id }, wakeups);
  },
});

const ioGetevents = handler<Getevents>({
  perform(e, env): Performed {
    const ring = env.resource(e.ring, AioRing, OP) as AioRing<Iocb>;
    checkTimeout(e.timeout, true, `ioGetevents on '${e.ring}'`);
    const r = ring.getevents(env.caller, { min: e.min ?? 1, max: e.max ?? 1, wait: true });
    env.note({ effect: 'ioGetevents', resource: e.ring, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: ring, op: 'getevents', ...timedSleep(e.timeout, env.clock) };
    return done({ type: 'ioGetevents.ok', ring: e.ring, events: r.value as readonly IoEvent[] });
  },
  resume(e, wake, env) {
    if (wake.reason === 'timed-out') {
      const events = (env.resource(e.ring, AioRing, OP) as AioRing<Iocb>).reapTimedOut(env.caller, e.max ?? 1);
      return done({ type: 'ioGetevents.timedout', ring: e.ring, events: events as readonly IoEvent[] });
    }
    // The completion that satisfied min_nr handed the events over.
    return done({ type: 'ioGetevents.ok', ring: e.ring, events: wake.value as readonly IoEvent[] });
  },
});

const ioComplete = handler<Complete>({
  perform(e, env): Performed {
    const ring = env.resource(e.ring, AioRing, OP) as AioRing<Iocb>;
    const errno = env.fault('disk', e.ring);
    const r = ring.complete(e.id, errno ? -errno : (e.res ?? 0));
    env.note({ effect: 'ioComplete', resource: e.ring, subject: e.id, status: errno ? `injected -${errno}` : 'ok' });
    return done(undefined, r.wakeups);
  },
});

export const aioRingKind = defineResourceKind<AioRingSpec>({
  kind: 'aio-ring',
  create: (s, env) => new AioRing({ name: s.name, nrEvents: s.nrEvents, submitters: s.submitters, completer: s.completer }, env.clock),
  effects: { ioSubmit, ioGetevents, ioComplete },
});
