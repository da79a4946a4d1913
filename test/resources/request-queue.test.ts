/**
 * The block request queue against block/ll_rw_blk.c (2.6.10-2.6.17):
 * nr_requests bound, get_request / get_request_wait, freed_request's
 * wake-one, and the congestion thresholds page reclaim reads.
 */
import { describe, expect, it } from 'vitest';
import { RequestQueue } from '../../src/resources/request-queue.js';
import type { SimClock } from '../../src/resources/resource.js';

const clock = (): SimClock => ({ now: 0, step: 0 });
const queue = (nrRequests: number, completedBy: string[] = ['xq']) => new RequestQueue({ name: 'X.rq', nrRequests, completedBy }, clock());

describe('RequestQueue (block/ll_rw_blk.c get_request, get_request_wait, freed_request)', () => {
  it('hands out nr_requests requests, then get_request fails (no __GFP_WAIT) and get_request_wait sleeps', () => {
    const q = queue(2);
    expect(q.get('a', { wait: true }).status).toBe('ok');
    expect(q.get('b', { wait: true }).status).toBe('ok');
    expect(q.full).toBe(true);
    expect(q.get('c', { wait: false }).status).toBe('eagain');
    expect(q.get('d', { wait: true }).status).toBe('blocked');
    expect(q.waiters()).toEqual([{ ctx: 'd', what: 'a request', since: 0 }]);
    expect(q.describe()).toBe('request-queue X.rq (2/2 requests, congested, 1 waiting)');
    expect(q.waits).toBe(1);
  });

  it('a freed request wakes only the oldest sleeper, which gets it (exclusive wake-up)', () => {
    const q = queue(1);
    q.get('a', { wait: true });
    q.get('first', { wait: true });
    q.get('second', { wait: true });
    expect(q.put('xq').wakeups).toEqual([{ ctx: 'first', op: 'get_request_wait' }]);
    expect(q.level).toBe(1);
    expect(q.waiters().map((w) => w.ctx)).toEqual(['second']);
    expect(q.checkConservation()).toBeUndefined();
  });

  it('a sleeper is released only by the contexts that complete the requests', () => {
    const q = queue(1, ['xq', 'xirq']);
    q.get('a', { wait: true });
    q.get('b', { wait: true });
    expect(q.releasers(q.waiters()[0])).toEqual([
      { ctx: 'xq', edge: 'completes' },
      { ctx: 'xirq', edge: 'completes' },
    ]);
  });

  it('reclaim asleep for the writeback of X waits for that writeback: writeback-of edges to the completers', () => {
    const q = queue(1);
    q.get('a', { wait: true });
    q.sleepForWriteback('xq', 'X');
    expect(q.waiters()).toEqual([{ ctx: 'xq', what: "a request to write back X's dirty pages", since: 0 }]);
    expect(q.releasers(q.waiters()[0])).toEqual([{ ctx: 'xq', edge: 'writeback-of', device: 'X' }]);
    expect(q.writebackWaits).toBe(1);
    expect(() => queue(1).sleepForWriteback('xq', 'X')).toThrow(/X\.rq: xq sleeps for a request while 1 are free/);
  });

  it('waking reclaim does not use up the freed request: the wake goes on to the next sleeper', () => {
    const q = queue(1);
    q.get('a', { wait: true });
    q.sleepForWriteback('reclaimer', 'X');
    q.get('submitter', { wait: true });
    expect(q.put('xq').wakeups).toEqual([
      { ctx: 'reclaimer', op: 'get_request_wait', recheck: true },
      { ctx: 'submitter', op: 'get_request_wait' },
    ]);
    expect(q.level).toBe(1);
    expect(q.waiters()).toEqual([]);
  });

  it('congested from nr_congestion_on (7/8 + 1) until below nr_congestion_off (a sixteenth lower): blk_queue_congestion_threshold', () => {
    const q = queue(16);
    expect([q.congestionOn, q.congestionOff]).toEqual([15, 12]);
    for (let i = 0; i < 14; i++) q.get(`w${i}`, { wait: true });
    expect(q.congested).toBe(false);
    q.get('w14', { wait: true });
    expect(q.congested).toBe(true);
    q.put('xq'); // 14 out
    q.put('xq'); // 13
    q.put('xq'); // 12: not below 12 yet
    expect(q.congested).toBe(true);
    q.put('xq'); // 11
    expect(q.congested).toBe(false);
  });

  it('small queues: congested once full (on is capped at nr_requests), off at 1', () => {
    const q = queue(2);
    expect([q.congestionOn, q.congestionOff]).toEqual([2, 1]);
    q.get('a', { wait: true });
    expect(q.congested).toBe(false);
    q.get('b', { wait: true });
    expect(q.congested).toBe(true);
    q.put('xq');
    expect(q.congested).toBe(true);
    q.put('xq');
    expect(q.congested).toBe(false);
  });

  it('giving back a request that is not out, or sleeping twice, is a bookkeeping error', () => {
    const q = queue(1);
    expect(() => q.put('xq')).toThrow(/request-queue X\.rq: xq puts a request back while none is out/);
    q.get('a', { wait: true });
    q.get('b', { wait: true });
    expect(() => q.get('b', { wait: true })).toThrow(/b calls get_request while already parked/);
  });

  it('bad options are refused, naming the field', () => {
    expect(() => queue(0)).toThrow(/nrRequests must be a whole number >= 1, got 0/);
    expect(() => new RequestQueue({ name: 'q', nrRequests: 2, completedBy: [''] }, clock())).toThrow(/completedBy must list the contexts that complete its requests/);
  });

  it('fingerprints differ by sleepers and what they wait for', () => {
    const a = queue(1);
    const b = queue(1);
    a.get('x', { wait: true });
    b.get('x', { wait: true });
    a.get('s', { wait: true });
    b.sleepForWriteback('s', 'X');
    expect(a.fingerprint()).toBe('request-queue X.rq out[1] congested[true] wait[s]');
    expect(b.fingerprint()).toBe('request-queue X.rq out[1] congested[true] wait[s:writeback X]');
  });
});
