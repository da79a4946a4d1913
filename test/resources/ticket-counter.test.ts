import { describe, it, expect } from 'vitest';
import { TicketCounter } from '../../src/resources/ticket-counter.js';
import type { SimClock } from '../../src/resources/resource.js';
import { pick, xorshift } from './xorshift.js';

const WAIT = { wait: true };
const NOWAIT = { wait: false };

function make(value?: number, advancers?: string[]) {
  const clock: SimClock = { now: 0, step: 0 };
  return { clock, counter: new TicketCounter({ name: 'submitted', value, advancers }, clock) };
}

describe('TicketCounter', () => {
  it('a ticket already reached passes at once', () => {
    const { counter } = make(2);
    expect(counter.waitFor('u', 2, WAIT)).toEqual({ status: 'ok', wakeups: [] });
    expect(counter.waitFor('u', 0, NOWAIT).status).toBe('ok');
  });

  it('a ticket not yet reached parks, or returns EAGAIN without wait', () => {
    const { counter, clock } = make();
    expect(counter.waitFor('u', 1, NOWAIT)).toEqual({ status: 'eagain', wakeups: [] });
    clock.step = 9;
    expect(counter.waitFor('u', 1, WAIT).status).toBe('blocked');
    expect(counter.waiters()).toEqual([{ ctx: 'u', what: 'ticket 1', since: 9 }]);
  });

  it('advance wakes every waiter whose ticket is reached, oldest first, and only those', () => {
    const { counter } = make();
    counter.waitFor('u3', 3, WAIT);
    counter.waitFor('u2', 2, WAIT);
    counter.waitFor('u1', 1, WAIT);
    counter.waitFor('u2b', 2, WAIT);
    const r = counter.advance('u0', 2);
    expect(r.wakeups).toEqual([
      { ctx: 'u2', op: 'waitFor' },
      { ctx: 'u1', op: 'waitFor' },
      { ctx: 'u2b', op: 'waitFor' },
    ]);
    expect(counter.value).toBe(2);
    expect(counter.waiters().map((w) => w.ctx)).toEqual(['u3']);
  });

  it('advance steps by one by default and rejects a step below 1, naming the counter', () => {
    const { counter } = make(5);
    counter.advance('u');
    expect(counter.value).toBe(6);
    expect(() => counter.advance('u', 0)).toThrow(/counter submitted: u advances by 0/);
  });

  it('waiting again while parked throws', () => {
    const { counter } = make();
    counter.waitFor('u', 1, WAIT);
    expect(() => counter.waitFor('u', 2, WAIT)).toThrow(/counter submitted: u calls waitFor while already parked/);
  });

  it('declared advancers may release a waiter', () => {
    const { counter } = make(0, ['u1', 'u2']);
    counter.waitFor('u2', 1, WAIT);
    expect(counter.releasers(counter.waiters()[0])).toEqual([
      { ctx: 'u1', edge: 'may-release' },
      { ctx: 'u2', edge: 'may-release' },
    ]);
  });

  it('without declarations, contexts that advanced it before may release a waiter', () => {
    const { counter } = make();
    counter.advance('u1');
    counter.advance('u2');
    counter.advance('u1');
    counter.waitFor('u3', 5, WAIT);
    expect(counter.releasers(counter.waiters()[0])).toEqual([
      { ctx: 'u1', edge: 'may-release' },
      { ctx: 'u2', edge: 'may-release' },
    ]);
  });

  it('a counter nobody can advance leaves an orphaned wait: no releasers', () => {
    const { counter } = make();
    counter.waitFor('u2', 1, WAIT);
    expect(counter.releasers(counter.waiters()[0])).toEqual([]);
  });

  it('describes value and tickets waited for', () => {
    const { counter } = make(1);
    expect(counter.describe()).toBe('counter submitted (value 1)');
    counter.waitFor('u2', 2, WAIT);
    counter.waitFor('u3', 3, WAIT);
    expect(counter.describe()).toBe('counter submitted (value 1, 2 waiting: ticket 2, ticket 3)');
  });

  it('occupancy history records each change once', () => {
    const { counter, clock } = make();
    clock.step = 1;
    counter.waitFor('a', 1, WAIT);
    clock.step = 2;
    counter.waitFor('b', 1, WAIT);
    clock.step = 3;
    counter.advance('c'); // wakes both at once
    clock.step = 4;
    counter.advance('c'); // nobody waiting: no change
    expect(counter.history.map((s) => [s.step, s.level])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 0],
    ]);
    expect(counter.capacity).toBe(Infinity);
  });

  it('fingerprint is equal for equal states and differs after a change', () => {
    const a = make().counter;
    const b = make().counter;
    a.waitFor('u', 2, WAIT);
    b.waitFor('u', 2, WAIT);
    expect(a.fingerprint()).toBe(b.fingerprint());
    b.advance('v');
    expect(a.fingerprint()).not.toBe(b.fingerprint());
  });

  it('conservation holds after seeded random op sequences', () => {
    const ctxs = ['u1', 'u2', 'u3', 'u4'];
    for (let seed = 1; seed <= 50; seed++) {
      const rng = xorshift(seed);
      const { counter, clock } = make(pick(rng, 3));
      for (let i = 0; i < 200; i++) {
        clock.step = i;
        const parked = new Set(counter.waiters().map((w) => w.ctx));
        const free = ctxs.filter((c) => !parked.has(c));
        if (free.length === 0) break;
        const ctx = free[pick(rng, free.length)];
        if (rng() < 0.6) counter.waitFor(ctx, counter.value + pick(rng, 4), { wait: rng() < 0.8 });
        else counter.advance(ctx, 1 + pick(rng, 2));
        const problem = counter.checkConservation();
        if (problem !== undefined) expect(problem, `seed ${seed} step ${i}`).toBeUndefined();
      }
    }
  });
});

