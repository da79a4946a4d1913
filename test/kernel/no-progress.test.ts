/**
 * `no-progress` judged over virtual time, and explained by its timed cycle
 * (DESIGN.md "Outcomes"). The test-only scenario: two contexts around one
 * pool, a counting semaphore of 2 elements. Each takes one element, then
 * asks for a second with down_timeout(5*HZ) and retries every time it times
 * out; neither ever lets go. With the timeout the two stay live, retrying
 * forever: no bio completes, and the verdict is `no-progress` with the
 * cycle shown, its timed edges marked with their period. With untimed
 * down() the same cycle is a `deadlock`.
 */
import { describe, expect, it } from 'vitest';
import { exhaust } from '../../src/explore/exhaustive.js';
import { signatureOf } from '../../src/explore/finding.js';
import { assign, emit, enqueueActions, setup } from 'xstate';
import { Simulation, down, get, up, type Effect, type KernelEvent, type KernelSpec, type RunOptions, type SystemSpec } from '../../src/index.js';
import { personalityOf } from '../../src/kernel/personality.js';
import { checkScenario, type Scenario } from '../../src/scenario/scenario.js';
import { runScenario } from '../../src/scenario/run.js';
import { runJson } from '../../src/report/run-json.js';
import { storyOf } from '../../src/report/story.js';
import { ticker } from './fixtures.js';

/** Takes one element of `pool`, then waits for a second (for `timeout` ticks at a time, retrying), then frees both. */
const poolUser = setup({
  types: {} as { context: { bio: string; timeout?: number; retries: number }; input: { bio: string; timeout?: number }; events: KernelEvent; emitted: Effect },
  actions: {
    takeFirst: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'bioSubmit', bio: context.bio });
      enqueue.emit(down('pool'));
    }),
    takeSecond: emit(({ context }) => down('pool', context.timeout === undefined ? undefined : { timeout: context.timeout })),
    countRetry: assign({ retries: ({ context }) => context.retries + 1 }),
    finish: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'bioComplete', bio: context.bio });
      enqueue.emit(up('pool'));
      enqueue.emit(up('pool'));
    }),
  },
}).createMachine({
  id: 'pool-user',
  context: ({ input }) => ({ ...input, retries: 0 }),
  initial: 'takingFirst',
  states: {
    takingFirst: { tags: ['blocked'], entry: 'takeFirst', on: { 'down.ok': 'takingSecond' } },
    takingSecond: {
      tags: ['blocked'],
      entry: 'takeSecond',
      on: {
        'down.ok': { target: 'done', actions: 'finish' },
        // mempool_alloc's loop: the sleep timed out, try again.
        'down.timedout': { target: 'takingSecond', reenter: true, actions: 'countRetry' },
      },
    },
    done: { type: 'final' },
  },
});

/** 5 s in ticks of the kernel the system declares (5*HZ). */
const fiveSeconds = (kernel: KernelSpec) => 5 * personalityOf(kernel).hz;

function pool(opts: { timed: boolean; kernel?: KernelSpec }): SystemSpec {
  const kernel = opts.kernel ?? { personality: 'uml' };
  const timeout = opts.timed ? fiveSeconds(kernel) : undefined;
  return {
    kernel,
    cpus: [],
    contexts: [
      { name: 'a', kind: 'thread', machine: poolUser, input: { bio: 'a#1', timeout } },
      { name: 'b', kind: 'thread', machine: poolUser, input: { bio: 'b#1', timeout } },
    ],
    resources: [{ kind: 'semaphore', name: 'pool', count: 2 }],
  };
}

const retriesOf = (sim: Simulation, name: string) => (sim.contexts.find((c) => c.name === name)!.top.snapshot.context as { retries: number }).retries;

