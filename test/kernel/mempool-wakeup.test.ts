/**
 * Wake-ups without hand-off (mempool_free's `wake_up(&pool->wait)`): every
 * sleeper is woken and re-tests later, so a third party may take the element
 * first; and the lost-wake-up invariant, for any resource kind that states
 * its waiters' condition (Resource.readyWaiter).
 */
import { describe, expect, it } from 'vitest';
import { emit, setup } from 'xstate';
import {
  NO_WAKEUPS,
  Resource,
  Simulation,
  defineResourceKind,
  done,
  handler,
  type CtxId,
  type OpResult,
  type Releasers,
  type ResourceState,
  type SimClock,
  type SystemSpec,
  type Waiter,
} from '../../src/index.js';
import { PageAllocator } from '../../src/resources/allocator.js';
import { Mempool, type MempoolState } from '../../src/resources/mempool.js';
import { findLostWakeup } from '../../src/check/lost-wakeup.js';
import { ctxOf, onePool, stepTo, user } from './mempool-fixtures.js';
import { scripted } from './fixtures.js';

describe('mempool_free wakes every sleeper, each re-tests (wake-all with re-check)', () => {
  it('two sleepers, one free: both are woken, one gets the element, the other finds the pool empty and sleeps again (one futile wake-up)', () => {
    const sim = new Simulation(onePool('2.6.14', [user('w1', 'pool', { start: 1, hold: 1 }), user('w2', 'pool', { start: 1, hold: 1 })]));
    while (sim.pending().length > 0 && sim.clock.now < 2) sim.step(0);
    expect(['w1', 'w2'].map((n) => ctxOf(sim, n).blocked?.op)).toEqual(['alloc', 'alloc']);
    stepTo(sim, 'holder.timer'); // mempool_free: the reserve refills, wake_up
    for (const n of ['w1', 'w2']) {
      expect(ctxOf(sim, n).blocked, n).toBeNull();
      expect(ctxOf(sim, n).rerun?.kind, n).toBe('retry');
    }
    const r = sim.run();
    expect(r.outcome).toBe('completed');
    expect(r.metrics).toMatchObject({ 'pool.waits': 2, 'pool.futileWakeups': 1, 'pool.reserveAllocs': 3 });
    // w1 retried first and won; w2 slept again until w1 freed at t=3.
    expect(r.schedule.filter((l) => l.endsWith('.retry'))).toEqual(['w1.retry', 'w2.retry', 'w2.retry']);
    expect(r.metrics['pool.longestWait']).toBe(2);
  });

  it('a woken sleeper loses the element to a caller that barges in between the wake-up and its retry, counted in futileWakeups, and sleeps again', () => {
    const sim = new Simulation(onePool('2.6.14', [user('waiter', 'pool', { start: 1, hold: 1 }), user('barger', 'pool', { start: 2, hold: 1 })]));
    while (sim.pending().length > 0 && sim.clock.now < 2) sim.step(0);
    stepTo(sim, 'holder.timer'); // the free refills the reserve and wakes the waiter: its retry is pending
    stepTo(sim, 'barger.timer'); // the barger's mempool_alloc runs first and takes the element
    expect(ctxOf(sim, 'barger').blocked).toBeNull();
    stepTo(sim, 'waiter.retry'); // repeat_alloc: the allocator fails, the reserve is empty: sleep again
    expect(ctxOf(sim, 'waiter').blocked?.op).toBe('alloc');
    const r = sim.run();
    expect(r.outcome).toBe('completed');
    expect(r.metrics['pool.futileWakeups']).toBe(1);
    expect(r.metrics['pool.waits']).toBe(1); // the barger never slept
    // The schedule a replay token would record: the free, the barger's allocation, then the waiter's futile retry.
    const at = (prefix: string): number => r.schedule.findIndex((l) => l.startsWith(prefix));
    expect(at('holder.timer')).toBeLessThan(at('barger.timer'));
    expect(at('barger.timer')).toBeLessThan(at('waiter.retry'));
    expect(r.schedule.filter((l) => l === 'waiter.retry')).toHaveLength(2);
  });

  it('random schedules find the barging on their own: on some seeds the barger takes the element without ever sleeping and the woken waiter retries in vain; on others the waiter wins', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 50; seed++) {
      const r = new Simulation(onePool('2.6.14', [user('waiter', 'pool', { start: 1, hold: 1 }), user('barger', 'pool', { start: 2, hold: 1 })]), { strategy: 'random', seed }).run();
      expect(r.outcome, `seed ${seed}`).toBe('completed');
      seen.add(`futile ${r.metrics['pool.futileWakeups']}, waits ${r.metrics['pool.waits']}`);
    }
    expect(seen).toContain('futile 1, waits 1'); // barged: the barger never slept
    expect(seen).toContain('futile 0, waits 2'); // the waiter retried first; the barger slept and got it next
  });
});

