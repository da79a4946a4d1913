/**
 * Kernel personalities (personality.ts): what may sleep where, and what a
 * sleep does to the CPU. NetBSD 2.x keeps spl per thread across ltsleep, so
 * a thread may sleep at splbio and others run meanwhile; it must not switch
 * with a simple_lock held, except the interlock ltsleep releases. Linux has
 * no partial masking: a sleep with any level raised is a might_sleep bug.
 */
import { describe, expect, it } from 'vitest';
import { emit, enqueueActions, setup } from 'xstate';
import { IPL_BIO, IPL_HIGH, Simulation, type Effect, type KernelEvent, type KernelSpec, type SystemSpec, type TraceStep } from '../../src/index.js';
import { scripted } from './fixtures.js';

/** After `delay` ticks, performs `effects` and exits: a thread that only becomes runnable later. */
const delayed = setup({
  types: {} as { context: { delay: number; effects: readonly Effect[] }; input: { delay: number; effects: readonly Effect[] }; events: KernelEvent; emitted: Effect },
  delays: { delay: ({ context }) => context.delay },
  actions: { perform: enqueueActions(({ context, enqueue }) => context.effects.forEach((e) => enqueue.emit(e))) },
}).createMachine({
  id: 'delayed',
  context: ({ input }) => input,
  initial: 'waiting',
  states: { waiting: { after: { delay: { target: 'done', actions: 'perform' } } }, done: { type: 'final' } },
});

const BUF = 'v:0';

/**
 * bread as NetBSD does it: getblk, start the read, then at splbio biowait
 * (`s = splbio(); ... ltsleep(bp, PRIBIO + 1, "biowait", 0, ...)`). Once
 * woken it raises the disk interrupt once more and stays at splbio for a
 * tick: that interrupt may only come after it lowers the level.
 */
const bread = setup({
  types: {} as { context: Record<string, never>; events: KernelEvent; emitted: Effect },
  actions: {
    startRead: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'bufio', cache: 'bc', buf: BUF, op: 'read' });
      enqueue.emit({ type: 'bufHandoff', cache: 'bc', buf: BUF, via: ['intr'] });
      enqueue.emit({ type: 'spl', level: IPL_BIO });
      enqueue.emit({ type: 'biowait', cache: 'bc', buf: BUF });
    }),
    stillAtSplbio: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'metric', name: 'wokeAtSplbio', add: 1 });
      enqueue.emit({ type: 'raiseIrq', handler: 'intr' });
    }),
    lowerAndFinish: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'spl', level: 0 });
      enqueue.emit({ type: 'brelse', cache: 'bc', buf: BUF });
      enqueue.emit({ type: 'bioComplete', bio: 'S#1' });
    }),
  },
}).createMachine({
  id: 'bread',
  context: {},
  initial: 'getting',
  states: {
    getting: {
      tags: ['blocked'],
      entry: enqueueActions(({ enqueue }) => {
        enqueue.emit({ type: 'bioSubmit', bio: 'S#1' });
        enqueue.emit({ type: 'getblk', cache: 'bc', vnode: 'v', blkno: 0 });
      }),
      on: { 'getblk.ok': { target: 'waiting', actions: 'startRead' } },
    },
    waiting: { tags: ['blocked'], on: { 'biowait.ok': { target: 'holding', actions: 'stillAtSplbio' } } },
    holding: { after: { 1: { target: 'done', actions: 'lowerAndFinish' } } },
    done: { type: 'final' },
  },
});

/**
 * The disk's interrupt, asserted by the completion the disk queued on
 * `disk.done` (level-triggered): it takes it and calls biodone. Raised
 * without a completion (raiseIrq) it only counts.
 */
const diskIntr = setup({
  types: {} as { context: Record<string, never>; events: KernelEvent; emitted: Effect },
  actions: {
    handle: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'metric', name: 'interrupts', add: 1 });
      enqueue.emit({ type: 'get', chan: 'disk.done', wait: false });
    }),
    complete: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'biodone', cache: 'bc', buf: BUF });
      enqueue.emit({ type: 'iret' });
    }),
  },
}).createMachine({
  id: 'disk-intr',
  context: {},
  initial: 'idle',
  states: {
    idle: { tags: ['idle'], on: { irq: { target: 'taking', actions: 'handle' } } },
    taking: { on: { 'get.ok': { target: 'idle', actions: 'complete' }, 'get.eagain': { target: 'idle', actions: emit({ type: 'iret' }) } } },
  },
});

