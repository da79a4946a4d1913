/**
 * The sleep-in-atomic invariant is a kernel check on every call, not a flag a
 * scenario sets: small test-only machines make each rule observable.
 */
import { describe, expect, it } from 'vitest';
import { IPL_BIO, IPL_HIGH, Simulation, type ContextSpec, type Effect, type ResourceSpec, type SystemSpec } from '../../src/index.js';
import { scripted, scriptedHandler, splHolder, ticker } from './fixtures.js';

const KMALLOC: Effect = { type: 'kmalloc', allocator: 'kmalloc', gfp: 'GFP_KERNEL' };

/** One thread on cpu0 running `effects`, then waiting for `awaits`; allocator `kmalloc` has no pressure unless told. */
function thread(effects: Effect[], awaits: string, then: Effect[] = [], resources: ResourceSpec[] = [], extra: ContextSpec[] = []): SystemSpec {
  const kmalloc: ResourceSpec[] = resources.some((r) => r.name === 'kmalloc') ? [] : [{ kind: 'allocator', name: 'kmalloc', pressure: 'none' }];
  return {
    cpus: [{ name: 'cpu0' }],
    contexts: [{ name: 't', kind: 'thread', cpu: 'cpu0', machine: scripted, input: { effects, awaits, then } }, ...extra],
    resources: [...kmalloc, ...resources],
  };
}

function run(system: SystemSpec) {
  return new Simulation(system).run();
}