describe('no-progress over virtual time, explained by a timed cycle', () => {
  it('two contexts each holding one of two pool elements and retrying down_timeout(5*HZ) for a second: no-progress after 4 retry periods, the cycle shown with its timed edges (period 500 at HZ 100)', () => {
    const sim = new Simulation(pool({ timed: true }));
    const r = sim.run();
    expect(r.outcome).toBe('no-progress');
    expect(r.deadlock).toBeUndefined();
    // Judged over virtual time: 4 x 500 ticks without a completion, first seen at the 5th timeout.
    expect(r.noProgress).toMatchObject({ window: 2000, unit: 'ticks', longestPeriod: 500 });
    expect(r.time).toBe(2500);
    expect(retriesOf(sim, 'a')).toBe(4);
    expect(retriesOf(sim, 'b')).toBe(4);
    expect(r.noProgress!.cycle).toEqual({
      nodes: [
        { kind: 'context', id: 'a', state: 'takingSecond', detail: '', edge: 'waits-for', timed: 500 },
        { kind: 'resource', id: 'pool', detail: 'semaphore pool (0/2 free, held by a b)', edge: 'held-by' },
        { kind: 'context', id: 'b', state: 'takingSecond', detail: '', edge: 'waits-for', timed: 500 },
        { kind: 'resource', id: 'pool', detail: 'semaphore pool (0/2 free, held by a b)', edge: 'held-by' },
      ],
      stuckContexts: ['a', 'b'],
    });
    expect(r.explanation).toBe(
      'no-progress: cycle of 2 contexts, live only through timed retries: ' +
        'a (retries every 500 ticks) waits for semaphore in semaphore pool (0/2 free, held by a b); held by b; ' +
        'b (retries every 500 ticks) waits for semaphore in semaphore pool (0/2 free, held by a b); held by a; which closes the cycle; ' +
        'no bio completed for 2000 ticks (4 x the longest retry period, 500 ticks) while 2 bio(s) are open (first open: a#1, b#1).',
    );
  });

  it('the same two contexts with untimed down() are a deadlock: the same cycle, no timed edge, no noProgress', () => {
    const r = new Simulation(pool({ timed: false })).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.noProgress).toBeUndefined();
    expect(r.time).toBe(0);
    expect(r.deadlock!.shape).toBe('cycle');
    expect(r.deadlock!.nodes).toEqual([
      { kind: 'context', id: 'a', state: 'takingSecond', detail: '', edge: 'waits-for' },
      { kind: 'resource', id: 'pool', detail: 'semaphore pool (0/2 free, held by a b, 2 waiting)', edge: 'held-by' },
      { kind: 'context', id: 'b', state: 'takingSecond', detail: '', edge: 'waits-for' },
      { kind: 'resource', id: 'pool', detail: 'semaphore pool (0/2 free, held by a b, 2 waiting)', edge: 'held-by' },
    ]);
    expect(r.explanation).toBe(
      'deadlock: cycle of 2 contexts: a waits for semaphore in semaphore pool (0/2 free, held by a b, 2 waiting); held by b; ' +
        'b waits for semaphore in semaphore pool (0/2 free, held by a b, 2 waiting); held by a; which closes the cycle.',
    );
  });

  it('5*HZ is the personality\'s: under linux (HZ 250) the retry period is 1250 ticks and the window 5000', () => {
    const r = new Simulation(pool({ timed: true, kernel: { personality: 'linux' } })).run();
    expect(r.outcome).toBe('no-progress');
    expect(r.noProgress).toMatchObject({ window: 5000, unit: 'ticks', longestPeriod: 1250 });
    expect(r.time).toBe(6250);
    expect(r.noProgress!.cycle!.nodes.filter((n) => n.kind === 'context').map((n) => [n.id, n.timed])).toEqual([
      ['a', 1250],
      ['b', 1250],
    ]);
    expect(r.explanation).toContain('a (retries every 1250 ticks) waits for semaphore');
  });

  it('noProgressTicks longer than 4 retry periods widens the window: judged only after it', () => {
    const opts: RunOptions = { noProgressTicks: 3200 };
    const r = new Simulation(pool({ timed: true }), opts).run();
    expect(r.outcome).toBe('no-progress');
    expect(r.noProgress).toMatchObject({ window: 3200, unit: 'ticks' });
    expect(r.time).toBe(3500);
    expect(r.explanation).toContain('no bio completed for 3200 ticks (noProgressTicks; the longest retry period is 500 ticks)');
  });

  it('noProgressTicks that is not a whole number of ticks >= 1 is refused, naming the option', () => {
    expect(() => new Simulation(pool({ timed: true }), { noProgressTicks: 0 })).toThrow('noProgressTicks must be a whole number of ticks >= 1, got 0');
  });

  it('a lone retrier on a queue nobody writes is no-progress that no cycle explains', () => {
    const reader = setup({
      types: {} as { events: KernelEvent; emitted: Effect },
    }).createMachine({
      id: 'lone-reader',
      initial: 'reading',
      entry: emit({ type: 'bioSubmit', bio: 'r#1' }),
      states: {
        reading: { tags: ['blocked'], entry: emit(get('q', { timeout: 100 })), on: { 'get.timedout': { target: 'reading', reenter: true } } },
      },
    });
    const r = new Simulation({ cpus: [], contexts: [{ name: 'r', kind: 'thread', machine: reader }], resources: [{ kind: 'channel', name: 'q', capacity: 1 }] }).run();
    expect(r.outcome).toBe('no-progress');
    expect(r.deadlock).toBeUndefined();
    // 4 x 100 ticks is less than the shortest window, 10 s at Linux HZ 250.
    expect(r.noProgress).toMatchObject({ window: 2500, unit: 'ticks', longestPeriod: 100 });
    expect(r.noProgress!.cycle).toBeUndefined();
    expect(r.explanation).toBe('no-progress: no bio completed for 2500 ticks (the shortest window, 10 s at HZ 250; the longest retry period is 100 ticks) while 1 bio(s) are open (first open: r#1), and no cycle or orphaned wait explains it.');
  });

  it('a run that never had a timed wait keeps the step window: a timer firing forever at its own pace is judged in steps', () => {
    const stuck = setup({ types: {} as { events: KernelEvent; emitted: Effect } }).createMachine({
      id: 'stuck',
      initial: 'waiting',
      states: { waiting: { tags: ['idle'], entry: emit({ type: 'bioSubmit', bio: 's#1' }) } },
    });
    const r = new Simulation(
      { cpus: [], contexts: [{ name: 's', kind: 'thread', machine: stuck }, { name: 't', kind: 'thread', machine: ticker, input: { period: 1000 } }], resources: [] },
      { noProgressSteps: 50, noProgressTicks: 10 },
    ).run();
    expect(r.outcome).toBe('no-progress');
    expect(r.noProgress).toMatchObject({ window: 50, unit: 'steps', longestPeriod: 0 });
    // 51 ticker steps of 1000 ticks each: far beyond 10 ticks, yet counted in steps.
    expect(r.steps).toBe(51);
    expect(r.time).toBeGreaterThan(50_000);
    expect(r.explanation).toMatch(/^no-progress: 50 steps without a bio completing while 1 bio\(s\) are open, and no cycle or orphaned wait explains it/);
  });
});