/** S reads block 0 through the buffer cache; O, on the same CPU, has something to do one tick later; the disk interrupts a tick after that. */
function breadSystem(kernel: KernelSpec): SystemSpec {
  return {
    kernel,
    cpus: [{ name: 'cpu0' }],
    contexts: [
      { name: 'S', kind: 'thread', cpu: 'cpu0', machine: bread },
      { name: 'O', kind: 'thread', cpu: 'cpu0', machine: delayed, input: { delay: 1, effects: [{ type: 'metric', name: 'otherRan', add: 1 }] } },
      { name: 'intr', kind: 'irq', cpu: 'cpu0', irq: { level: IPL_BIO, line: 'disk.done' }, machine: diskIntr },
      { name: 'disk', kind: 'device', machine: delayed, input: { delay: 2, effects: [{ type: 'put', chan: 'disk.done', item: BUF }] } },
    ],
    resources: [
      { kind: 'buffer-cache', name: 'bc', hiwater: 4, memory: 8 },
      { kind: 'channel', name: 'disk.done', capacity: 1, readers: ['intr'], writers: ['disk'] },
    ],
  };
}

/**
 * S: at splbio, a tsleep until O's wakeup (`down` on `bp`, which O's `up`
 * releases one tick later; with `interlock`, ltsleep's interlock). `before`
 * runs first (take a lock, raise the level).
 */
function sleepSystem(kernel: KernelSpec, before: readonly Effect[], sleep: Effect, wakerEffects: readonly Effect[] = [{ type: 'up', sem: 'bp' }], after: readonly Effect[] = []): SystemSpec {
  return {
    kernel,
    cpus: [{ name: 'cpu0' }],
    contexts: [
      { name: 'S', kind: 'thread', cpu: 'cpu0', machine: scripted, input: { effects: [{ type: 'bioSubmit', bio: 'S#1' }, ...before, sleep], awaits: 'down.ok', then: [...after, { type: 'spl', level: 0 }, { type: 'bioComplete', bio: 'S#1' }] } },
      { name: 'O', kind: 'thread', cpu: 'cpu0', machine: delayed, input: { delay: 1, effects: [{ type: 'metric', name: 'otherRan', add: 1 }, ...wakerEffects] } },
    ],
    resources: [
      { kind: 'semaphore', name: 'bp', count: 0, upBy: ['O'] },
      { kind: 'lock', name: 'bp.interlock', flavour: 'spin' },
      { kind: 'lock', name: 'q', flavour: 'spin' },
    ],
  };
}

const NETBSD: KernelSpec = { personality: 'netbsd' };
const LINUX: KernelSpec = { personality: 'linux' };
const SPLBIO: Effect = { type: 'spl', level: IPL_BIO };
const TSLEEP: Effect = { type: 'down', sem: 'bp' };

function run(system: SystemSpec) {
  return new Simulation(system, { recordTrace: true }).run();
}

function stepOf(trace: readonly TraceStep[], pred: (s: TraceStep) => boolean): number {
  const i = trace.findIndex(pred);
  if (i < 0) throw new Error('no such step in the trace');
  return i;
}

