/**
 * Allocation masks and reclaim through devices (issue 9 item 4), on
 * test-only systems: a device X whose request path is the thread `xq`
 * (it takes X's requests from a channel, allocates a buffer for each,
 * completes it and gives the request back), a writer `w` that fills X's
 * request queue, and memory exhausted except X's dirty pages.
 *
 * Sources: mm/page_alloc.c `__alloc_pages` (2.6.14: the `do_retry` loop with
 * `blk_congestion_wait(WRITE, HZ/50)`; 2.6.32 `__alloc_pages_slowpath`,
 * `congestion_wait(BLK_RW_ASYNC, HZ/50)`), mm/vmscan.c `shrink_list`
 * (`may_enter_fs`) and `pageout` (`may_write_to_queue`), block/ll_rw_blk.c
 * `get_request_wait` (untimed `io_schedule`).
 */
import { describe, expect, it } from 'vitest';
import { assign, enqueueActions, setup } from 'xstate';
import { Simulation, type Effect, type Gfp, type KernelEvent, type ResourceSpec, type RunResult, type SystemSpec } from '../../src/index.js';
import type { DirtyDevice } from '../../src/resources/allocator.js';
import { scripted, ticker } from './fixtures.js';

/** Linux HZ 250 (the default personality): congestion_wait(HZ/50) sleeps 5 ticks. */
const CONGESTION_PERIOD = 5;

interface Buffer {
  readonly from: 'kmalloc' | 'mempool';
  readonly element: string;
}

/**
 * X's request path: takes a request from `requests`, allocates one buffer
 * for it (kmalloc with `gfp`, or mempool_alloc from `pool`), then completes
 * the bio, frees the buffer and gives the request back to `queue`.
 */
const requestPath = setup({
  types: {} as {
    context: { requests: string; queue: string; mem: string; gfp: Gfp; pool?: string; bio: string; buffer: Buffer | null };
    input: { requests: string; queue: string; mem: string; gfp: Gfp; pool?: string };
    events: KernelEvent;
    emitted: Effect;
  },
  actions: {
    take: enqueueActions(({ context, enqueue }) => enqueue.emit({ type: 'get', chan: context.requests })),
    keepBio: assign({ bio: ({ event }) => (event.type === 'get.ok' ? (event.item as { bio: string }).bio : '') }),
    allocate: enqueueActions(({ context, enqueue }) =>
      enqueue.emit(context.pool !== undefined ? { type: 'alloc', pool: context.pool, gfp: context.gfp } : { type: 'kmalloc', allocator: context.mem, gfp: context.gfp }),
    ),
    keepBuffer: assign({
      buffer: ({ event }) => (event.type === 'kmalloc.ok' ? { from: 'kmalloc' as const, element: event.element } : event.type === 'alloc.ok' ? { from: 'mempool' as const, element: event.element } : null),
    }),
    complete: enqueueActions(({ context, enqueue }) => {
      const b = context.buffer;
      if (b?.from === 'kmalloc') enqueue.emit({ type: 'kfree', allocator: context.mem, element: b.element });
      if (b?.from === 'mempool') enqueue.emit({ type: 'free', pool: context.pool!, element: b.element });
      enqueue.emit({ type: 'bioComplete', bio: context.bio, ...(b === null ? { error: 12 } : {}) });
      enqueue.emit({ type: 'putRequest', queue: context.queue });
    }),
  },
}).createMachine({
  id: 'x-request-path',
  context: ({ input }) => ({ ...input, bio: '', buffer: null }),
  initial: 'waitingForRequest',
  states: {
    waitingForRequest: { tags: ['idle'], entry: 'take', on: { 'get.ok': { target: 'allocatingBuffer', actions: 'keepBio' } } },
    allocatingBuffer: {
      tags: ['blocked'],
      entry: 'allocate',
      on: {
        'kmalloc.ok': { target: 'completing', actions: 'keepBuffer' },
        'alloc.ok': { target: 'completing', actions: 'keepBuffer' },
        'kmalloc.fail': { target: 'completing', actions: 'keepBuffer' },
      },
    },
    completing: { entry: 'complete', always: 'waitingForRequest' },
  },
});

