import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { aioCompletion } from '../../machines/aio-completion.js';
import { disk, type DiskRequest } from '../../machines/disk.js';
import { ioHelper } from '../../machines/io-helper.js';
import { guestWorkload } from '../../machines/guest-workload.js';
import { effectsOf, timersOf } from '../../src/model/index.js';

describe('aio-completion (aio_thread) transitions', () => {
  it('reaps one event at a time and writes one reply per completion with a blocking write', () => {
    const [s0, a0] = initialTransition(aioCompletion, { ring: 'ring', pipe: 'pipe' });
    expect(s0.value).toBe('reaping');
    expect(effectsOf(a0)).toEqual([{ type: 'ioGetevents', ring: 'ring', min: 1, max: 1 }]);
    const iocb = { id: 'g#1.0', bio: 'g#1' };
    const [s1, a1] = transition(aioCompletion, s0, { type: 'ioGetevents.ok', ring: 'ring', events: [{ iocb, res: 4096 }] });
    expect(s1.value).toBe('writingReply');
    expect(s1.hasTag('blocked')).toBe(true);
    expect(effectsOf(a1)).toEqual([{ type: 'put', chan: 'pipe', item: { bio: 'g#1', iocb: 'g#1.0', err: 0 }, ack: true }]);
    const [s2, a2] = transition(aioCompletion, s1, { type: 'put.ok', chan: 'pipe' });
    expect(s2.value).toBe('reaping');
    expect(s2.context.inHand).toBeNull();
    expect(effectsOf(a2)).toEqual([{ type: 'ioGetevents', ring: 'ring', min: 1, max: 1 }]);
  });

  it('a failed completion carries its errno into the reply', () => {
    const [s0] = initialTransition(aioCompletion, { ring: 'ring', pipe: 'pipe' });
    const [, a1] = transition(aioCompletion, s0, { type: 'ioGetevents.ok', ring: 'ring', events: [{ iocb: { id: 'g#1.0', bio: 'g#1' }, res: -5 }] });
    expect(effectsOf(a1)).toEqual([{ type: 'put', chan: 'pipe', item: { bio: 'g#1', iocb: 'g#1.0', err: -5 }, ack: true }]);
  });
});

describe('disk transitions', () => {
  it('starts a timer per request, named after it, for `latency` ticks', () => {
    const [s0] = initialTransition(disk, { queue: 'dq', latency: 3, ring: 'ring' });
    const [s1, a1] = transition(disk, s0, { type: 'get.ok', chan: 'dq', item: { id: 'g#1.0', bio: 'g#1' } });
    expect(s1.value).toBe('serving');
    expect(timersOf(a1)).toEqual([{ id: 'svc-g#1.0', delay: 3, event: { type: 'serviced', req: { id: 'g#1.0', bio: 'g#1' } } }]);
  });

  it('completes an iocb into its AIO ring, or a helper request into its reply channel', () => {
    const [s0] = initialTransition(disk, { queue: 'dq', ring: 'ring' });
    const [, a1] = transition(disk, s0, { type: 'serviced', req: { id: 'g#1.0', bio: 'g#1' } });
    expect(effectsOf(a1)).toEqual([{ type: 'ioComplete', ring: 'ring', id: 'g#1.0', res: 0 }]);
    const [, a2] = transition(disk, s0, { type: 'serviced', req: { id: 'g#2.0', bio: 'g#2', replyTo: 'done' } });
    expect(effectsOf(a2)).toEqual([{ type: 'put', chan: 'done', item: { id: 'g#2.0', bio: 'g#2', res: 0 } }]);
  });

  it('with media, a write lands on the media as the disk takes it (host submission order), before it is serviced', () => {
    const write: DiskRequest = { id: 'u1#1.0', bio: 'u1#1', op: 'write', sector: 100 };
    const [s0] = initialTransition(disk, { queue: 'dq', latency: 2, ring: 'ring', media: true });
    const [, a1] = transition(disk, s0, { type: 'get.ok', chan: 'dq', item: write });
    expect(effectsOf(a1)).toEqual([{ type: 'mediaWrite', bio: 'u1#1', sector: 100 }]);
    expect(timersOf(a1)).toHaveLength(1);
    const [plain] = initialTransition(disk, { queue: 'dq', ring: 'ring' });
    const [, a2] = transition(disk, plain, { type: 'get.ok', chan: 'dq', item: write });
    expect(effectsOf(a2)).toEqual([]);
  });
});

describe('aio-completion carries the driver\'s pointer back', () => {
  it('the reply holds the iocb\'s data when it has one (aio_thread_reply.data), and nothing extra otherwise', () => {
    const [s0] = initialTransition(aioCompletion, { ring: 'ring', pipe: 'pipe' });
    const iocb = { id: 'u1#1.0', bio: 'u1#1', data: { chunks: 2 } };
    const [s1] = transition(aioCompletion, s0, { type: 'ioGetevents.ok', ring: 'ring', events: [{ iocb, res: 0 }] });
    expect(s1.context.inHand).toEqual({ bio: 'u1#1', iocb: 'u1#1.0', err: 0, data: { chunks: 2 } });
    const [s2] = transition(aioCompletion, s0, { type: 'ioGetevents.ok', ring: 'ring', events: [{ iocb: { id: 'g#1.0', bio: 'g#1' }, res: -5 }] });
    expect(s2.context.inHand).toEqual({ bio: 'g#1', iocb: 'g#1.0', err: -5 });
  });
});

describe('io-helper transitions', () => {
  it('reads a request, does the I/O synchronously, then writes the reply with a blocking write', () => {
    const input = { requests: 'req', diskQueue: 'dq', diskDone: 'done', pipe: 'pipe' };
    const [s0, a0] = initialTransition(ioHelper, input);
    expect(effectsOf(a0)).toEqual([{ type: 'get', chan: 'req' }]);
    const [s1, a1] = transition(ioHelper, s0, { type: 'get.ok', chan: 'req', item: { bio: 'g#1', op: 'write', sector: 0 } });
    expect(s1.value).toBe('doingIo');
    expect(effectsOf(a1)).toEqual([
      { type: 'put', chan: 'dq', item: { id: 'g#1.0', bio: 'g#1', replyTo: 'done' } },
      { type: 'get', chan: 'done' },
    ]);
    const [s2, a2] = transition(ioHelper, s1, { type: 'get.ok', chan: 'done', item: { id: 'g#1.0', bio: 'g#1', res: 0 } });
    expect(s2.value).toBe('writingReply');
    expect(effectsOf(a2)).toEqual([{ type: 'put', chan: 'pipe', item: { bio: 'g#1', iocb: 'g#1.0', err: 0 }, ack: true }]);
  });
});

describe('guest-workload transitions', () => {
  it('queues the whole burst in one plug, each request with a new bio, then unplugs', () => {
    const [s0, a0] = initialTransition(guestWorkload, { queue: 'q', kick: 'kick', burst: 2 });
    expect(s0.value).toBe('done');
    expect(effectsOf(a0)).toEqual([
      { type: 'bioSubmit', bio: 'guest#1' },
      { type: 'put', chan: 'q', item: { bio: 'guest#1', op: 'write', sector: 0 } },
      { type: 'bioSubmit', bio: 'guest#2' },
      { type: 'put', chan: 'q', item: { bio: 'guest#2', op: 'write', sector: 8 } },
      { type: 'up', sem: 'kick' },
    ]);
  });
});
