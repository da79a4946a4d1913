/**
 * The non-preemptive mode (NetBSD 2.x/3.x): a kernel thread leaves its CPU
 * only when it sleeps, waits for new work, exits or returns to user mode;
 * an interrupt handler still runs on that CPU and returns to the same
 * thread; on MP, kernel code runs under kernel_lock, which handlers take too
 * and a sleeping thread gives up. Linux stays preemptive. Every claim is
 * checked on every interleaving (exhaustive DFS) or on many seeds.
 */
import { describe, expect, it } from 'vitest';
import { emit, enqueueActions, setup } from 'xstate';
import { IPL_BIO, Simulation, runScenario, type ContextSpec, type Effect, type KernelEvent, type KernelSpec, type RunResult, type SystemSpec } from '../../src/index.js';
import { exhaust, forEachTerminal } from '../../src/explore/exhaustive.js';
import { ReplayDivergence } from '../../src/kernel/strategy.js';
import { resolveParams } from '../../src/scenario/params.js';
import { vndSelfDeadlock } from '../../scenarios/vnd-self-deadlock.js';
import { vndBufferMemory } from '../../scenarios/vnd-buffer-memory.js';
import { countingHandler, producer } from './fixtures.js';
import { scheduleLeaves } from '../schedule-tree.js';

const NETBSD: KernelSpec = { personality: 'netbsd' };
const NETBSD_PREEMPTIVE: KernelSpec = { personality: 'netbsd', preemption: 'preemptive' };
const LINUX: KernelSpec = { personality: 'linux' };

/** A producer on `cpu`: three puts with an ack, each reply a step of its own kernel work. */
function puts(name: string, cpu: string): ContextSpec {
  return { name, kind: 'thread', cpu, machine: producer, input: { chan: 'out', name, count: 3 } };
}

function system(kernel: KernelSpec, cpus: readonly string[], contexts: readonly ContextSpec[]): SystemSpec {
  return { kernel, cpus: cpus.map((name) => ({ name })), contexts, resources: [{ kind: 'channel', name: 'out', capacity: Infinity }] };
}

/** Every schedule, one run per path (no two paths merged even when they reach the same state). */
function everySchedule(sys: SystemSpec, limit = 20_000): RunResult[] {
  return scheduleLeaves(new Simulation(sys), limit).map((l) => l.result);
}

/** One run per distinct terminal state (the exhaustive DFS's own walk), for stacks too big to enumerate path by path. */
function terminals(sys: SystemSpec): RunResult[] {
  const out: RunResult[] = [];
  const walk = forEachTerminal(sys, [], 50_000, (r) => {
    out.push(r);
    return false;
  });
  expect(walk.exhausted).toBe(true);
  return out;
}

/** The contexts of a schedule's steps, in order (`A.reply` -> `A`). */
function who(schedule: readonly string[]): string[] {
  return schedule.map((l) => l.slice(0, l.indexOf('.')));
}

/** True when `name`'s steps are one unbroken run in `steps`. */
function contiguous(steps: readonly string[], name: string): boolean {
  const first = steps.indexOf(name);
  const last = steps.lastIndexOf(name);
  return steps.slice(first, last + 1).every((s) => s === name);
}