describe('NetBSD personality: spl is per thread, saved across a sleep', () => {
  it('a thread sleeping in biowait at splbio gives up its CPU: another thread on it runs, the disk interrupt gets in, and the sleeper wakes at splbio again', () => {
    // On the old kernel S, parked at splbio, kept cpu0: O never ran and the interrupt (IPL_BIO) never got in: a deadlock.
    const r = run(breadSystem(NETBSD));
    expect(r.outcome).toBe('completed');
    expect(r.metrics.otherRan).toBe(1);
    const trace = r.trace!;
    const slept = stepOf(trace, (s) => s.ctx === 'S' && s.effects.some((e) => e.effect === 'biowait' && e.status === 'blocked'));
    const other = stepOf(trace, (s) => s.ctx === 'O');
    const biodone = stepOf(trace, (s) => s.ctx === 'intr' && s.effects.some((e) => e.effect === 'biodone'));
    const woke = stepOf(trace, (s) => s.ctx === 'S' && s.event === 'biowait.ok');
    expect(slept).toBeLessThan(biodone);
    expect(biodone).toBeLessThan(woke);
    expect(other).toBeGreaterThan(slept);
    expect(other).toBeLessThan(woke);
    // Back at splbio: the interrupt S raised on waking waits until S lowers the level a tick later.
    const lowered = stepOf(trace, (s) => s.ctx === 'S' && s.effects.some((e) => e.effect === 'spl' && e.subject === '0'));
    const secondIrq = trace.findIndex((s, i) => i > woke && s.label === 'intr.irq');
    expect(secondIrq).toBeGreaterThan(lowered);
    expect(trace[secondIrq].time).toBeGreaterThan(trace[woke].time);
    expect(r.metrics.interrupts).toBe(2);
  });

  it('a call that may sleep (tsleep, here down) at splbio is not a violation, and another thread on the CPU runs while it sleeps', () => {
    // Old kernel: a sleep-in-atomic violation, "interrupts masked up to ipl 5".
    const r = run(sleepSystem(NETBSD, [SPLBIO], TSLEEP));
    expect(r.outcome).toBe('completed');
    expect(r.violation).toBeUndefined();
    expect(r.metrics.otherRan).toBe(1);
    expect(r.kernel).toEqual({ personality: 'netbsd', hz: 100, preemption: 'non-preemptive' });
  });

  it('sleeping with a simple_lock held is a violation naming the lock and the sleep', () => {
    const r = run(sleepSystem(NETBSD, [{ type: 'lock', lock: 'q' }], TSLEEP));
    expect(r.outcome).toBe('violation');
    expect(r.violation).toMatchObject({ invariant: 'sleep-in-atomic', contexts: ['S'] });
    // Old kernel: flagged on the call ("calls down(bp) in atomic context: holding spin lock q"), not at the switch.
    expect(r.violation!.message).toMatch(/^S \(thread, in scripted calling\) sleeps in down on bp holding simple_lock q: NetBSD must not switch with a simple_lock held \(mi_switch, LOCKDEBUG simple_lock_switchcheck\)/);
  });

  it('a simple_lock is judged at the switch, not on the call: a down that does not sleep while holding one is legal', () => {
    // Old kernel: a violation on the call (Linux's might_sleep rule), although nothing sleeps.
    const system = sleepSystem(NETBSD, [{ type: 'lock', lock: 'q' }], TSLEEP, [], [{ type: 'unlock', lock: 'q' }]);
    const r = run({ ...system, resources: system.resources.map((x) => (x.name === 'bp' ? { ...x, count: 1 } : x)) });
    expect(r.outcome).toBe('completed');
  });

  it('with the lock passed to ltsleep as interlock the sleep is legal: the lock is free while it sleeps and held again when it returns', () => {
    // O takes the interlock (a trylock) while S sleeps, wakes S, drops it; S unlocks it after waking, so it holds it again.
    // Old kernel: the interlock field is ignored and the sleep with a spin lock held is a violation on the call.
    const system = sleepSystem(
      NETBSD,
      [{ type: 'lock', lock: 'bp.interlock' }],
      { type: 'down', sem: 'bp', interlock: 'bp.interlock' },
      [{ type: 'lock', lock: 'bp.interlock', wait: false }, { type: 'up', sem: 'bp' }, { type: 'unlock', lock: 'bp.interlock' }],
      [{ type: 'unlock', lock: 'bp.interlock' }],
    );
    const r = run(system);
    expect(r.outcome).toBe('completed');
    const o = r.trace!.find((s) => s.ctx === 'O')!;
    expect(o.effects.find((e) => e.effect === 'lock')).toMatchObject({ resource: 'bp.interlock', status: 'ok', reply: 'lock.ok' });
    // S's first step after O's takes the interlock back before anything else (S had a reply queued: its boot-time lock.ok).
    const back = r.trace!.find((s) => s.ctx === 'S' && s.step > o.step)!;
    expect(back.effects[0]).toMatchObject({ effect: 'lock', resource: 'bp.interlock', subject: 'bp.interlock (the interlock its sleep released)', status: 'ok' });
    expect(r.resources['bp.interlock']).toBe('spin lock bp.interlock (free)');
  });

  it('a woken sleeper whose interlock is held spins for it: it returns only after the holder lets go', () => {
    // O holds the interlock across a tick after waking S; S's down.ok waits for O's unlock.
    const holder = setup({
      types: {} as { context: Record<string, never>; events: KernelEvent; emitted: Effect },
    }).createMachine({
      id: 'interlock-holder',
      context: {},
      initial: 'waiting',
      states: {
        waiting: { after: { 1: { target: 'holding', actions: enqueueActions(({ enqueue }) => { enqueue.emit({ type: 'lock', lock: 'bp.interlock', wait: false }); enqueue.emit({ type: 'up', sem: 'bp' }); }) } } },
        holding: { after: { 1: { target: 'done', actions: emit({ type: 'unlock', lock: 'bp.interlock' }) } } },
        done: { type: 'final' },
      },
    });
    const base = sleepSystem(NETBSD, [{ type: 'lock', lock: 'bp.interlock' }], { type: 'down', sem: 'bp', interlock: 'bp.interlock' }, [], [{ type: 'unlock', lock: 'bp.interlock' }]);
    const r = run({ ...base, contexts: [base.contexts[0], { name: 'O', kind: 'thread', cpu: 'cpu0', machine: holder }] });
    expect(r.outcome).toBe('completed');
    const unlocked = stepOf(r.trace!, (s) => s.ctx === 'O' && s.effects.some((e) => e.effect === 'unlock'));
    const woke = stepOf(r.trace!, (s) => s.ctx === 'S' && s.event === 'down.ok');
    expect(woke).toBeGreaterThan(unlocked);
    expect(r.trace![woke].time).toBe(2);
  });

  it('an interlock that names no spin lock is a model error naming the field', () => {
    expect(() => run(sleepSystem(NETBSD, [], { type: 'down', sem: 'bp', interlock: 'bp' }))).toThrow(/down by S: interlock: 'bp' is a semaphore, not a lock/);
    expect(() => run(sleepSystem(NETBSD, [], { type: 'down', sem: 'bp', interlock: 'q' }))).toThrow(/interlock 'q' must be a spin lock the caller holds when it sleeps \(ltsleep releases it\), but it is free/);
  });
});

