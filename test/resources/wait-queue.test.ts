import { describe, it, expect } from 'vitest';
import { WaitQueue, type WaitEntry } from '../../src/resources/wait-queue.js';

/** An entry for `ctx`; exclusive unless told otherwise, data = its name. */
function entry(ctx: string, opts: { exclusive?: boolean; since?: number; deadline?: number } = {}): WaitEntry<string> {
  return { ctx, what: 'thing', since: opts.since ?? 0, exclusive: opts.exclusive ?? true, data: `d-${ctx}`, ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}) };
}

function queueOf(...entries: WaitEntry<string>[]): WaitQueue<string> {
  const q = new WaitQueue<string>();
  for (const e of entries) q.park(e);
  return q;
}

const ctxs = (es: readonly WaitEntry<string>[]): string[] => es.map((e) => e.ctx);

describe('WaitQueue: parking', () => {
  it('keeps arrival order, lists waiters as the wait-for graph sees them, and knows who is parked', () => {
    const q = queueOf(entry('a', { since: 3 }), entry('b', { since: 5, exclusive: false }), entry('c', { since: 5 }));
    expect(q.length).toBe(3);
    expect(q.list()).toEqual([
      { ctx: 'a', what: 'thing', since: 3 },
      { ctx: 'b', what: 'thing', since: 5 },
      { ctx: 'c', what: 'thing', since: 5 },
    ]);
    expect(q.has('b')).toBe(true);
    expect(q.has('z')).toBe(false);
    expect(q.find('c')?.data).toBe('d-c');
    expect(q.peek()?.ctx).toBe('a');
  });

  it('refuses to park a context twice', () => {
    const q = queueOf(entry('a'));
    expect(() => q.park(entry('a'))).toThrow(/a is already parked/);
  });

  it('fingerprints in queue order, by context unless rendered otherwise, leaving `since` out', () => {
    const q = queueOf(entry('b', { since: 1 }), entry('a', { since: 2 }));
    const twin = queueOf(entry('b', { since: 7 }), entry('a', { since: 9 }));
    expect(q.fingerprint()).toBe('b,a');
    expect(q.fingerprint((e) => `${e.ctx}=${e.data}`)).toBe('b=d-b,a=d-a');
    expect(twin.fingerprint()).toBe(q.fingerprint());
    expect(new WaitQueue().fingerprint()).toBe('');
  });
});

describe('WaitQueue: hand-off (wakeOne)', () => {
  it('removes and returns the oldest entry, FIFO, then nothing', () => {
    const q = queueOf(entry('a'), entry('b'), entry('c'));
    expect(q.wakeOne()?.ctx).toBe('a');
    q.park(entry('d'));
    expect(ctxs([q.wakeOne()!, q.wakeOne()!, q.wakeOne()!])).toEqual(['b', 'c', 'd']);
    expect(q.wakeOne()).toBeUndefined();
    expect(q.length).toBe(0);
  });

  it('with a match, takes the oldest entry it accepts and leaves the others in place', () => {
    const q = queueOf(entry('a'), entry('b'), entry('c'), entry('d'));
    expect(q.wakeOne((e) => e.ctx === 'c' || e.ctx === 'd')?.ctx).toBe('c');
    expect(q.wakeOne((e) => e.ctx === 'z')).toBeUndefined();
    expect(q.fingerprint()).toBe('a,b,d');
  });
});

describe('WaitQueue: wake-all (wake_up_all)', () => {
  it('wakes everyone, exclusive or not, in queue order', () => {
    const q = queueOf(entry('a'), entry('b', { exclusive: false }), entry('c'));
    expect(ctxs(q.wakeAll())).toEqual(['a', 'b', 'c']);
    expect(q.length).toBe(0);
    expect(q.wakeAll()).toEqual([]);
  });

  it('with a match, wakes only those it accepts; the rest keep their places', () => {
    const q = queueOf(entry('a'), entry('b'), entry('c'), entry('d'));
    expect(ctxs(q.wakeAll((e) => e.ctx === 'b' || e.ctx === 'd'))).toEqual(['b', 'd']);
    expect(q.fingerprint()).toBe('a,c');
  });

  it('is wake(0): nrExclusive 0 wakes everyone, as wake_up_all passes 0', () => {
    const q = queueOf(entry('a'), entry('b'), entry('c', { exclusive: false }));
    expect(ctxs(q.wake(0))).toEqual(['a', 'b', 'c']);
  });
});