/** Submits `n` writes to X: for each a bio, a request of X's queue (get_request_wait), and the request handed to X's request path. */
function writerEffects(n: number): Effect[] {
  return Array.from({ length: n }, (_, i) => [
    { type: 'bioSubmit' as const, bio: `w#${i + 1}` },
    { type: 'getRequest' as const, queue: 'X.rq' },
    { type: 'put' as const, chan: 'X.requests', item: { bio: `w#${i + 1}` } },
  ]).flat();
}

interface XOptions {
  /** Writes the writer submits before X's request path runs: nrRequests of them fill X's queue. */
  readonly writes: number;
  readonly nrRequests?: number;
  readonly gfp?: Gfp;
  /** Allocate from a mempool with this min_nr instead of kmalloc. */
  readonly minNr?: number;
  /** X's dirty pages as the allocator declares them (queue and writers). */
  readonly dirty?: Partial<DirtyDevice>;
  /** No exhaustion declaration: plain pressure `always`. */
  readonly plain?: boolean;
}

function xSystem(o: XOptions): SystemSpec {
  const dirty: DirtyDevice = { device: 'X', writeback: ['xq'], queue: 'X.rq', writers: ['xq'], ...o.dirty };
  const resources: ResourceSpec[] = [
    { kind: 'request-queue', name: 'X.rq', nrRequests: o.nrRequests ?? 2, completedBy: ['xq'] },
    { kind: 'channel', name: 'X.requests', capacity: Infinity, readers: ['xq'], writers: ['w'] },
    o.plain ? { kind: 'allocator', name: 'mem', pressure: 'always' } : { kind: 'allocator', name: 'mem', pressure: 'always', exhausted: { dirtyOn: [dirty] } },
    ...(o.minNr !== undefined ? [{ kind: 'mempool' as const, name: 'X.pool', minNr: o.minNr, backing: 'mem' }] : []),
  ];
  return {
    cpus: [{ name: 'cpu0' }],
    contexts: [
      { name: 'w', kind: 'thread', cpu: 'cpu0', machine: scripted, input: { effects: writerEffects(o.writes), awaits: 'never' } },
      { name: 'xq', kind: 'thread', cpu: 'cpu0', machine: requestPath, input: { requests: 'X.requests', queue: 'X.rq', mem: 'mem', gfp: o.gfp ?? 'GFP_KERNEL', ...(o.minNr !== undefined ? { pool: 'X.pool' } : {}) } },
    ],
    resources,
  };
}

/** What `xq`'s first wait on the allocator looks like in the wait-for view: resource, releasers, timing. */
interface SeenWait {
  readonly resource: string;
  readonly releasers: unknown;
  readonly period?: number;
  readonly timed: boolean;
}

/**
 * Run under fifo, noting the first time `xq` sleeps on the allocator; the
 * run's result beside it. A ticker (one tick apart) runs beside the system:
 * each round of xq's is a step of its own, woken the moment its
 * congestion_wait times out, so only while another context has something
 * to deliver can a test look at xq asleep between two steps.
 */
function runWatching(base: SystemSpec, noProgressSteps = 300): { r: RunResult; wait: SeenWait | undefined } {
  const system: SystemSpec = { ...base, contexts: [...base.contexts, { name: 'tick', kind: 'thread', machine: ticker, input: { period: 1 } }] };
  const sim = new Simulation(system, { noProgressSteps });
  let wait: SeenWait | undefined;
  for (;;) {
    const xq = sim.contexts.find((c) => c.name === 'xq')!;
    const b = xq.blocked;
    if (wait === undefined && b !== null && b.resource.name === 'mem') {
      const waiter = b.resource.waiters().find((x) => x.ctx === 'xq')!;
      wait = { resource: b.resource.describe(), releasers: b.resource.releasers(waiter), period: b.period, timed: b.deadline !== undefined };
    }
    if (sim.pending().length === 0) break;
    sim.step(0);
  }
  return { r: sim.run(), wait };
}