describe('Linux personality: no partial masking, nothing survives a sleep with interrupts off', () => {
  it('the same sleep at a raised level (spin_lock_irq / local_irq_disable) is a might_sleep violation naming the call', () => {
    // Old kernel: a violation too, but worded as partial masking ("interrupts masked up to ipl 5"), which Linux does not have.
    const r = run(sleepSystem(LINUX, [SPLBIO], TSLEEP));
    expect(r.outcome).toBe('violation');
    expect(r.violation).toMatchObject({ invariant: 'sleep-in-atomic', contexts: ['S'] });
    expect(r.violation!.message).toMatch(/^S \(thread, in scripted calling\) calls down\(bp\) in atomic context: interrupts off \(ipl 5: spin_lock_irq \/ local_irq_disable mask everything, there is no partial masking\)/);
    expect(r.metrics.otherRan).toBeUndefined();
    expect(r.kernel).toEqual({ personality: 'linux', hz: 250, preemption: 'preemptive' });
  });

  it('with interrupts off (IPL_HIGH) and a spin lock held, the violation names both', () => {
    const r = run(sleepSystem(LINUX, [{ type: 'lock', lock: 'q' }, { type: 'spl', level: IPL_HIGH }], TSLEEP));
    expect(r.violation!.message).toMatch(/calls down\(bp\) in atomic context: holding spin lock q, interrupts off \(ipl 7\);/);
  });

  it('a system that declares no kernel runs preemptive Linux: a sleep at splbio is still a violation', () => {
    const { kernel: _none, ...system } = sleepSystem(LINUX, [SPLBIO], TSLEEP);
    const r = run(system);
    expect(r.outcome).toBe('violation');
    expect(r.kernel).toEqual({ personality: 'linux', hz: 250, preemption: 'preemptive' });
  });
});

describe('user processes', () => {
  it('user applies to threads only: anything else is a model error naming the field', () => {
    const system = sleepSystem(NETBSD, [], TSLEEP);
    const bad = { ...system, contexts: [...system.contexts, { name: 'h', kind: 'irq' as const, cpu: 'cpu0', irq: { level: IPL_BIO }, machine: diskIntr, user: true }] };
    expect(() => run(bad)).toThrow(/context 'h': user must be true or false, and true only for a thread \(kind 'thread'\), got true on kind 'irq'/);
  });
});