describe('non-preemptive mode on one CPU', () => {
  it('a kernel thread with more to do keeps its CPU: two threads never interleave (on every interleaving), where preemptive Linux does', () => {
    // Old kernel: the preemption mode is not looked at and the threads interleave under netbsd too.
    const np = everySchedule(system(NETBSD, ['cpu0'], [puts('A', 'cpu0'), puts('B', 'cpu0')]));
    for (const r of np) {
      const steps = who(r.schedule);
      expect(contiguous(steps, 'A') && contiguous(steps, 'B'), steps.join(' ')).toBe(true);
    }
    const pre = everySchedule(system(LINUX, ['cpu0'], [puts('A', 'cpu0'), puts('B', 'cpu0')]));
    expect(pre.some((r) => !contiguous(who(r.schedule), 'A'))).toBe(true);
  });

  it('a thread that sleeps leaves the CPU: another thread runs while it sleeps, then the sleeper goes on', () => {
    // A: put, then down (sleeps until B's up), then put. B, on the same CPU, runs in between.
    const sys: SystemSpec = {
      ...system(NETBSD, ['cpu0'], [
        { name: 'A', kind: 'thread', cpu: 'cpu0', machine: putSleepPut },
        { name: 'B', kind: 'thread', cpu: 'cpu0', machine: upAfterPuts },
      ]),
      resources: [
        { kind: 'channel', name: 'out', capacity: Infinity },
        { kind: 'semaphore', name: 's', count: 0, upBy: ['B'] },
      ],
    };
    let sleptFirst = 0;
    for (const r of everySchedule(sys)) {
      expect(r.outcome).toBe('completed');
      const steps = who(r.schedule);
      expect(contiguous(steps, 'B'), steps.join(' ')).toBe(true);
      // A's first step ends in its sleep: B then runs to the end (its up), and only then A goes on.
      if (steps[0] === 'A') {
        sleptFirst++;
        expect(steps.slice(1, 1 + steps.filter((x) => x === 'B').length).every((x) => x === 'B'), steps.join(' ')).toBe(true);
      }
    }
    expect(sleptFirst).toBeGreaterThan(0);
  });

  it('an interrupt handler runs on that CPU above the level and returns to the same thread, not to another runnable one', () => {
    // A raises the interrupt as it starts; the handler may come between any two of A's steps, and A goes on after it.
    const raiser = setup({
      types: {} as { context: { n: number }; events: KernelEvent; emitted: Effect },
      guards: { more: ({ context }) => context.n < 3 },
    }).createMachine({
      id: 'raiser',
      context: { n: 0 },
      initial: 'putting',
      states: {
        putting: {
          entry: enqueueActions(({ context, enqueue }) => {
            if (context.n === 0) enqueue.emit({ type: 'raiseIrq', handler: 'irq' });
            enqueue.emit({ type: 'put', chan: 'out', item: context.n, ack: true });
            enqueue.assign({ n: context.n + 1 });
          }),
          on: { 'put.ok': [{ guard: 'more', target: 'putting', reenter: true }, { target: 'done' }] },
        },
        done: { type: 'final' },
      },
    });
    const sys = system(NETBSD, ['cpu0'], [{ name: 'A', kind: 'thread', cpu: 'cpu0', machine: raiser }, puts('B', 'cpu0'), { name: 'irq', kind: 'irq', cpu: 'cpu0', irq: { level: IPL_BIO }, machine: countingHandler }]);
    const runs = everySchedule(sys);
    let inMiddle = 0;
    for (const r of runs) {
      const steps = who(r.schedule);
      const threads = steps.filter((s) => s !== 'irq');
      expect(contiguous(threads, 'A') && contiguous(threads, 'B'), steps.join(' ')).toBe(true);
      const irq = steps.indexOf('irq');
      if (irq > steps.indexOf('A') && irq < steps.lastIndexOf('A')) {
        inMiddle++;
        expect(steps[irq + 1]).toBe('A');
      }
    }
    expect(inMiddle).toBeGreaterThan(0);
  });

  it("a user process leaves its CPU when it returns to user mode (its base frame) and keeps it inside a system call", () => {
    // P (user) makes two system calls of two steps each; B can run only between them, never inside one.
    const sys: SystemSpec = {
      ...system(NETBSD, ['cpu0'], [{ name: 'P', kind: 'thread', cpu: 'cpu0', user: true, machine: twoSyscalls }, puts('B', 'cpu0')]),
      callable: { syscall },
    };
    const runs = everySchedule(sys);
    let between = 0;
    for (const r of runs) {
      const trace = new Simulation(sys, { strategy: 'replay', schedule: r.schedule, recordTrace: true }).run().trace!;
      for (let i = 1; i < trace.length; i++) {
        if (trace[i].ctx !== 'B' || trace[i - 1].ctx !== 'P') continue;
        // Whoever ran before B left P at its base frame: back in user mode.
        expect(trace[i - 1].depth, `step ${i}: B ran while P was in a system call`).toBeLessThanOrEqual(1);
        between++;
      }
    }
    expect(between).toBeGreaterThan(0);
    // The same process as a kernel thread (not user) keeps the CPU across both calls.
    const kernel = everySchedule({ ...sys, contexts: [{ ...sys.contexts[0], user: false }, sys.contexts[1]] });
    for (const r of kernel) expect(contiguous(who(r.schedule), 'P')).toBe(true);
  });

  it('a system that declares no kernel stays preemptive Linux: every interleaving the netbsd preemptive mode has', () => {
    const linux = exhaust(system(LINUX, ['cpu0'], [puts('A', 'cpu0'), puts('B', 'cpu0')]), { mode: 'dfs' });
    const { kernel: _k, ...none } = system(LINUX, ['cpu0'], [puts('A', 'cpu0'), puts('B', 'cpu0')]);
    const undeclared = exhaust(none, { mode: 'dfs' });
    const np = exhaust(system(NETBSD, ['cpu0'], [puts('A', 'cpu0'), puts('B', 'cpu0')]), { mode: 'dfs' });
    expect(undeclared.states).toBe(linux.states);
    expect(undeclared.transitions).toBe(linux.transitions);
    expect(np.states).toBeLessThan(linux.states);
  });
});