describe('memory exhausted except dirty pages on X', () => {
  it("GFP_KERNEL in X's request path loops in reclaim: a timed congestion_wait whose only releaser is X's writeback by xq itself (writeback-of), so no-progress, never a deadlock", () => {
    const { r, wait } = runWatching(xSystem({ writes: 1, nrRequests: 4 }));
    expect(r.outcome).toBe('no-progress');
    expect(r.deadlock).toBeUndefined();
    expect(new Simulation(xSystem({ writes: 1, nrRequests: 4 }), { noProgressSteps: 300 }).run().outcome).toBe('no-progress');
    expect(wait).toEqual({
      resource: 'allocator mem (0 out, pressure always, exhausted except dirty pages on X, 1 in congestion_wait)',
      releasers: [{ ctx: 'xq', edge: 'writeback-of', device: 'X' }],
      period: CONGESTION_PERIOD,
      timed: true,
    });
    // A round every congestion period, each a step of xq's own.
    expect(r.metrics['mem.sleeps']).toBe(Math.floor(r.time / CONGESTION_PERIOD) + 1);
  });

  it("judged over virtual time, that no-progress is explained by the cycle through X's writeback, its timed edge marked with the 5-tick retry period", () => {
    const r = new Simulation(xSystem({ writes: 1, nrRequests: 4 })).run();
    expect(r.outcome).toBe('no-progress');
    expect(r.noProgress!.unit).toBe('ticks');
    expect(r.noProgress!.cycle!.nodes).toEqual([
      { kind: 'context', id: 'xq', state: 'allocatingBuffer', detail: '', edge: 'waits-for', timed: CONGESTION_PERIOD },
      { kind: 'resource', id: 'mem', detail: 'allocator mem (0 out, pressure always, exhausted except dirty pages on X)', edge: 'writeback-of' },
    ]);
    expect(r.explanation).toBe(
      `no-progress: cycle of 1 context, live only through timed retries: xq (retries every ${CONGESTION_PERIOD} ticks) waits for memory in allocator mem (0 out, pressure always, exhausted except dirty pages on X); only the writeback of X by xq could free it; which closes the cycle; no bio completed for 2500 ticks (the shortest window, 10 s at HZ 250; the longest retry period is ${CONGESTION_PERIOD} ticks) while 1 bio(s) are open (first open: w#1).`,
    );
  });

  it("with X's request queue full, the same reclaim sleeps in get_request_wait (untimed): a deadlock, the cycle xq -> X.rq -> xq through X's writeback", () => {
    const r = new Simulation(xSystem({ writes: 2, nrRequests: 2 })).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.deadlock!.shape).toBe('cycle');
    expect(r.deadlock!.nodes).toEqual([
      { kind: 'context', id: 'xq', state: 'allocatingBuffer', detail: '', edge: 'waits-for' },
      { kind: 'resource', id: 'X.rq', detail: 'request-queue X.rq (2/2 requests, congested, 1 waiting)', edge: 'writeback-of' },
    ]);
    expect(r.explanation).toBe(
      "deadlock: cycle of 1 context: xq waits for a request to write back X's dirty pages in request-queue X.rq (2/2 requests, congested, 1 waiting); only the writeback of X by xq could free it; which closes the cycle.",
    );
    expect(r.metrics['X.rq.writebackWaits']).toBe(1);
  });

  it('a reclaimer that does not write to X skips its congested queue (may_write_to_queue) and waits in congestion_wait instead: timed, no-progress', () => {
    const { r, wait } = runWatching(xSystem({ writes: 2, nrRequests: 2, dirty: { writers: [] } }));
    expect(r.outcome).toBe('no-progress');
    expect(wait).toMatchObject({ releasers: [{ ctx: 'xq', edge: 'writeback-of', device: 'X' }], period: CONGESTION_PERIOD, timed: true });
    expect(r.metrics['X.rq.writebackWaits']).toBe(0);
  });

  it('GFP_NOIO from a mempool with min_nr >= 1 completes: the first attempt fails, the reserve serves it', () => {
    const r = new Simulation(xSystem({ writes: 2, nrRequests: 2, gfp: 'GFP_NOIO', minNr: 1 })).run();
    expect(r.outcome).toBe('completed');
    expect(r.bios).toMatchObject({ submitted: 2, completed: 2, failed: 0 });
    expect(r.metrics['X.pool.reserveAllocs']).toBe(2);
  });

  it('GFP_NOIO without a reserve (kmalloc) may write nothing back: a timed wait with no releaser at all, no-progress', () => {
    const { r, wait } = runWatching(xSystem({ writes: 2, nrRequests: 2, gfp: 'GFP_NOIO' }));
    expect(r.outcome).toBe('no-progress');
    expect(wait).toMatchObject({ releasers: [], period: CONGESTION_PERIOD, timed: true });
    // Without __GFP_FS reclaim never reaches X's queue, full as it is.
    expect(r.metrics['X.rq.writebackWaits']).toBe(0);
  });

  it('swap-cache pages on X can be written back with __GFP_IO alone: GFP_NOFS in the request path with the queue full deadlocks too', () => {
    const r = new Simulation(xSystem({ writes: 2, nrRequests: 2, gfp: 'GFP_NOFS', dirty: { pages: 'swap' } })).run();
    expect(r.outcome).toBe('deadlock');
    expect(r.explanation).toMatch(/only the writeback of X by xq could free it; which closes the cycle/);
    const fileBacked = runWatching(xSystem({ writes: 2, nrRequests: 2, gfp: 'GFP_NOFS' }));
    expect(fileBacked.r.outcome).toBe('no-progress');
    expect(fileBacked.wait).toMatchObject({ releasers: [] });
  });

  it('__GFP_NORETRY gives up after the reclaim pass: kmalloc.fail, the bio fails, the run completes', () => {
    const r = new Simulation(xSystem({ writes: 1, nrRequests: 4, gfp: 'GFP_KERNEL|__GFP_NORETRY' })).run();
    expect(r.outcome).toBe('completed');
    expect(r.bios).toMatchObject({ completed: 1, failed: 1 });
    expect(r.metrics['mem.sleeps']).toBe(0);
  });

  it('without the exhaustion declaration the same GFP_KERNEL wait is released by anyone: no cycle is ever claimed', () => {
    const { r, wait } = runWatching(xSystem({ writes: 2, nrRequests: 2, plain: true }));
    expect(r.outcome).toBe('no-progress');
    expect(wait).toMatchObject({ releasers: 'anyone', timed: true });
  });

  it('a queue named in the declaration must be a request-queue declared before the allocator', () => {
    const system = xSystem({ writes: 1, dirty: { queue: 'X.requests' } });
    expect(() => new Simulation(system)).toThrow(/allocator mem: exhausted\.dirtyOn\[0\]\.queue 'X\.requests' is not a request-queue declared before the allocator/);
  });
});