/** Retries a timed get on a queue nobody writes, keeping no count: a loop of equal states. */
const retrier = setup({ types: {} as { events: KernelEvent; emitted: Effect } }).createMachine({
  id: 'retrier',
  initial: 'reading',
  entry: emit({ type: 'bioSubmit', bio: 'r#1' }),
  states: { reading: { tags: ['blocked'], entry: emit(get('q', { timeout: 100 })), on: { 'get.timedout': { target: 'reading', reenter: true } } } },
});

describe('explore tells livelocks apart by their cycle', () => {
  it('the finding signature of a timed no-progress names its cycle from its smallest node; one no cycle explains is plain no-progress', () => {
    // Before, every no-progress had the signature "no-progress": explore grouped unrelated livelocks together.
    const r = new Simulation(pool({ timed: true, kernel: { personality: 'uml' } })).run();
    const sig = signatureOf(r);
    expect(sig).toMatch(/^no-progress:cycle:/);
    const ids = r.noProgress!.cycle!.nodes.map((n) => `${n.kind === 'context' ? '' : '@'}${n.id}`);
    expect(sig.slice('no-progress:cycle:'.length).split('>').sort()).toEqual([...ids].sort());
    const lone: SystemSpec = { cpus: [], contexts: [{ name: 'r', kind: 'thread', machine: retrier }], resources: [{ kind: 'channel', name: 'q', capacity: 1 }] };
    expect(signatureOf(new Simulation(lone).run())).toBe('no-progress');
  });
});

