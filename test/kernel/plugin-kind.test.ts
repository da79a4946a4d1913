/**
 * A resource kind defined here, outside src/, through the public API the
 * built-in kinds use: a gate that contexts pass once it is open, with two
 * effects — `gate:pass` parks (optionally with a deadline, a timed sleep) and
 * `gate:open` wakes every waiter (wake-all). No file under src/ knows it.
 */
import { describe, expect, it } from 'vitest';
import { emit, enqueueActions, setup } from 'xstate';
import {
  ModelError,
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
import { exhaust } from '../../src/explore/exhaustive.js';

class Gate extends Resource {
  readonly kind = 'gate';
  private isOpen = false;
  private readonly parked: Waiter[] = [];

  constructor(
    name: string,
    clock: SimClock,
    private readonly opener: CtxId,
  ) {
    super(name, clock);
  }
  get capacity(): number {
    return 1;
  }
  get level(): number {
    return this.parked.length;
  }
  pass(ctx: CtxId): OpResult {
    if (this.isOpen) return { status: 'ok', wakeups: NO_WAKEUPS };
    this.parked.push({ ctx, what: 'the gate to open', since: this.clock.step });
    this.recordLevel();
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }
  open(): OpResult {
    this.isOpen = true;
    const wakeups = this.parked.splice(0).map((w) => ({ ctx: w.ctx, op: 'pass' }));
    this.recordLevel();
    return { status: 'ok', wakeups };
  }
  override withdraw(ctx: CtxId): boolean {
    const i = this.parked.findIndex((w) => w.ctx === ctx);
    if (i < 0) return false;
    this.parked.splice(i, 1);
    this.recordLevel();
    return true;
  }
  override metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel, open: this.isOpen ? 1 : 0 };
  }
  waiters(): readonly Waiter[] {
    return this.parked.slice();
  }
  releasers(_w: Waiter): Releasers {
    return [{ ctx: this.opener, edge: 'held-by' }];
  }
  describe(): string {
    return `gate ${this.name} (${this.isOpen ? 'open' : 'closed'}${this.parked.length ? `, ${this.parked.length} waiting` : ''})`;
  }
  checkConservation(): string | undefined {
    return this.isOpen && this.parked.length > 0 ? `gate ${this.name} is open while ${this.parked.length} wait at it` : undefined;
  }
  fingerprint(): string {
    return `gate ${this.name} ${this.isOpen ? 'open' : 'closed'} wait[${this.parked.map((w) => w.ctx).join(',')}]`;
  }
  save(): GateState {
    return { ...this.saveBase(), open: this.isOpen, parked: this.parked.map((w) => ({ ...w })) };
  }
  restore(state: GateState): void {
    this.restoreBase(state);
    this.isOpen = state.open;
    this.parked.splice(0, this.parked.length, ...state.parked.map((w) => ({ ...w })));
  }
}

interface GateState extends ResourceState {
  readonly open: boolean;
  readonly parked: readonly Waiter[];
}

interface GateSpec {
  readonly kind: 'test:gate';
  readonly name: string;
  readonly opener: string;
}
type Pass = { readonly type: 'gate:pass'; readonly gate: string; readonly timeout?: number };
type Open = { readonly type: 'gate:open'; readonly gate: string };

const gateKind = defineResourceKind<GateSpec>({
  kind: 'test:gate',
  create: (s, env) => new Gate(s.name, env.clock, s.opener),
  effects: {
    'gate:pass': handler<Pass>({
      perform(e, env) {
        const gate = env.resource(e.gate, Gate, e.type, 'a gate');
        const r = gate.pass(env.caller);
        env.note({ effect: 'gate:pass', resource: e.gate, status: r.status });
        if (r.status === 'ok') return done({ type: 'gate:passed', gate: e.gate });
        return { status: 'parked', on: gate, op: 'pass', deadline: e.timeout === undefined ? undefined : env.clock.now + e.timeout };
      },
      resume: (e, wake) => done({ type: wake.reason === 'timed-out' ? 'gate:timedout' : 'gate:passed', gate: e.gate }),
      mightSleep: (e) => `a wait at gate ${e.gate}`,
    }),
    'gate:open': handler<Open>({
      perform(e, env) {
        const r = env.resource(e.gate, Gate, e.type, 'a gate').open();
        env.note({ effect: 'gate:open', resource: e.gate, status: 'ok' });
        return done(undefined, r.wakeups);
      },
    }),
  },
});

type GateEvent = { type: 'lock.ok' } | { type: 'gate:passed' } | { type: 'gate:timedout' };
type Emitted = Pass | Open | { type: 'lock'; lock: string } | { type: 'unlock'; lock: string } | { type: 'bioSubmit'; bio: string } | { type: 'bioComplete'; bio: string };

