/**
 * Channels and pipes (put, get): request queues, mailboxes, host pipes.
 * Models a bounded FIFO between contexts — write(2)/read(2) of one record on
 * a pipe (Linux fs/pipe.c pipe_write/pipe_read: a writer sleeps on a full
 * pipe, O_NONBLOCK gets EAGAIN), or a request list (blk_requeue_request puts
 * at the head). A `timeout` bounds the sleep as wait_event_timeout() does on a
 * queue's wait queue (include/linux/wait.h; pipe_read/pipe_write themselves
 * have none, a host reader gets one from poll(2)): the caller is taken off and
 * replies `get.timedout` / `put.timedout`.
 */
import { Channel } from '../../resources/channel.js';
import { Pipe } from '../../resources/pipe.js';
import type { Effect } from '../../model/effects.js';
import { defineResourceKind, done, handler, type Performed } from '../protocol.js';
import { ModelError } from '../model-error.js';
import { checkTimeout, timedSleep } from './timeout.js';

type Put = Extract<Effect, { type: 'put' }>;
type Get = Extract<Effect, { type: 'get' }>;

export interface ChannelSpec {
  readonly kind: 'channel';
  readonly name: string;
  readonly capacity: number;
  readonly readers?: readonly string[];
  readonly writers?: readonly string[];
  readonly unit?: string;
}
export interface PipeSpec {
  readonly kind: 'pipe';
  readonly name: string;
  readonly capacity: number;
  readonly readers?: readonly string[];
  readonly writers?: readonly string[];
}

const CHANNEL = 'a channel or pipe';

/**
 * Whether a put replies: a non-blocking one always (ok/eagain), a timed one
 * always (ok/timedout: the machine must learn whether its item went in), an
 * untimed blocking one only when it asked for an ack.
 */
const putReplies = (e: Put): boolean => e.ack === true || e.wait === false || e.timeout !== undefined;

const put = handler<Put>({
  perform(e, env): Performed {
    const chan = env.resource(e.chan, Channel, e.type, CHANNEL);
    const wait = e.wait ?? true;
    checkTimeout(e.timeout, wait, `put on '${e.chan}'`);
    const r = chan.put(env.caller, e.item, { wait, front: e.front });
    env.note({ effect: 'put', resource: e.chan, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: chan, op: 'put', host: e.host === true, inHand: !putReplies(e), wakeups: r.wakeups, ...timedSleep(e.timeout, env.clock) };
    return putReplies(e) ? done({ type: r.status === 'ok' ? 'put.ok' : 'put.eagain', chan: e.chan }, r.wakeups) : done(undefined, r.wakeups);
  },
  resume(e, wake) {
    // Timed out: the channel gave the writer up with its item still in hand.
    if (wake.reason === 'timed-out') return done({ type: 'put.timedout', chan: e.chan });
    // The channel moved the parked item in when a reader made room.
    return putReplies(e) ? done({ type: 'put.ok', chan: e.chan }) : done();
  },
  mightSleep(e, lookup) {
    if (e.host === true || e.wait === false) return undefined;
    const chan = lookup(e.chan);
    // list_add under a lock cannot block: only a bounded channel can.
    return chan !== undefined && chan.capacity !== Infinity ? `a blocking put on ${e.chan}` : undefined;
  },
});

const get = handler<Get>({
  perform(e, env): Performed {
    const chan = env.resource(e.chan, Channel, e.type, CHANNEL);
    const owner = env.kernel.mailboxOwner(chan);
    if (owner !== undefined) throw new ModelError(`context '${env.caller}' did a get on '${e.chan}', which is the mailbox of '${owner}'`);
    const wait = e.wait ?? true;
    checkTimeout(e.timeout, wait, `get on '${e.chan}'`);
    const r = chan.get(env.caller, { wait });
    env.note({ effect: 'get', resource: e.chan, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: chan, op: 'get', host: e.host === true, wakeups: r.wakeups, ...timedSleep(e.timeout, env.clock) };
    return done(r.status === 'ok' ? { type: 'get.ok', chan: e.chan, item: r.value } : { type: 'get.eagain', chan: e.chan }, r.wakeups);
  },
  resume(e, wake) {
    if (wake.reason === 'timed-out') return done({ type: 'get.timedout', chan: e.chan });
    // A writer handed its item straight to the sleeping reader.
    return done({ type: 'get.ok', chan: e.chan, item: wake.value });
  },
  mightSleep(e) {
    return e.host === true || e.wait === false ? undefined : `a blocking get on ${e.chan}`;
  },
});

const CHANNEL_EFFECTS = { put, get };

export const channelKind = defineResourceKind<ChannelSpec>({
  kind: 'channel',
  create: (s, env) => new Channel({ name: s.name, capacity: s.capacity, readers: s.readers ? [...s.readers] : undefined, writers: s.writers ? [...s.writers] : undefined, unit: s.unit }, env.clock),
  effects: CHANNEL_EFFECTS,
});

export const pipeKind = defineResourceKind<PipeSpec>({
  kind: 'pipe',
  create: (s, env) => new Pipe({ name: s.name, capacity: s.capacity, readers: s.readers ? [...s.readers] : undefined, writers: s.writers ? [...s.writers] : undefined }, env.clock),
  effects: CHANNEL_EFFECTS,
});