describe('exhaustive search reaches a timed livelock', () => {
  it('DFS over a retry loop that keeps no count reaches its no-progress: the time since progress is part of the state, so the loop does not fold onto itself', () => {
    // Before, the fingerprint left out the time since progress: this loop was a cycle of equal
    // states, the search never reached the verdict, and verify called "must no-progress" refuted.
    const system: SystemSpec = { cpus: [], contexts: [{ name: 'r', kind: 'thread', machine: retrier }], resources: [{ kind: 'channel', name: 'q', capacity: 1 }] };
    const r = exhaust(system, { mode: 'dfs' });
    expect(r.exhausted).toBe(true);
    expect(r.findings.map((f) => [f.outcome, f.explanation.slice(0, 40)])).toEqual([['no-progress', 'no-progress: no bio completed for 2500 t']]);
    // Each retry period is a state of its own until the window (2500 ticks at HZ 250) passes.
    expect(r.states).toBeGreaterThan(2500 / 100);
  });
});

describe('the no-progress cycle in the run JSON and the story', () => {
  const scenario: Scenario = checkScenario({
    name: 'timed-pool',
    title: 'two contexts around one pool, retrying every 5 s',
    seed: 'test',
    ref: 'test',
    summary: 'test-only',
    params: {},
    variants: {
      timed: { summary: 'down_timeout(5*HZ) retries', ref: 'test', expect: { kind: 'must', outcome: 'no-progress' }, uses: [] },
      untimed: { summary: 'untimed down()', ref: 'test', expect: { kind: 'must', outcome: 'deadlock' }, uses: [] },
    },
    defaultVariant: 'timed',
    build: (variant) => pool({ timed: variant === 'timed' }),
  });

  it('--json carries noProgress with the cycle nodes, each timed context node with timed: 500; deadlock is null', () => {
    const doc = JSON.parse(JSON.stringify(runJson(scenario, runScenario(scenario, 'timed'), { seed: 1, strategy: 'fifo' }, 0)));
    expect(doc.outcome).toBe('no-progress');
    expect(doc.deadlock).toBeNull();
    expect(doc.noProgress.window).toBe(2000);
    expect(doc.noProgress.unit).toBe('ticks');
    expect(doc.noProgress.cycle.nodes.map((n: { id: string; timed?: number }) => [n.id, n.timed ?? null])).toEqual([
      ['a', 500],
      ['pool', null],
      ['b', 500],
      ['pool', null],
    ]);
  });

  it('--json of the untimed variant has the deadlock cycle without any timed field, and noProgress null', () => {
    const doc = JSON.parse(JSON.stringify(runJson(scenario, runScenario(scenario, 'untimed'), { seed: 1, strategy: 'fifo' }, 0)));
    expect(doc.outcome).toBe('deadlock');
    expect(doc.noProgress).toBeNull();
    expect(doc.deadlock.nodes.some((n: object) => 'timed' in n)).toBe(false);
  });

  it('the story shows the cycle one node a line, the timed edges with their period', () => {
    const doc = runJson(scenario, runScenario(scenario, 'timed'), { seed: 1, strategy: 'fifo' }, 0);
    const lines = storyOf(doc, scenario, ['biostack run timed-pool']);
    expect(lines).toContain('NO-PROGRESS (wait-for cycle, live only through timed retries)');
    const at = lines.indexOf('  cycle:');
    expect(lines.slice(at + 1, at + 6)).toEqual([
      '    a [takingSecond]',
      '      --waits-for (retries every 500 ticks)--> semaphore pool (0/2 free, held by a b)',
      '      --held-by--> b [takingSecond]',
      '      --waits-for (retries every 500 ticks)--> semaphore pool (0/2 free, held by a b)',
      '      --held-by--> a (back to the start)',
    ]);
  });
});
