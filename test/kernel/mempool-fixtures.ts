/**
 * Test-only machines and systems around one mempool: callers that allocate
 * at a chosen instant, hold the element for a while and free it, and a
 * memory hog that takes whatever the page allocator has. Nothing here is a
 * storage layer; each system exists to make one mempool rule observable.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import type { Effect, Gfp, KernelEvent, MempoolVersionName, Simulation, SystemSpec } from '../../src/index.js';
import { expect } from 'vitest';

interface PoolUserInput {
  readonly pool: string;
  readonly gfp: Gfp;
  readonly bio: string;
  /** Ticks before its mempool_alloc (0: at boot). */
  readonly start: number;
  /** Ticks it holds the element before mempool_free. */
  readonly hold: number;
}

/** Submits its bio, mempool_alloc at `start`, holds the element `hold` ticks, frees it and completes the bio. */
export const poolUser = setup({
  types: {} as { context: PoolUserInput & { element: string | null }; input: PoolUserInput; events: KernelEvent; emitted: Effect },
  guards: { startsAtBoot: ({ context }) => context.start === 0 },
  delays: { start: ({ context }) => context.start, hold: ({ context }) => context.hold },
  actions: {
    submit: emit(({ context }) => ({ type: 'bioSubmit' as const, bio: context.bio })),
    allocate: emit(({ context }) => ({ type: 'alloc' as const, pool: context.pool, gfp: context.gfp })),
    keep: assign({ element: ({ event }) => (event.type === 'alloc.ok' ? event.element : null) }),
    release: enqueueActions(({ context, enqueue }) => {
      if (context.element !== null) enqueue.emit({ type: 'free', pool: context.pool, element: context.element });
      enqueue.emit({ type: 'bioComplete', bio: context.bio });
    }),
  },
}).createMachine({
  id: 'pool-user',
  context: ({ input }) => ({ ...input, element: null }),
  initial: 'starting',
  states: {
    starting: { always: [{ guard: 'startsAtBoot', target: 'allocating' }, { target: 'waitingToStart' }] },
    waitingToStart: { entry: 'submit', after: { start: 'allocating' } },
    allocating: {
      tags: ['blocked'],
      entry: enqueueActions(({ context, enqueue }) => {
        if (context.start === 0) enqueue('submit');
        enqueue('allocate');
      }),
      on: { 'alloc.ok': { target: 'holding', actions: 'keep' }, 'alloc.fail': { target: 'done', actions: 'release' } },
    },
    holding: { after: { hold: { target: 'done', actions: 'release' } } },
    done: { type: 'final' },
  },
});

/** At `start`, kmalloc(GFP_ATOMIC) on `allocator`, keeping whatever it gets for good: memory someone else takes. */
export const hog = setup({
  types: {} as { context: { allocator: string; start: number }; input: { allocator: string; start: number }; events: KernelEvent; emitted: Effect },
  delays: { start: ({ context }) => context.start },
}).createMachine({
  id: 'memory-hog',
  context: ({ input }) => input,
  initial: 'waiting',
  states: {
    waiting: { tags: ['idle'], after: { start: 'grabbing' } },
    grabbing: {
      entry: emit(({ context }) => ({ type: 'kmalloc' as const, allocator: context.allocator, gfp: 'GFP_ATOMIC' as const })),
      on: { 'kmalloc.ok': 'done', 'kmalloc.fail': 'done' },
    },
    done: { type: 'final' },
  },
});

/** A pool user context, for brevity. */
export function user(name: string, pool: string, o: { start: number; hold: number; gfp?: Gfp }): SystemSpec['contexts'][number] {
  return { name, kind: 'thread', machine: poolUser, input: { pool, gfp: o.gfp ?? 'GFP_NOIO', bio: `${name}#1`, start: o.start, hold: o.hold } };
}

/**
 * min_nr = 0 with a sleeper whose element is freed: `holder` takes the page
 * allocator's only page (limit 1) through pool `zero` at boot; `waiter`
 * finds nothing at t=1 and sleeps; `holder` frees at t=2 — a zero-minimum
 * pool gives it back to the allocator (no wake-up) unless the fix puts it
 * into the empty pool and wakes the sleeper — and at t=3 `hog` takes
 * whatever page the allocator has. Linux HZ 250: 5*HZ is 1250 ticks.
 */
export function zeroMinPool(version: MempoolVersionName): SystemSpec {
  return {
    cpus: [],
    contexts: [user('holder', 'zero', { start: 0, hold: 2 }), user('waiter', 'zero', { start: 1, hold: 1 }), { name: 'hog', kind: 'thread', machine: hog, input: { allocator: 'slab', start: 3 } }],
    resources: [
      { kind: 'allocator', name: 'slab', pressure: 'none', limit: 1 },
      { kind: 'mempool', name: 'zero', minNr: 0, backing: 'slab', version },
    ],
    kernel: { personality: 'linux' },
  };
}

/**
 * A one-element reserve under permanent memory pressure: `holder` takes the
 * reserve element at boot and frees it at t=2; the other users start when
 * told (a sleeper at t=1 finds the pool empty).
 */
export function onePool(version: MempoolVersionName, others: readonly SystemSpec['contexts'][number][]): SystemSpec {
  return {
    cpus: [],
    contexts: [user('holder', 'pool', { start: 0, hold: 2 }), ...others],
    resources: [
      { kind: 'allocator', name: 'slab', pressure: 'always' },
      { kind: 'mempool', name: 'pool', minNr: 1, backing: 'slab', version },
    ],
    kernel: { personality: 'linux' },
  };
}

/** Deliver the pending candidate whose label starts with `prefix` (a context's timer, retry, reply...). */
export function stepTo(sim: Simulation, prefix: string): void {
  const labels = sim.pending().map((c) => c.label);
  const i = labels.findIndex((l) => l.startsWith(prefix));
  expect(i, `no pending ${prefix}* among ${labels.join(', ')}`).toBeGreaterThanOrEqual(0);
  sim.step(i);
}

/** The context `name` of `sim`, as the kernel keeps it (its parked operation, its pending retry). */
export function ctxOf(sim: Simulation, name: string): Simulation['contexts'][number] {
  const c = sim.contexts.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no context ${name}`);
  return c;
}