describe('kernel_lock on MP (NetBSD 2.x)', () => {
  it('at most one CPU runs kernel code: threads on two CPUs never interleave; under Linux they do', () => {
    // Old kernel: no kernel_lock, the two CPUs interleave freely.
    for (const r of everySchedule(system(NETBSD, ['cpu0', 'cpu1'], [puts('A', 'cpu0'), puts('B', 'cpu1')]))) {
      const steps = who(r.schedule);
      expect(contiguous(steps, 'A') && contiguous(steps, 'B'), steps.join(' ')).toBe(true);
    }
    const linux = everySchedule(system(LINUX, ['cpu0', 'cpu1'], [puts('A', 'cpu0'), puts('B', 'cpu1')]));
    expect(linux.some((r) => !contiguous(who(r.schedule), 'A'))).toBe(true);
  });

  it('interrupt handlers take kernel_lock: a handler on the other CPU waits while a thread runs kernel code, and the wait-for view names kernel_lock', () => {
    // x86_intlock: a handler that interrupted code below IPL_SCHED takes kernel_lock (spinning for it).
    const sys = system(NETBSD, ['cpu0', 'cpu1'], [
      { name: 'A', kind: 'thread', cpu: 'cpu0', machine: producer, input: { chan: 'out', name: 'A', count: 3 } },
      { name: 'R', kind: 'thread', cpu: 'cpu1', machine: raiseOnce },
      { name: 'irq', kind: 'irq', cpu: 'cpu1', irq: { level: IPL_BIO }, machine: countingHandler },
    ]);
    for (const r of everySchedule(sys)) {
      const steps = who(r.schedule);
      const irq = steps.indexOf('irq');
      expect(irq, steps.join(' ')).toBeGreaterThanOrEqual(0);
      // Never while A is between two of its steps.
      expect(irq < steps.indexOf('A') || irq > steps.lastIndexOf('A'), steps.join(' ')).toBe(true);
    }
    // After A's first step, cpu0 holds kernel_lock; the raised handler waits for it.
    const sim = new Simulation(sys);
    sim.step(sim.pending().findIndex((c) => c.label.startsWith('R.')));
    sim.step(sim.pending().findIndex((c) => c.label === 'A.reply'));
    const view = sim.views().find((v) => v.name === 'irq')!;
    expect(view.live).toBe(false);
    expect(view.wait).toMatchObject({ node: 'kernel_lock', nodeDetail: 'kernel_lock (held by cpu cpu0, running A)', releasers: [{ ctx: 'A', edge: 'held-by' }] });
  });

  it('a sleeping thread gives kernel_lock up: the other CPU runs kernel code while it sleeps, and it takes the lock back when it runs', () => {
    // A on cpu0 sleeps on s until B (cpu1) ups it; B can only run because A's sleep released kernel_lock.
    const sys: SystemSpec = {
      ...system(NETBSD, ['cpu0', 'cpu1'], [
        { name: 'A', kind: 'thread', cpu: 'cpu0', machine: putSleepPut },
        { name: 'B', kind: 'thread', cpu: 'cpu1', machine: upAfterPuts },
      ]),
      resources: [
        { kind: 'channel', name: 'out', capacity: Infinity },
        { kind: 'semaphore', name: 's', count: 0, upBy: ['B'] },
      ],
    };
    for (const r of everySchedule(sys)) {
      expect(r.outcome).toBe('completed');
      const steps = who(r.schedule);
      expect(contiguous(steps, 'B'), steps.join(' ')).toBe(true);
      // A's steps after its sleep come after all of B's: B held kernel_lock until it was done.
      const firstB = steps.indexOf('B');
      if (firstB > steps.indexOf('A')) expect(steps.lastIndexOf('A')).toBeGreaterThan(steps.lastIndexOf('B'));
    }
  });
});