describe('WaitQueue: exclusive wake-one (__wake_up with nr_exclusive)', () => {
  it('wakes one exclusive waiter at a time when all are exclusive', () => {
    const q = queueOf(entry('a'), entry('b'), entry('c'));
    expect(ctxs(q.wake(1))).toEqual(['a']);
    expect(ctxs(q.wake(1))).toEqual(['b']);
    expect(q.fingerprint()).toBe('c');
  });

  it('wakes every non-exclusive waiter before the first nrExclusive exclusive ones, and stops there', () => {
    // n1 n2 X1 n3 X2 n4 X3: nr 1 wakes n1 n2 X1 and stops; n3 is behind X1, so it stays.
    const q = queueOf(
      entry('n1', { exclusive: false }),
      entry('n2', { exclusive: false }),
      entry('x1'),
      entry('n3', { exclusive: false }),
      entry('x2'),
      entry('n4', { exclusive: false }),
      entry('x3'),
    );
    expect(ctxs(q.wake(1))).toEqual(['n1', 'n2', 'x1']);
    expect(q.fingerprint()).toBe('n3,x2,n4,x3');
    // nr 2 now: n3, x2, n4, x3 — the second exclusive is the last entry.
    expect(ctxs(q.wake(2))).toEqual(['n3', 'x2', 'n4', 'x3']);
    expect(q.length).toBe(0);
  });

  it('wakes every non-exclusive waiter when there are fewer exclusive ones than nrExclusive', () => {
    const q = queueOf(entry('n1', { exclusive: false }), entry('x1'), entry('n2', { exclusive: false }));
    expect(ctxs(q.wake(5))).toEqual(['n1', 'x1', 'n2']);
  });

  it('with only non-exclusive waiters, wake(1) is a wake-all', () => {
    const q = queueOf(entry('a', { exclusive: false }), entry('b', { exclusive: false }));
    expect(ctxs(q.wake(1))).toEqual(['a', 'b']);
  });

  it('an entry the match declines is skipped and not counted against nrExclusive', () => {
    const q = queueOf(entry('x1'), entry('n1', { exclusive: false }), entry('x2'), entry('x3'));
    expect(ctxs(q.wake(1, (e) => e.ctx !== 'x1'))).toEqual(['n1', 'x2']);
    expect(q.fingerprint()).toBe('x1,x3');
  });

  it('refuses a negative or fractional nrExclusive', () => {
    const q = queueOf(entry('a'));
    expect(() => q.wake(-1)).toThrow(/nrExclusive/);
    expect(() => q.wake(1.5)).toThrow(/nrExclusive/);
    expect(q.length).toBe(1);
  });
});

describe('WaitQueue: leaving on its own and deadlines', () => {
  it('remove takes one waiter out wherever it is and returns its entry; a second remove finds nothing', () => {
    const q = queueOf(entry('a'), entry('b'), entry('c'));
    expect(q.remove('b')?.data).toBe('d-b');
    expect(q.remove('b')).toBeUndefined();
    expect(q.fingerprint()).toBe('a,c');
  });

  it('expired takes out, oldest first, exactly the entries whose deadline <= now; untimed sleeps never expire', () => {
    const q = queueOf(entry('a', { deadline: 10 }), entry('forever'), entry('b', { deadline: 5 }), entry('c', { deadline: 20 }));
    expect(q.expired(4)).toEqual([]);
    expect(q.length).toBe(4);
    expect(ctxs(q.expired(10))).toEqual(['a', 'b']);
    expect(q.fingerprint()).toBe('forever,c');
    expect(ctxs(q.expired(Number.MAX_SAFE_INTEGER))).toEqual(['c']);
    expect(q.fingerprint()).toBe('forever');
  });

  it('an expired entry keeps its deadline, and a woken timed sleeper is no longer there to expire', () => {
    const q = queueOf(entry('a', { deadline: 3 }), entry('b', { deadline: 3 }));
    expect(q.wakeOne()?.deadline).toBe(3);
    expect(ctxs(q.expired(3))).toEqual(['b']);
  });
});

describe('WaitQueue: save and restore', () => {
  it('saves plain data that later changes do not touch, and restores it any number of times', () => {
    const q = queueOf(entry('a', { since: 1 }), entry('b', { since: 2, exclusive: false, deadline: 9 }));
    const saved = q.save();
    const json = JSON.stringify(saved);
    expect(structuredClone(saved)).toEqual(saved);
    q.wakeAll();
    q.park(entry('z'));
    expect(JSON.stringify(saved)).toBe(json);
    for (let round = 0; round < 2; round++) {
      q.restore(saved);
      expect(q.list()).toEqual([
        { ctx: 'a', what: 'thing', since: 1 },
        { ctx: 'b', what: 'thing', since: 2 },
      ]);
      expect(q.find('b')).toEqual({ ctx: 'b', what: 'thing', since: 2, exclusive: false, deadline: 9, data: 'd-b' });
      expect(ctxs(q.wake(1))).toEqual(['a']);
    }
    q.restore(JSON.parse(json));
    expect(ctxs(q.expired(9))).toEqual(['b']);
  });
});
