/**
 * Timed sleeps on the built-in kinds: a parking effect with a `timeout`
 * (ticks) either is released before its deadline, as an untimed one would
 * be, or is taken off its resource at now + timeout and replies
 * `<op>.timedout` (down_timeout's -ETIME, wait_event_timeout returning 0,
 * getblk's ltsleep with slptimeo, read_events' timeout). Each case runs a
 * caller that sleeps at t=0 with a timeout of 7 ticks, alone (it times out)
 * or with a helper that releases it at t=3.
 */
import { describe, expect, it } from 'vitest';
import { assign, emit, enqueueActions, setup } from 'xstate';
import {
  ModelError,
  NO_WAKEUPS,
  Resource,
  Simulation,
  defineResourceKind,
  done,
  down,
  get,
  handler,
  ioComplete,
  ioGetevents,
  ioSubmit,
  lock,
  put,
  ticketAdvance,
  ticketWait,
  unlock,
  up,
  type Effect,
  type KernelEvent,
  type OpResult,
  type Releasers,
  type ResourceSpec,
  type ResourceState,
  type SystemSpec,
  type Waiter,
} from '../../src/index.js';
import { Channel } from '../../src/resources/channel.js';
import { Semaphore } from '../../src/resources/semaphore.js';
import { Lock } from '../../src/resources/lock.js';
import { TicketCounter } from '../../src/resources/ticket-counter.js';
import { AioRing } from '../../src/resources/aio-ring.js';

const TIMEOUT = 7;
const RELEASE_AT = 3;

/** Performs `effects`, then waits for the reply of `op`: `<op>.timedout` ends in `timedOut`, any other in `released` (the reply kept as `answer`). */
const caller = setup({
  types: {} as { context: { effects: readonly Effect[]; op: string; answer?: KernelEvent }; input: { effects: readonly Effect[]; op: string }; events: KernelEvent; emitted: Effect },
  actions: { keepAnswer: assign({ answer: ({ event }) => event }) },
  guards: {
    timedOut: ({ context, event }) => event.type === `${context.op}.timedout`,
    answered: ({ context, event }) => event.type.startsWith(`${context.op}.`),
  },
}).createMachine({
  id: 'timed-caller',
  context: ({ input }) => input,
  initial: 'sleeping',
  states: {
    sleeping: {
      tags: ['blocked'],
      entry: enqueueActions(({ context, enqueue }) => {
        for (const e of context.effects) enqueue.emit(e);
      }),
      on: { '*': [{ guard: 'timedOut', target: 'timedOut', actions: 'keepAnswer' }, { guard: 'answered', target: 'released', actions: 'keepAnswer' }] },
    },
    // Not final: the context stays, so its final state names the answer it got.
    timedOut: { tags: ['idle'] },
    released: { tags: ['idle'] },
  },
});

/** Performs `first` at boot and `later` after RELEASE_AT ticks (a holder that lets go, a writer that comes). */
const helper = setup({
  types: {} as { context: { first: readonly Effect[]; later: readonly Effect[] }; input: { first?: readonly Effect[]; later: readonly Effect[] }; events: KernelEvent; emitted: Effect },
}).createMachine({
  id: 'timed-helper',
  context: ({ input }) => ({ first: input.first ?? [], later: input.later }),
  initial: 'first',
  states: {
    first: {
      entry: enqueueActions(({ context, enqueue }) => {
        for (const e of context.first) enqueue.emit(e);
      }),
      after: { [RELEASE_AT]: 'later' },
    },
    later: {
      entry: enqueueActions(({ context, enqueue }) => {
        for (const e of context.later) enqueue.emit(e);
      }),
      always: 'done',
    },
    done: { type: 'final' },
  },
});

interface Case {
  readonly op: string;
  readonly resources: readonly ResourceSpec[];
  /** What the caller does; its last effect is the timed sleep. */
  readonly effects: readonly Effect[];
  /** A helper that lets the caller go at RELEASE_AT (its `first` effects run at boot, before the caller's). */
  readonly release: { readonly first?: readonly Effect[]; readonly later: readonly Effect[] };
  /** When nobody releases it, the helper only does `first` (it holds what the caller waits for). */
  readonly hold?: readonly Effect[];
  /** The resource slept on, and what it says once the caller has timed out. */
  readonly on: string;
  readonly afterTimeout: string;
}

const iocb = (id: string) => ({ id, bio: id });