/** A flag contexts wait to see set: a test-only kind whose `set` may forget its wake-up. */
class Flag extends Resource {
  readonly kind = 'flag';
  private isSet = false;
  private readonly parked: Waiter[] = [];
  constructor(
    name: string,
    clock: SimClock,
    private readonly setter: CtxId,
    private readonly forgetsWakeup: boolean,
  ) {
    super(name, clock);
  }
  get capacity(): number {
    return 1;
  }
  get level(): number {
    return this.isSet ? 1 : 0;
  }
  wait(ctx: CtxId): OpResult {
    if (this.isSet) return { status: 'ok', wakeups: NO_WAKEUPS };
    this.parked.push({ ctx, what: 'the flag', since: this.clock.step });
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }
  set(): OpResult {
    this.isSet = true;
    // The bug under test: the flag is set, and nobody is told.
    if (this.forgetsWakeup) return { status: 'ok', wakeups: NO_WAKEUPS };
    return { status: 'ok', wakeups: this.parked.splice(0).map((w) => ({ ctx: w.ctx, op: 'wait' })) };
  }
  override readyWaiter(_w: Waiter): string | undefined {
    return this.isSet ? `flag ${this.name} is set` : undefined;
  }
  waiters(): readonly Waiter[] {
    return this.parked.slice();
  }
  releasers(_w: Waiter): Releasers {
    return [{ ctx: this.setter, edge: 'held-by' }];
  }
  describe(): string {
    return `flag ${this.name} (${this.isSet ? 'set' : 'clear'}${this.parked.length ? `, ${this.parked.length} waiting` : ''})`;
  }
  checkConservation(): string | undefined {
    return undefined;
  }
  fingerprint(): string {
    return `flag ${this.name} ${this.isSet} wait[${this.parked.map((w) => w.ctx).join(',')}]`;
  }
  save(): FlagState {
    return { ...this.saveBase(), set: this.isSet, parked: this.parked.map((w) => ({ ...w })) };
  }
  restore(state: FlagState): void {
    this.restoreBase(state);
    this.isSet = state.set;
    this.parked.splice(0, this.parked.length, ...state.parked.map((w) => ({ ...w })));
  }
}
interface FlagState extends ResourceState {
  readonly set: boolean;
  readonly parked: readonly Waiter[];
}

type FlagWait = { readonly type: 'flag:wait'; readonly flag: string };
type FlagSet = { readonly type: 'flag:set'; readonly flag: string };

const flagKind = defineResourceKind<{ kind: 'test:flag'; name: string; setter: string; forgetsWakeup: boolean }>({
  kind: 'test:flag',
  create: (s, env) => new Flag(s.name, env.clock, s.setter, s.forgetsWakeup),
  effects: {
    'flag:wait': handler<FlagWait>({
      perform(e, env) {
        const flag = env.resource(e.flag, Flag, e.type, 'a flag');
        const r = flag.wait(env.caller);
        env.note({ effect: e.type, resource: e.flag, status: r.status });
        return r.status === 'ok' ? done({ type: 'flag:seen' }) : { status: 'parked', on: flag, op: 'wait' };
      },
      resume: () => done({ type: 'flag:seen' }),
    }),
    'flag:set': handler<FlagSet>({
      perform(e, env) {
        const r = env.resource(e.flag, Flag, e.type, 'a flag').set();
        env.note({ effect: e.type, resource: e.flag, status: 'ok' });
        return done(undefined, r.wakeups);
      },
    }),
  },
});

/** Sets flag F one tick after boot. */
const setter = setup({ types: {} as { emitted: FlagSet } }).createMachine({
  id: 'flag-setter',
  initial: 'waiting',
  states: { waiting: { after: { 1: { target: 'done', actions: emit({ type: 'flag:set' as const, flag: 'F' }) } } }, done: { type: 'final' } },
});