describe("TicketCounter with a ticket dispenser (Jeff's started/submitted)", () => {
  it('take hands out tickets in order without blocking; advance passes on the advancer\'s own ticket', () => {
    const { counter } = make();
    expect([counter.take('u1'), counter.take('u2'), counter.take('u3')]).toEqual([0, 1, 2]);
    expect(counter.taken).toBe(3);
    counter.waitFor('u2', 1, WAIT);
    expect(counter.waitsBlocked).toBe(1);
    expect(counter.advance('u1').wakeups).toEqual([{ ctx: 'u2', op: 'waitFor' }]);
    expect(counter.describe()).toBe('counter submitted (value 1, 3 tickets taken)');
  });

  it('a waiter is released by the holders of the live tickets before its own', () => {
    const { counter } = make();
    counter.take('u1');
    counter.take('u2');
    counter.take('u3');
    counter.waitFor('u3', 2, WAIT);
    expect(counter.releasers(counter.waiters()[0])).toEqual([
      { ctx: 'u1', edge: 'may-release' },
      { ctx: 'u2', edge: 'may-release' },
    ]);
  });

  it('a holder that takes a new ticket without advancing its old one abandoned it: the leak leaves an orphaned wait', () => {
    const { counter } = make();
    counter.take('u1'); // ticket 0: u1's request fails and returns without advancing
    counter.take('u2'); // ticket 1
    counter.take('u1'); // ticket 2: ticket 0 is now abandoned
    counter.waitFor('u2', 1, WAIT);
    expect(counter.releasers(counter.waiters()[0])).toEqual([]);
    expect(counter.describe()).toBe('counter submitted (value 0, 3 tickets taken; ticket 0 abandoned by u1, 1 waiting: ticket 1)');
  });

  it('fingerprint covers tickets handed out', () => {
    const a = make().counter;
    const b = make().counter;
    a.take('u');
    expect(a.fingerprint()).not.toBe(b.fingerprint());
    b.take('u');
    expect(a.fingerprint()).toBe(b.fingerprint());
  });
});