describe('sleep-in-atomic: a call that may sleep, made in atomic context', () => {
  it('kmalloc(GFP_KERNEL) from an interrupt handler is a violation naming the call, the handler and why it is atomic', () => {
    const system: SystemSpec = {
      cpus: [{ name: 'cpu0' }],
      contexts: [
        // Raises the interrupt with the CPU at level 0: the handler runs at once.
        { name: 'raiser', kind: 'thread', cpu: 'cpu0', machine: splHolder, input: { level: 0, hold: 1 } },
        { name: 'irq', kind: 'irq', cpu: 'cpu0', irq: { level: IPL_BIO }, machine: scriptedHandler, input: { effects: [KMALLOC], awaits: 'kmalloc.ok' } },
      ],
      resources: [{ kind: 'allocator', name: 'kmalloc', pressure: 'none' }],
    };
    const r = run(system);
    expect(r.outcome).toBe('violation');
    expect(r.violation).toMatchObject({ invariant: 'sleep-in-atomic', contexts: ['irq'] });
    expect(r.explanation).toMatch(/^violation of sleep-in-atomic at step \d+: irq \(irq, in scripted-handler handling\) calls kmalloc\(GFP_KERNEL\) on allocator kmalloc in atomic context: in an interrupt handler \(level 5\)/);
  });

  it('is flagged even when the call would not block: memory is plentiful (pressure none)', () => {
    const r = run(thread([{ type: 'spl', level: IPL_HIGH }, KMALLOC], 'kmalloc.ok'));
    expect(r.outcome).toBe('violation');
    expect(r.violation!.message).toMatch(/t \(thread, in scripted calling\) calls kmalloc\(GFP_KERNEL\) on allocator kmalloc in atomic context: interrupts off \(ipl 7\); .*even when it happens not to block/);
  });

  it('kmalloc(GFP_KERNEL) from a thread with interrupts on and no spin lock is legal', () => {
    const r = run(thread([{ type: 'bioSubmit', bio: 't#1' }, KMALLOC], 'kmalloc.ok', [{ type: 'bioComplete', bio: 't#1' }]));
    expect(r.outcome).toBe('completed');
  });

  it('kmalloc(GFP_KERNEL) under a spin lock is flagged, naming the lock (interrupts on)', () => {
    const r = run(thread([{ type: 'lock', lock: 'q' }, KMALLOC], 'kmalloc.ok', [], [{ kind: 'lock', name: 'q', flavour: 'spin' }]));
    expect(r.outcome).toBe('violation');
    expect(r.violation!.message).toMatch(/calls kmalloc\(GFP_KERNEL\) on allocator kmalloc in atomic context: holding spin lock q;/);
  });

  it('after the spin lock is released and interrupts are back on, the same call is legal', () => {
    const r = run(
      thread(
        [{ type: 'bioSubmit', bio: 't#1' }, { type: 'spl', level: IPL_HIGH }, { type: 'lock', lock: 'q' }, { type: 'unlock', lock: 'q' }, { type: 'spl', level: 0 }, KMALLOC],
        'kmalloc.ok',
        [{ type: 'bioComplete', bio: 't#1' }],
        [{ kind: 'lock', name: 'q', flavour: 'spin' }],
      ),
    );
    expect(r.outcome).toBe('completed');
  });

  it('a host blocking write with interrupts off is not a guest sleep: not flagged (it stalls the CPU instead)', () => {
    // The pipe (capacity 1) is filled by the host thread's first write; its only reader is the host thread.
    const system: SystemSpec = {
      cpus: [{ name: 'cpu0' }],
      contexts: [
        {
          name: 't',
          kind: 'thread',
          cpu: 'cpu0',
          machine: scripted,
          input: {
            effects: [{ type: 'bioSubmit', bio: 't#1' }, { type: 'spl', level: IPL_HIGH }, { type: 'put', chan: 'p', item: 'x', ack: true, host: true }],
            awaits: 'put.ok',
            then: [{ type: 'spl', level: 0 }, { type: 'bioComplete', bio: 't#1' }],
          },
        },
        { name: 'host', kind: 'host-thread', machine: scripted, input: { effects: [{ type: 'get', chan: 'p', host: true }], awaits: 'get.ok' } },
      ],
      resources: [{ kind: 'pipe', name: 'p', capacity: 1, readers: ['host'], writers: ['t'] }],
    };
    const full: SystemSpec = { ...system, contexts: [{ name: 'filler', kind: 'host-thread', machine: scripted, input: { effects: [{ type: 'put', chan: 'p', item: 'first', ack: true }], awaits: 'put.ok' } }, ...system.contexts] };
    const r = run(full);
    expect(r.outcome).toBe('completed');
    expect(r.violation).toBeUndefined();
    // It really blocked in the host write with interrupts off.
    expect(r.metrics['p.putsBlocked']).toBe(1);
  });

  it('every guest sleeping primitive is flagged with interrupts off; non-sleeping variants of each are not', () => {
    const resources: ResourceSpec[] = [
      { kind: 'allocator', name: 'slab', pressure: 'none' },
      { kind: 'mempool', name: 'pool', minNr: 1, backing: 'slab' },
      { kind: 'semaphore', name: 'sem', count: 1 },
      { kind: 'lock', name: 'sleepy', flavour: 'sleep' },
      { kind: 'lock', name: 'spinny', flavour: 'spin' },
      { kind: 'counter', name: 'ctr', value: 1 },
      { kind: 'channel', name: 'bounded', capacity: 4 },
      { kind: 'channel', name: 'list', capacity: Infinity },
    ];
    const sleeping: [Effect, string, RegExp][] = [
      [{ type: 'alloc', pool: 'pool', gfp: 'GFP_NOIO' }, 'alloc.ok', /mempool_alloc\(pool, GFP_NOIO\)/],
      [{ type: 'down', sem: 'sem' }, 'down.ok', /down\(sem\)/],
      [{ type: 'lock', lock: 'sleepy' }, 'lock.ok', /a sleep lock \(sleepy\)/],
      [{ type: 'ticketWait', counter: 'ctr', ticket: 1 }, 'ticketWait.ok', /a wait for ticket 1 on ctr/],
      [{ type: 'put', chan: 'bounded', item: 1, ack: true }, 'put.ok', /a blocking put on bounded/],
      [{ type: 'get', chan: 'list' }, 'get.ok', /a blocking get on list/],
    ];
    for (const [call, awaits, words] of sleeping) {
      const r = run(thread([{ type: 'spl', level: IPL_HIGH }, call], awaits, [], resources));
      expect(r.outcome, call.type).toBe('violation');
      expect(r.violation!.message).toMatch(words);
    }
    const fine: [Effect, string][] = [
      [{ type: 'kmalloc', allocator: 'slab', gfp: 'GFP_ATOMIC' }, 'kmalloc.ok'],
      [{ type: 'alloc', pool: 'pool', gfp: 'GFP_ATOMIC' }, 'alloc.ok'],
      [{ type: 'down', sem: 'sem', wait: false }, 'down.ok'],
      [{ type: 'lock', lock: 'spinny' }, 'lock.ok'],
      [{ type: 'lock', lock: 'sleepy', wait: false }, 'lock.ok'],
      [{ type: 'put', chan: 'bounded', item: 1, wait: false }, 'put.ok'],
      // list_add on an unbounded queue cannot block (blk_requeue_request under the queue lock).
      [{ type: 'put', chan: 'list', item: 1, ack: true }, 'put.ok'],
      [{ type: 'ticketTake', counter: 'ctr' }, 'ticketTake.ok'],
    ];
    for (const [call, awaits] of fine) {
      const r = run(thread([{ type: 'bioSubmit', bio: 't#1' }, { type: 'spl', level: IPL_HIGH }, call], awaits, [{ type: 'spl', level: 0 }, { type: 'bioComplete', bio: 't#1' }], resources));
      expect(r.outcome, JSON.stringify(call)).toBe('completed');
    }
  });
});