const CASES: readonly Case[] = [
  {
    op: 'get',
    resources: [{ kind: 'channel', name: 'q', capacity: 1 }],
    effects: [get('q', { timeout: TIMEOUT })],
    release: { later: [put('q', 'x')] },
    on: 'q',
    afterTimeout: 'channel q (0/1 records)',
  },
  {
    op: 'put',
    resources: [{ kind: 'channel', name: 'q', capacity: 1 }],
    effects: [put('q', 'a'), put('q', 'b', { timeout: TIMEOUT })],
    release: { later: [get('q')] },
    on: 'q',
    // The writer left with 'b' in hand: only 'a' is in the channel.
    afterTimeout: 'channel q (1/1 records)',
  },
  {
    op: 'down',
    resources: [{ kind: 'semaphore', name: 'sem', count: 0 }],
    effects: [down('sem', { timeout: TIMEOUT })],
    release: { later: [up('sem')] },
    on: 'sem',
    afterTimeout: 'semaphore sem (0/0 free)',
  },
  {
    op: 'lock',
    resources: [{ kind: 'lock', name: 'B', flavour: 'sleep' }],
    effects: [lock('B', { timeout: TIMEOUT })],
    release: { first: [lock('B')], later: [unlock('B')] },
    hold: [lock('B')],
    on: 'B',
    afterTimeout: 'sleep lock B (held by helper)',
  },
  {
    op: 'ticketWait',
    resources: [{ kind: 'counter', name: 'seq' }],
    effects: [ticketWait('seq', 1, { timeout: TIMEOUT })],
    release: { later: [ticketAdvance('seq')] },
    on: 'seq',
    afterTimeout: 'counter seq (value 0)',
  },
  {
    op: 'ioGetevents',
    resources: [{ kind: 'aio-ring', name: 'ring', nrEvents: 4 }],
    // Two in flight, one completed: io_getevents(min_nr 2) must wait for the second.
    effects: [ioSubmit('ring', iocb('a')), ioSubmit('ring', iocb('b')), ioComplete('ring', 'a'), ioGetevents('ring', { min: 2, max: 2, timeout: TIMEOUT })],
    release: { later: [ioComplete('ring', 'b')] },
    on: 'ring',
    // It reaped the one completion there was; 'b' is still in flight.
    afterTimeout: 'aio-ring ring (1/4 events: 1 submitted, 0 completed)',
  },
];

function system(c: Case, helperInput?: { first?: readonly Effect[]; later: readonly Effect[] }): SystemSpec {
  const contexts: SystemSpec['contexts'] = [
    ...(helperInput ? [{ name: 'helper', kind: 'thread' as const, machine: helper, input: helperInput }] : []),
    { name: 'caller', kind: 'thread', machine: caller, input: { effects: c.effects, op: c.op } },
  ];
  return { cpus: [], contexts, resources: c.resources };
}

const stepOf = (r: ReturnType<Simulation['run']>, event: string) => (r.trace ?? []).find((s) => s.ctx === 'caller' && s.event === event);

describe('timed sleeps on the built-in kinds', () => {
  for (const c of CASES) {
    it(`${c.op} with a timeout nobody satisfies replies ${c.op}.timedout at now + timeout, off its resource, which stays consistent`, () => {
      const sim = new Simulation(system(c, c.hold ? { first: c.hold, later: [] } : undefined), { recordTrace: true });
      const r = sim.run();
      expect(r.outcome).toBe('completed');
      expect(r.finalStates.caller).toBe('timedOut');
      expect(stepOf(r, `${c.op}.timedout`)?.time).toBe(TIMEOUT);
      const res = sim.resources.get(c.on)!;
      expect(res.waiters()).toEqual([]);
      expect(res.checkConservation()).toBeUndefined();
      expect(r.resources[c.on]).toBe(c.afterTimeout);
    });

    it(`${c.op} with a timeout released at t=${RELEASE_AT} replies as an untimed one would, and its deadline is gone`, () => {
      const r = new Simulation(system(c, c.release), { recordTrace: true }).run();
      expect(r.outcome).toBe('completed');
      expect(r.finalStates.caller).toBe('released');
      expect(stepOf(r, `${c.op}.timedout`)).toBeUndefined();
      expect(stepOf(r, `${c.op}.ok`)?.time).toBe(RELEASE_AT);
      // Nothing is left to wait for: time never moves on to the old deadline.
      expect(r.time).toBe(RELEASE_AT);
    });
  }

  it('io_getevents that times out returns the completions it had, fewer than min_nr', () => {
    const c = CASES.find((x) => x.op === 'ioGetevents')!;
    const sim = new Simulation(system(c));
    sim.run();
    const answer = (sim.contexts.find((x) => x.name === 'caller')!.top.snapshot.context as { answer?: KernelEvent }).answer;
    expect(answer).toEqual({ type: 'ioGetevents.timedout', ring: 'ring', events: [{ iocb: iocb('a'), res: 0 }] });
    // The one completed iocb went to the caller; the ring no longer holds it.
    expect((sim.resources.get('ring') as AioRing<{ id: string }>).completedNotReaped).toEqual([]);
  });

  it('a timed sleep survives a clone: the copy times out at the same instant with the same trace', () => {
    // The holder's lock.ok is still to be delivered at t=0, so time has not moved on yet.
    const c = CASES.find((x) => x.op === 'lock')!;
    const a = new Simulation(system(c, { first: c.hold, later: [] }));
    expect(a.pending().length).toBeGreaterThan(0);
    expect(a.clock.now).toBe(0);
    expect(a.contexts.find((x) => x.name === 'caller')!.blocked?.deadline).toBe(TIMEOUT);
    expect(a.fingerprint()).toContain(`B.acquire@${TIMEOUT}`);
    const b = a.clone();
    const ra = a.run();
    const rb = b.run();
    expect(rb.finalStates.caller).toBe('timedOut');
    expect(ra.time).toBe(TIMEOUT);
    expect(rb.time).toBe(TIMEOUT);
    expect(rb.traceHash).toBe(ra.traceHash);
  });
});

