import { describe, it, expect } from 'vitest';
import { AioRing } from '../../src/resources/aio-ring.js';
import type { SimClock } from '../../src/resources/resource.js';
import { pick, xorshift } from './xorshift.js';

interface Iocb {
  readonly id: string;
}

const iocb = (id: string): Iocb => ({ id });

function make(nrEvents: number, extra: { submitters?: string[]; completer?: string } = {}) {
  const clock: SimClock = { now: 0, step: 0 };
  return { clock, ring: new AioRing<Iocb>({ name: 'ubd.aio', nrEvents, ...extra }, clock) };
}

describe('AioRing', () => {
  it('io_submit succeeds while in-flight is below nrEvents', () => {
    const { ring } = make(2);
    expect(ring.submit('u', iocb('a'))).toEqual({ status: 'ok', wakeups: [] });
    expect(ring.inFlight).toBe(1);
    expect(ring.submittedNotCompleted).toEqual(['a']);
  });

  it('io_submit returns EAGAIN when the ring is full of pending iocbs', () => {
    const { ring } = make(2);
    ring.submit('u', iocb('a'));
    ring.submit('u', iocb('b'));
    expect(ring.submit('u', iocb('c'))).toEqual({ status: 'eagain', wakeups: [] });
    expect(ring.eagainCount).toBe(1);
    expect(ring.fullCount).toBe(1);
    expect(ring.waiters()).toEqual([]);
  });

  it('io_submit returns EAGAIN when completed-but-unreaped events fill the ring', () => {
    const { ring } = make(2);
    ring.submit('u', iocb('a'));
    ring.submit('u', iocb('b'));
    ring.complete('a', 4096);
    ring.complete('b', 4096);
    expect(ring.submittedNotCompleted).toEqual([]);
    expect(ring.inFlight).toBe(2);
    expect(ring.submit('u', iocb('c')).status).toBe('eagain');
  });

  it('io_getevents frees ring slots', () => {
    const { ring } = make(1);
    ring.submit('u', iocb('a'));
    ring.complete('a', 512);
    const r = ring.getevents('t', { min: 1, max: 1, wait: true });
    expect(r.status).toBe('ok');
    expect(r.value).toEqual([{ iocb: { id: 'a' }, res: 512 }]);
    expect(ring.inFlight).toBe(0);
    expect(ring.submit('u', iocb('b')).status).toBe('ok');
  });

  it('io_getevents returns up to max events in completion order', () => {
    const { ring } = make(4);
    for (const id of ['a', 'b', 'c']) ring.submit('u', iocb(id));
    ring.complete('c', 3);
    ring.complete('a', 1);
    ring.complete('b', 2);
    const r = ring.getevents('t', { min: 1, max: 2, wait: false });
    expect(r.value?.map((e) => e.iocb.id)).toEqual(['c', 'a']);
    expect(ring.completedNotReaped.map((e) => e.iocb.id)).toEqual(['b']);
  });

  it('io_getevents with too few completions parks the reaper, or returns EAGAIN without wait', () => {
    const { ring, clock } = make(2);
    expect(ring.getevents('t', { min: 1, max: 1, wait: false }).status).toBe('eagain');
    clock.step = 5;
    expect(ring.getevents('t', { min: 1, max: 1, wait: true }).status).toBe('blocked');
    expect(ring.waiters()).toEqual([{ ctx: 't', what: 'events', since: 5 }]);
  });

  it('a completion wakes the parked reaper once it has min events, handing over up to max', () => {
    const { ring } = make(4);
    for (const id of ['a', 'b', 'c']) ring.submit('u', iocb(id));
    ring.getevents('t', { min: 2, max: 2, wait: true });
    expect(ring.complete('a', 1).wakeups).toEqual([]);
    const done = ring.complete('b', 2);
    expect(done.wakeups).toEqual([
      {
        ctx: 't',
        op: 'getevents',
        value: [
          { iocb: { id: 'a' }, res: 1 },
          { iocb: { id: 'b' }, res: 2 },
        ],
      },
    ]);
    expect(ring.inFlight).toBe(1);
    expect(ring.waiters()).toEqual([]);
  });

  it('parked reapers are served oldest first', () => {
    const { ring } = make(4);
    ring.submit('u', iocb('a'));
    ring.submit('u', iocb('b'));
    ring.getevents('t1', { min: 1, max: 1, wait: true });
    ring.getevents('t2', { min: 1, max: 1, wait: true });
    expect(ring.complete('a', 0).wakeups.map((w) => w.ctx)).toEqual(['t1']);
    expect(ring.complete('b', 0).wakeups.map((w) => w.ctx)).toEqual(['t2']);
  });

  it('completing an iocb that is not pending throws, naming the ring', () => {
    const { ring } = make(2);
    expect(() => ring.complete('ghost', 0)).toThrow(/aio-ring ubd\.aio: completion of iocb ghost/);
  });

  it('submitting an id already in flight throws', () => {
    const { ring } = make(2);
    ring.submit('u', iocb('a'));
    expect(() => ring.submit('u', iocb('a'))).toThrow(/aio-ring ubd\.aio: u submits iocb a/);
  });

  it('a reaper calling io_getevents again while parked throws', () => {
    const { ring } = make(2);
    ring.getevents('t', { min: 1, max: 1, wait: true });
    expect(() => ring.getevents('t', { min: 1, max: 1, wait: true })).toThrow(/ubd\.aio: t calls io_getevents/);
  });

  it('rejects nrEvents below 1 and a min above max', () => {
    expect(() => make(0)).toThrow(/aio-ring ubd\.aio: nrEvents/);
    const { ring } = make(2);
    expect(() => ring.getevents('t', { min: 2, max: 1, wait: true })).toThrow(/min 2, max 1/);
  });

  it('the completer device releases a reaper while iocbs are pending', () => {
    const { ring } = make(2, { completer: 'disk', submitters: ['u'] });
    ring.submit('u', iocb('a'));
    ring.getevents('t', { min: 2, max: 2, wait: true });
    expect(ring.releasers(ring.waiters()[0])).toEqual([{ ctx: 'disk', edge: 'completes' }]);
  });

  it('with nothing pending only the submitters may release a reaper', () => {
    const { ring } = make(2, { completer: 'disk', submitters: ['u', 'u2'] });
    ring.getevents('t', { min: 1, max: 1, wait: true });
    expect(ring.releasers(ring.waiters()[0])).toEqual([
      { ctx: 'u', edge: 'may-release' },
      { ctx: 'u2', edge: 'may-release' },
    ]);
  });

  it('without declarations the observed submitters release, and a pending iocb with no known device never closes a cycle', () => {
    const { ring } = make(2);
    ring.submit('u', iocb('a'));
    ring.complete('a', 0);
    ring.getevents('t', { min: 2, max: 2, wait: true });
    expect(ring.releasers(ring.waiters()[0])).toEqual([{ ctx: 'u', edge: 'may-release' }]);
    ring.submit('u', iocb('b'));
    expect(ring.releasers(ring.waiters()[0])).toBe('anyone');
  });

  it('describes itself in events', () => {
    const { ring } = make(256);
    ring.submit('u', iocb('a'));
    ring.submit('u', iocb('b'));
    ring.complete('a', 0);
    expect(ring.describe()).toBe('aio-ring ubd.aio (2/256 events: 1 submitted, 1 completed)');
  });

  it('occupancy history records each change once', () => {
    const { ring, clock } = make(2);
    clock.step = 1;
    ring.submit('u', iocb('a'));
    clock.step = 2;
    ring.complete('a', 0); // still in flight until reaped
    clock.step = 3;
    ring.getevents('t', { min: 1, max: 1, wait: false });
    expect(ring.history.map((s) => [s.step, s.level])).toEqual([
      [0, 0],
      [1, 1],
      [3, 0],
    ]);
  });

  it('fingerprint is equal for equal states and differs after a change', () => {
    const a = make(2).ring;
    const b = make(2).ring;
    a.submit('u', iocb('x'));
    b.submit('u', iocb('x'));
    expect(a.fingerprint()).toBe(b.fingerprint());
    b.complete('x', 0);
    expect(a.fingerprint()).not.toBe(b.fingerprint());
  });

  it('conservation holds after seeded random op sequences', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rng = xorshift(seed);
      const { ring, clock } = make(1 + pick(rng, 4));
      let n = 0;
      let reaped = 0;
      let accepted = 0;
      for (let i = 0; i < 200; i++) {
        clock.step = i;
        const op = pick(rng, 3);
        if (op === 0) {
          if (ring.submit('u', iocb(`i${n++}`)).status === 'ok') accepted++;
        } else if (op === 1) {
          const pending = ring.submittedNotCompleted;
          if (pending.length > 0) {
            const r = ring.complete(pending[pick(rng, pending.length)], 0);
            for (const w of r.wakeups) reaped += (w.value as unknown[]).length;
          }
        } else if (ring.waiters().length === 0) {
          const min = pick(rng, 3);
          const r = ring.getevents('t', { min, max: Math.max(1, min + pick(rng, 2)), wait: rng() < 0.5 });
          reaped += r.value?.length ?? 0;
        }
        // Every accepted iocb is pending, waiting to be reaped, or reaped: none lost.
        const problem =
          ring.checkConservation() ?? (ring.inFlight + reaped === accepted ? undefined : 'an iocb was lost');
        if (problem !== undefined) expect(problem, `seed ${seed} step ${i}`).toBeUndefined();
      }
    }
  });
});