function flagSystem(forgetsWakeup: boolean): SystemSpec {
  return {
    cpus: [],
    contexts: [
      { name: 'waiter', kind: 'thread', machine: scripted, input: { effects: [{ type: 'bioSubmit', bio: 'w#1' }, { type: 'flag:wait', flag: 'F' }], awaits: 'flag:seen', then: [{ type: 'bioComplete', bio: 'w#1' }] } },
      { name: 'setter', kind: 'thread', machine: setter },
    ],
    resources: [{ kind: 'test:flag', name: 'F', setter: 'setter', forgetsWakeup }],
    kinds: [flagKind],
  };
}

/** A mempool whose free refills the reserve but keeps its sleepers asleep: mempool_free without its wake_up. */
class ForgetfulMempool extends Mempool {
  override free(ctx: CtxId, element: string): OpResult {
    const before = this.save();
    const r = super.free(ctx, element);
    if (!r.wakeups.some((w) => w.recheck === true)) return r;
    this.restore({ ...this.save(), waiting: before.waiting });
    return { status: 'ok', wakeups: NO_WAKEUPS };
  }
}

const forgetfulKind = defineResourceKind<{ kind: 'test:forgetful-mempool'; name: string; minNr: number; backing: string }>({
  kind: 'test:forgetful-mempool',
  create(s, env) {
    const backing = env.declared(s.backing);
    if (!(backing instanceof PageAllocator)) throw new Error('backing is not an allocator');
    return new ForgetfulMempool({ name: s.name, minNr: s.minNr, backing }, env.clock);
  },
});

describe('the lost-wake-up invariant', () => {
  it('a release that sets the condition but forgets the wake-up is a lost-wake-up violation naming the sleeper, the resource and the condition (a plug-in kind)', () => {
    const r = new Simulation(flagSystem(true)).run();
    expect(r.outcome).toBe('violation');
    expect(r.violation!.invariant).toBe('lost wake-up');
    expect(r.violation!.contexts).toEqual(['waiter']);
    expect(r.explanation).toMatch(/lost wake-up: waiter sleeps on flag F \(set, 1 waiting\) waiting for the flag \(since step 0\), although flag F is set already holds and no wake-up is pending/);
    // Caught on the step of the release, not once the run has stalled.
    expect(r.lastSteps.at(-1)!.ctx).toBe('setter');
  });

  it('the same release with its wake-up completes: a woken waiter is off the queue, so the check sees nothing', () => {
    expect(new Simulation(flagSystem(false)).run().outcome).toBe('completed');
  });

  it('mempool_free that refills the reserve without wake_up leaves a sleeper beside curr_nr > 0: a lost wake-up naming it and the pool', () => {
    const system = onePool('2.6.14', [user('waiter', 'pool', { start: 1, hold: 1 })]);
    const broken: SystemSpec = {
      ...system,
      resources: [system.resources[0], { kind: 'test:forgetful-mempool', name: 'pool', minNr: 1, backing: 'slab' }],
      kinds: [forgetfulKind],
    };
    const r = new Simulation(broken).run();
    expect(r.outcome).toBe('violation');
    expect(r.violation!.invariant).toBe('lost wake-up');
    expect(r.violation!.contexts).toEqual(['waiter']);
    expect(r.violation!.message).toBe('lost wake-up: waiter sleeps on mempool pool (reserve 1/1, 0 out, 1 waiting) waiting for element (since step 1), although curr_nr > 0 (1 in reserve) already holds and no wake-up is pending');
  });

  it('a mempool sleeper with an empty reserve is not a lost wake-up; one restored beside a full reserve is', () => {
    const clock: SimClock = { now: 0, step: 0 };
    const slab = new PageAllocator({ name: 'slab', pressure: 'always' }, clock, () => 0);
    const pool = new Mempool({ name: 'bioset', minNr: 1, backing: slab }, clock);
    const e = pool.alloc('u', 'GFP_NOIO').value as string;
    pool.alloc('w', 'GFP_NOIO');
    expect(findLostWakeup([pool])).toBeUndefined();
    const state: MempoolState = { ...pool.save(), reserve: [e], out: [] };
    pool.restore(state);
    expect(findLostWakeup([pool])).toEqual({
      contexts: ['w'],
      message: 'lost wake-up: w sleeps on mempool bioset (reserve 1/1, 0 out, 1 waiting) waiting for element (since step 0), although curr_nr > 0 (1 in reserve) already holds and no wake-up is pending',
    });
  });
});