describe('withdraw: a timed-out waiter leaves the resource as if it had never slept there', () => {
  const clock = { now: 0, step: 0 };

  it('a channel reader and a writer can be withdrawn; the writer takes its item with it', () => {
    const q = new Channel<string>({ name: 'q', capacity: 1 }, clock);
    expect(q.get('r', { wait: true }).status).toBe('blocked');
    expect(q.withdraw('r')).toBe(true);
    expect(q.withdraw('r')).toBe(false);
    expect(q.put('w', 'a', { wait: true }).wakeups).toEqual([]);
    expect(q.put('w', 'b', { wait: true }).status).toBe('blocked');
    expect(q.withdraw('w')).toBe(true);
    expect(q.get('r', { wait: true })).toEqual({ status: 'ok', value: 'a', wakeups: [] });
    expect(q.peekAll()).toEqual([]);
    expect(q.checkConservation()).toBeUndefined();
  });

  it('a semaphore waiter withdrawn is not handed the next up(): the unit stays free', () => {
    const s = new Semaphore({ name: 'sem', count: 1 }, clock);
    s.down('a', { wait: true });
    expect(s.down('b', { wait: true }).status).toBe('blocked');
    expect(s.withdraw('b')).toBe(true);
    expect(s.up('a').wakeups).toEqual(NO_WAKEUPS);
    expect(s.count).toBe(1);
    expect(s.checkConservation()).toBeUndefined();
  });

  it('a sleep-lock waiter withdrawn is not handed the lock on release', () => {
    const l = new Lock({ name: 'B', flavour: 'sleep' }, clock);
    l.acquire('a', { wait: true });
    l.acquire('b', { wait: true });
    expect(l.withdraw('b')).toBe(true);
    expect(l.release('a').wakeups).toEqual(NO_WAKEUPS);
    expect(l.owner).toBeUndefined();
    expect(l.checkConservation()).toBeUndefined();
  });

  it('a ticket waiter withdrawn is not woken by the advance, and the counter no longer counts it', () => {
    const t = new TicketCounter({ name: 'seq' }, clock);
    t.waitFor('w', 1, { wait: true });
    expect(t.level).toBe(1);
    expect(t.withdraw('w')).toBe(true);
    expect(t.level).toBe(0);
    expect(t.advance('x').wakeups).toEqual(NO_WAKEUPS);
    expect(t.checkConservation()).toBeUndefined();
  });

  it('a reaper withdrawn reaps what there is; a completion after it wakes nobody', () => {
    const ring = new AioRing<{ id: string }>({ name: 'ring', nrEvents: 4 }, clock);
    ring.submit('c', { id: 'a' });
    ring.submit('c', { id: 'b' });
    ring.complete('a', 0);
    expect(ring.getevents('c', { min: 2, max: 2, wait: true }).status).toBe('blocked');
    expect(ring.withdraw('c')).toBe(true);
    expect(ring.reapTimedOut('c', 2)).toEqual([{ iocb: { id: 'a' }, res: 0 }]);
    expect(ring.complete('b', 0).wakeups).toEqual(NO_WAKEUPS);
    expect(ring.checkConservation()).toBeUndefined();
  });

  it('withdraw on a restored copy leaves the original untouched, and both stay consistent', () => {
    const s = new Semaphore({ name: 'sem', count: 0 }, clock);
    s.down('w', { wait: true });
    const copy = new Semaphore({ name: 'sem', count: 0 }, clock);
    copy.restore(s.save());
    expect(copy.withdraw('w')).toBe(true);
    expect(copy.waiters()).toEqual([]);
    expect(s.waiters().map((w) => w.ctx)).toEqual(['w']);
    expect(s.up('x').wakeups).toEqual([{ ctx: 'w', op: 'down' }]);
    expect(copy.checkConservation()).toBeUndefined();
  });
});