describe('non-preemptive mode on a vnd stack (exhaustive DFS)', () => {
  const cases = [
    { scenario: vndSelfDeadlock, variant: 'fix-thread' },
    { scenario: vndBufferMemory, variant: 'buggy-holding' },
  ] as const;
  for (const { scenario, variant } of cases) {
    const built = scenario.build(variant, resolveParams(scenario, variant, {}));
    const mode = (preemption: KernelSpec['preemption']): SystemSpec => ({ ...built, kernel: { personality: 'netbsd', preemption } });

    it(`${scenario.name} ${variant}: non-preemptive explores strictly fewer states and transitions than preemptive, both exhausted`, () => {
      // Old kernel: the preemption mode changes nothing, and the counts are equal.
      const pre = exhaust(mode('preemptive'), { mode: 'dfs' });
      const np = exhaust(mode('non-preemptive'), { mode: 'dfs' });
      expect(pre.exhausted && np.exhausted).toBe(true);
      expect(np.states).toBeLessThan(pre.states);
      expect(np.transitions).toBeLessThan(pre.transitions);
      // The same findings either way: fewer interleavings, not other bugs.
      expect(np.findings.map((f) => f.signature)).toEqual(pre.findings.map((f) => f.signature));
      // And fewer schedules, counted path by path.
      expect(everySchedule(mode('non-preemptive')).length).toBeLessThan(everySchedule(mode('preemptive')).length);
    });

    it(`${scenario.name} ${variant}: every non-preemptive schedule (all of them, path by path) replays strictly in preemptive mode to the same trace`, () => {
      const schedules = everySchedule(mode('non-preemptive')).map((r) => ({ schedule: r.schedule, traceHash: r.traceHash, outcome: r.outcome }));
      expect(schedules.length).toBeGreaterThan(1);
      for (const s of schedules) {
        let replayed: RunResult;
        try {
          replayed = new Simulation(mode('preemptive'), { strategy: 'replay', schedule: s.schedule }).run();
        } catch (e) {
          if (e instanceof ReplayDivergence) expect.fail(`preemptive mode cannot follow a non-preemptive schedule: ${e.message}`);
          throw e;
        }
        expect(replayed.schedule).toEqual(s.schedule);
        expect(replayed.outcome).toBe(s.outcome);
        expect(replayed.traceHash).toBe(s.traceHash);
      }
    });
  }

  it('the vnd scenarios run under non-preemptive NetBSD, and say so', () => {
    const r = runScenario(vndSelfDeadlock, 'fix-thread', {}, { strategy: 'fifo' });
    expect(r.result.kernel).toEqual({ personality: 'netbsd', hz: 100, preemption: 'non-preemptive' });
  });
});

/** Three puts, then up(s): a waker whose wake-up comes after its own kernel work. */
const upAfterPuts = setup({
  types: {} as { context: { n: number }; events: KernelEvent; emitted: Effect },
  guards: { more: ({ context }) => context.n < 2 },
}).createMachine({
  id: 'up-after-puts',
  context: { n: 0 },
  initial: 'putting',
  states: {
    putting: {
      entry: enqueueActions(({ context, enqueue }) => {
        enqueue.emit({ type: 'put', chan: 'out', item: `b${context.n}`, ack: true });
        enqueue.assign({ n: context.n + 1 });
      }),
      on: { 'put.ok': [{ guard: 'more', target: 'putting', reenter: true }, { target: 'done', actions: emit({ type: 'up', sem: 's' }) }] },
    },
    done: { type: 'final' },
  },
});

/** put, sleep on s, put. */
const putSleepPut = setup({
  types: {} as { context: Record<string, never>; events: KernelEvent; emitted: Effect },
}).createMachine({
  id: 'put-sleep-put',
  context: {},
  initial: 'first',
  states: {
    first: { entry: emit({ type: 'put', chan: 'out', item: 'a1', ack: true }), on: { 'put.ok': 'sleeping' } },
    sleeping: { entry: emit({ type: 'down', sem: 's' }), on: { 'down.ok': 'last' } },
    last: { entry: emit({ type: 'put', chan: 'out', item: 'a2', ack: true }), on: { 'put.ok': 'done' } },
    done: { type: 'final' },
  },
});

/** Raises the interrupt on its CPU and exits. */
const raiseOnce = setup({
  types: {} as { context: Record<string, never>; events: KernelEvent; emitted: Effect },
}).createMachine({ id: 'raise-once', context: {}, initial: 'raising', states: { raising: { after: { 0: { target: 'done', actions: emit({ type: 'raiseIrq', handler: 'irq' }) } } }, done: { type: 'final' } } });

/** A system call: two steps of kernel work (two acked puts), then return. */
const syscall = setup({
  types: {} as { context: { n: number }; events: KernelEvent; emitted: Effect },
  guards: { more: ({ context }) => context.n < 2 },
}).createMachine({
  id: 'syscall',
  context: { n: 0 },
  initial: 'working',
  states: {
    working: {
      entry: enqueueActions(({ context, enqueue }) => {
        enqueue.emit({ type: 'put', chan: 'out', item: `p${context.n}`, ack: true });
        enqueue.assign({ n: context.n + 1 });
      }),
      on: { 'put.ok': [{ guard: 'more', target: 'working', reenter: true }, { target: 'done' }] },
    },
    done: { type: 'final' },
  },
});

/** A user program: two system calls in a row. */
const twoSyscalls = setup({
  types: {} as { context: Record<string, never>; events: KernelEvent; emitted: Effect },
}).createMachine({
  id: 'two-syscalls',
  context: {},
  initial: 'first',
  states: {
    first: { entry: emit({ type: 'call', machine: 'syscall' }), on: { 'call.return': 'second' } },
    second: { entry: emit({ type: 'call', machine: 'syscall' }), on: { 'call.return': 'done' } },
    done: { type: 'final' },
  },
});