describe('kmalloc(GFP_KERNEL) that nobody ever refills (docs/kernel.md)', () => {
  const never: ResourceSpec[] = [{ kind: 'allocator', name: 'kmalloc', pressure: 'always' }];

  it('loops in reclaim with a timed congestion_wait (__alloc_pages): never a cycle nor an orphaned wait, even in a quiet system, but no-progress', () => {
    const r = new Simulation(thread([{ type: 'bioSubmit', bio: 't#1' }, KMALLOC], 'kmalloc.ok', [], never), { noProgressSteps: 200 }).run();
    expect(r.outcome).toBe('no-progress');
    expect(r.deadlock).toBeUndefined();
    expect(r.metrics['kmalloc.sleeps']).toBeGreaterThan(200);
  });

  it('while unrelated timers keep firing, it is no-progress instead', () => {
    const system = thread([{ type: 'bioSubmit', bio: 't#1' }, KMALLOC], 'kmalloc.ok', [], never, [{ name: 'tick', kind: 'thread', machine: ticker, input: { period: 1 } }]);
    const r = new Simulation(system, { noProgressSteps: 200 }).run();
    expect(r.outcome).toBe('no-progress');
  });

  it('a kfree wakes nobody: the caller in congestion_wait finds the memory on its next round, HZ/50 later, and gets kmalloc.ok', () => {
    const system: SystemSpec = {
      cpus: [{ name: 'cpu0' }],
      contexts: [
        { name: 'holder', kind: 'thread', cpu: 'cpu0', machine: scripted, input: { effects: [{ type: 'kmalloc', allocator: 'k', gfp: 'GFP_ATOMIC' }], awaits: 'kmalloc.ok', then: [] } },
        { name: 't', kind: 'thread', cpu: 'cpu0', machine: scripted, input: { effects: [{ type: 'bioSubmit', bio: 't#1' }, { type: 'kmalloc', allocator: 'k', gfp: 'GFP_KERNEL' }], awaits: 'kmalloc.ok', then: [{ type: 'bioComplete', bio: 't#1' }] } },
        { name: 'freer', kind: 'thread', cpu: 'cpu0', machine: scripted, input: { effects: [{ type: 'kfree', allocator: 'k', element: 'k#1' }], awaits: 'never' } },
      ],
      resources: [{ kind: 'allocator', name: 'k', pressure: 'none', limit: 1 }],
    };
    const r = new Simulation(system, { recordTrace: true }).run();
    expect(r.outcome).toBe('completed');
    expect(r.metrics['k.sleeps']).toBe(1);
    expect(r.resources.k).toBe('allocator k (1/1 out, pressure none)');
    // Linux HZ 250: congestion_wait(HZ/50) is 5 ticks; the kfree at time 0 did not shorten it.
    const got = r.trace!.find((s) => s.ctx === 't' && s.effects.some((e) => e.effect === 'kmalloc' && e.status === 'ok'))!;
    expect(got.time).toBe(5);
  });
});