describe('kmalloc by mask (mm/page_alloc.c __alloc_pages)', () => {
  /** One thread doing `effects` then waiting for `awaits`, against allocator `mem`. */
  const one = (mem: ResourceSpec, effects: Effect[], awaits = 'kmalloc.ok'): SystemSpec => ({
    cpus: [{ name: 'cpu0' }],
    contexts: [{ name: 't', kind: 'thread', cpu: 'cpu0', machine: scripted, input: { effects, awaits, then: [{ type: 'metric', name: 'got', add: 1 }] } }],
    resources: [mem],
  });
  const reserved: ResourceSpec = { kind: 'allocator', name: 'mem', pressure: 'always', reserve: 1 };

  it('GFP_ATOMIC (__GFP_HIGH) dips into the reserve; GFP_NOWAIT fails at once', () => {
    const atomic = new Simulation(one(reserved, [{ type: 'kmalloc', allocator: 'mem', gfp: 'GFP_ATOMIC' }])).run();
    expect(atomic.outcome).toBe('completed');
    expect(atomic.metrics).toMatchObject({ got: 1, 'mem.reserveAllocs': 1 });
    const nowait = new Simulation(one(reserved, [{ type: 'kmalloc', allocator: 'mem', gfp: 'GFP_NOWAIT' }], 'kmalloc.fail')).run();
    expect(nowait.outcome).toBe('completed');
    expect(nowait.metrics).toMatchObject({ got: 1, 'mem.reserveAllocs': 0, 'mem.failures': 1 });
  });

  it('without __GFP_WAIT nothing sleeps, even when memory never comes back', () => {
    const r = new Simulation(one({ kind: 'allocator', name: 'mem', pressure: 'always' }, [{ type: 'kmalloc', allocator: 'mem', gfp: 'GFP_ATOMIC' }], 'kmalloc.fail')).run();
    expect(r.outcome).toBe('completed');
    expect(r.metrics['mem.sleeps']).toBe(0);
  });

  it('congestion_wait lasts HZ/50 of the personality: 2 ticks at UML HZ 100, 5 at Linux HZ 250', () => {
    const times = (kernel: SystemSpec['kernel']) => {
      const sim = new Simulation({ ...one({ kind: 'allocator', name: 'mem', pressure: 'always' }, [{ type: 'bioSubmit', bio: 't#1' }, { type: 'kmalloc', allocator: 'mem', gfp: 'GFP_KERNEL' }]), kernel }, { noProgressSteps: 4, recordTrace: true });
      return sim.run().trace!.filter((s) => s.ctx === 't').map((s) => s.time);
    };
    // The first attempt is made at boot (time 0); each later round is a step of its own.
    expect(times({ personality: 'uml' })).toEqual([2, 4, 6, 8, 10]);
    expect(times(undefined)).toEqual([5, 10, 15, 20, 25]);
  });

  it('a bad mask is a model error naming the call, the part and what is allowed', () => {
    const system = one({ kind: 'allocator', name: 'mem', pressure: 'none' }, [{ type: 'kmalloc', allocator: 'mem', gfp: 'GFP_KERNAL' as Gfp }]);
    expect(() => new Simulation(system).run()).toThrow(/kmalloc on allocator 'mem': gfp mask 'GFP_KERNAL': unknown part 'GFP_KERNAL' \(allowed: GFP_ATOMIC, /);
  });
});

describe('lint-like warnings (RunResult.warnings): never an outcome', () => {
  const system = (lock: boolean): SystemSpec => ({
    cpus: [{ name: 'cpu0' }],
    contexts: [
      {
        name: 't',
        kind: 'thread',
        cpu: 'cpu0',
        machine: scripted,
        input: {
          effects: [...(lock ? [{ type: 'lock' as const, lock: 'q' }] : []), { type: 'kmalloc', allocator: 'mem', gfp: 'GFP_KERNEL|GFP_ATOMIC' }, { type: 'kmalloc', allocator: 'mem', gfp: 'GFP_KERNEL|GFP_ATOMIC' }],
          awaits: 'kmalloc.ok',
        },
      },
    ],
    resources: [
      { kind: 'allocator', name: 'mem', pressure: 'always', reserve: 2 },
      { kind: 'lock', name: 'q', flavour: 'spin' },
    ],
  });
  const WARNING = 'kmalloc on allocator mem: GFP_KERNEL|GFP_ATOMIC: GFP_ATOMIC must be used alone';

  it('GFP_KERNEL|GFP_ATOMIC is a sleeping allocation with __GFP_HIGH: it takes the reserve, completes, and earns the warning once for two calls', () => {
    const r = new Simulation(system(false)).run();
    expect(r.outcome).toBe('completed');
    expect(r.metrics['mem.reserveAllocs']).toBe(2);
    expect(r.warnings).toEqual([WARNING]);
  });

  it('under a spin lock it is a sleep-in-atomic violation (might_sleep applies: __GFP_WAIT), and the warning is still reported', () => {
    const r = new Simulation(system(true)).run();
    expect(r.outcome).toBe('violation');
    expect(r.violation!.message).toMatch(/calls kmalloc\(GFP_KERNEL\|GFP_ATOMIC\) on allocator mem in atomic context: holding spin lock q/);
    expect(r.warnings).toEqual([WARNING]);
  });

  it('a run without such a call has no warnings, and a clone keeps the ones seen so far', () => {
    expect(new Simulation(xSystem({ writes: 2, nrRequests: 2, gfp: 'GFP_NOIO', minNr: 1 })).run().warnings).toEqual([]);
    const sim = new Simulation(system(false));
    sim.pending();
    const copy = sim.clone();
    expect(copy.run().warnings).toEqual(sim.run().warnings);
  });
});