describe('a timeout the model cannot honour is refused, naming the field and what is allowed', () => {
  const run = (resources: readonly ResourceSpec[], effects: readonly Effect[]) => () =>
    new Simulation({ cpus: [], contexts: [{ name: 'caller', kind: 'thread', machine: caller, input: { effects, op: 'x' } }], resources }).run();

  it('a timeout of 0 ticks or a fraction of one', () => {
    const sem = [{ kind: 'semaphore' as const, name: 'sem', count: 0 }];
    expect(run(sem, [down('sem', { timeout: 0 })])).toThrow(new ModelError(`down on 'sem': timeout must be a whole number of ticks >= 1 (5*HZ is 5 * the personality's hz), got 0`));
    expect(run(sem, [down('sem', { timeout: 2.5 })])).toThrow(/down on 'sem': timeout must be a whole number of ticks >= 1.*got 2\.5/);
  });

  it('a timeout on a call that never sleeps (wait: false)', () => {
    expect(run([{ kind: 'channel', name: 'q', capacity: 1 }], [get('q', { wait: false, timeout: 5 })])).toThrow(new ModelError(`get on 'q': timeout is for a sleeping call, and wait: false never sleeps; drop one of them`));
  });

  it('a timeout on a spin lock, whose waiter spins', () => {
    expect(run([{ kind: 'lock', name: 'S', flavour: 'spin' }], [lock('S', { timeout: 5 })])).toThrow(new ModelError(`lock on 'S': timeout is allowed on flavour 'sleep' only; 'S' is a spin lock, whose waiter spins and never sleeps`));
  });

  it('a plug-in kind that parks with a deadline but cannot withdraw its waiter is refused at the deadline', () => {
    class Latch extends Resource {
      readonly kind = 'latch';
      private parked: string[] = [];
      get capacity() {
        return 1;
      }
      get level() {
        return this.parked.length;
      }
      wait(ctx: string): OpResult {
        this.parked.push(ctx);
        return { status: 'blocked', wakeups: NO_WAKEUPS };
      }
      waiters(): readonly Waiter[] {
        return this.parked.map((ctx) => ({ ctx, what: 'the latch', since: 0 }));
      }
      releasers(): Releasers {
        return [];
      }
      describe() {
        return `latch ${this.name}`;
      }
      checkConservation() {
        return undefined;
      }
      fingerprint() {
        return `latch ${this.name} ${this.parked.join(',')}`;
      }
      save(): ResourceState {
        return this.saveBase();
      }
      restore(s: ResourceState) {
        this.restoreBase(s);
      }
    }
    const latchKind = defineResourceKind<{ kind: 'test:latch'; name: string }>({
      kind: 'test:latch',
      create: (s, env) => new Latch(s.name, env.clock),
      effects: {
        'latch:wait': handler<{ type: 'latch:wait'; latch: string }>({
          perform: (e, env) => ({ status: 'parked', on: env.resource(e.latch, Latch, e.type), op: 'wait', deadline: env.clock.now + 2 }),
          resume: () => done(),
        }),
      },
    });
    const waiter = setup({ types: {} as { emitted: { type: 'latch:wait'; latch: string } } }).createMachine({ id: 'latch-waiter', entry: emit({ type: 'latch:wait', latch: 'L' }) });
    const sys: SystemSpec = { cpus: [], contexts: [{ name: 'w', kind: 'thread', machine: waiter }], resources: [{ kind: 'test:latch', name: 'L' }], kinds: [latchKind] };
    expect(() => new Simulation(sys).run()).toThrow(new ModelError(`latch L parked w with a deadline but cannot withdraw a waiter (no timed waits on this kind)`));
  });
});