/** Takes lock L, then waits at the gate (for at most `timeout` ticks), then lets go. */
const holder = setup({
  types: {} as { context: { timeout?: number }; input: { timeout?: number }; events: GateEvent; emitted: Emitted },
}).createMachine({
  id: 'gate-holder',
  context: ({ input }) => ({ timeout: input.timeout }),
  initial: 'starting',
  states: {
    // Both machines start at t=1, so either may take the lock first: a real choice.
    starting: { after: { 1: 'locking' } },
    locking: {
      entry: enqueueActions(({ enqueue }) => {
        enqueue.emit({ type: 'bioSubmit', bio: 'h#1' });
        enqueue.emit({ type: 'lock', lock: 'L' });
      }),
      on: { 'lock.ok': 'waiting' },
    },
    waiting: {
      entry: emit(({ context }) => ({ type: 'gate:pass' as const, gate: 'G', timeout: context.timeout })),
      on: { 'gate:passed': 'leaving', 'gate:timedout': 'leaving' },
    },
    leaving: {
      entry: enqueueActions(({ enqueue }) => {
        enqueue.emit({ type: 'unlock', lock: 'L' });
        enqueue.emit({ type: 'bioComplete', bio: 'h#1' });
      }),
      always: 'done',
    },
    done: { type: 'final' },
  },
});

/** Needs lock L to open the gate. */
const opener = setup({ types: {} as { events: GateEvent; emitted: Emitted } }).createMachine({
  id: 'gate-opener',
  initial: 'starting',
  states: {
    starting: { after: { 1: 'locking' } },
    locking: { entry: emit({ type: 'lock', lock: 'L' }), on: { 'lock.ok': 'opening' } },
    opening: {
      entry: enqueueActions(({ enqueue }) => {
        enqueue.emit({ type: 'gate:open', gate: 'G' });
        enqueue.emit({ type: 'unlock', lock: 'L' });
      }),
      always: 'done',
    },
    done: { type: 'final' },
  },
});

const system = (timeout?: number): SystemSpec => ({
  cpus: [],
  contexts: [
    { name: 'holder', kind: 'thread', machine: holder, input: { timeout } },
    { name: 'opener', kind: 'thread', machine: opener },
  ],
  resources: [
    { kind: 'lock', name: 'L', flavour: 'sleep' },
    { kind: 'test:gate', name: 'G', opener: 'opener' },
  ],
  kinds: [gateKind],
});

describe('a resource kind from outside src/ (plug-in)', () => {
  it('waiting at the gate while holding the lock its opener needs is a deadlock whose cycle names the gate', () => {
    const r = new Simulation(system()).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.deadlock!.shape).toBe('cycle');
    expect(r.deadlock!.nodes.map((n) => n.id)).toEqual(['holder', 'G', 'opener', 'L']);
    expect(r.explanation).toMatch(/holder waits for the gate to open in gate G \(closed, 1 waiting\).*held by opener; opener waits for lock in sleep lock L .*held by holder/);
    expect(r.resources.G).toBe('gate G (closed, 1 waiting)');
    expect(r.metrics['G.open']).toBe(0);
  });

  it('a timed wait at the same gate is live: the holder times out, lets go of the lock, and the run completes', () => {
    const r = new Simulation(system(5)).run();
    expect(r.outcome).toBe('completed');
    expect(r.time).toBe(6);
    expect(r.lastSteps.map((s) => `${s.ctx}:${s.event}`)).toContain('holder:gate:timedout');
    expect(r.metrics['G.open']).toBe(1);
  });

  it('survives exhaustive DFS (clone, fingerprint): every interleaving is explored and the deadlock is among them', () => {
    const x = exhaust(system(), { mode: 'dfs' });
    expect(x.exhausted).toBe(true);
    expect(x.findings.map((f) => f.outcome)).toEqual(['deadlock']);
    expect(x.findings[0].explanation).toMatch(/gate G/);
    // The opener may win the lock first; then everyone completes: both ends exist.
    expect(x.terminals).toBeGreaterThanOrEqual(2);
  });

  it('a spec of an unregistered plug-in kind, or an effect type claimed by two kinds, is refused naming it', () => {
    const { kinds: _k, ...bare } = system();
    expect(() => new Simulation(bare)).toThrow(new ModelError(`resource 'G': unknown kind 'test:gate' (known: channel, pipe, aio-ring, allocator, mempool, request-queue, lock, semaphore, counter, buffer-cache)`));
    const clash = defineResourceKind<{ kind: 'test:other'; name: string }>({ kind: 'test:other', create: (s, env) => new Gate(s.name, env.clock, 'x'), effects: { lock: handler<Open>({ perform: () => done() }) } });
    expect(() => new Simulation({ ...system(), kinds: [gateKind, clash] })).toThrow(/effect 'lock' is served by both resource kind 'lock' and resource kind 'test:other'/);
  });
});
