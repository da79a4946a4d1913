import { performOn } from './buffer-cache-perform.js';
import { describe, it, expect } from 'vitest';
import type { Resource, SimClock } from '../../src/resources/resource.js';
import { Channel } from '../../src/resources/channel.js';
import { Pipe } from '../../src/resources/pipe.js';
import { AioRing } from '../../src/resources/aio-ring.js';
import { PageAllocator } from '../../src/resources/allocator.js';
import { Mempool } from '../../src/resources/mempool.js';
import { Lock } from '../../src/resources/lock.js';
import { Semaphore } from '../../src/resources/semaphore.js';
import { TicketCounter } from '../../src/resources/ticket-counter.js';
import { RequestQueue } from '../../src/resources/request-queue.js';
import type { GfpFlag } from '../../src/model/gfp.js';
import { BufferCache, type BufCacheEffect } from '../../src/resources/buffer-cache.js';
import { Prng } from '../../src/kernel/prng.js';
import { xorshift } from './xorshift.js';

/**
 * One kind under test: `make` builds it (and the resources it leans on, like
 * a mempool's allocator, each saved on its own), `drive` brings it to a state
 * with waiters, `mutate` changes everything it can, `next` performs the
 * operations whose results must be the same after a restore.
 */
interface Case<R extends Resource> {
  readonly kind: string;
  make(clock: SimClock): { readonly r: R; readonly also?: readonly Resource[] };
  drive(r: R, clock: SimClock): void;
  mutate(r: R, clock: SimClock): void;
  next(r: R, clock: SimClock): unknown[];
}

/** Everything a resource shows the kernel. */
function observe(r: Resource) {
  const waiters = r.waiters();
  return {
    fingerprint: r.fingerprint(),
    describe: r.describe(),
    waiters,
    releasers: waiters.map((w) => r.releasers(w)),
    metrics: r.metrics(),
    conservation: r.checkConservation(),
    level: r.level,
    capacity: r.capacity,
    history: r.history.slice(),
    maxLevel: r.maxLevel,
    // Counters no report shows (a mempool's eagainCount) are public fields: compare them too.
    state: r.save(),
  };
}

/** Plain data: only plain objects, arrays and primitives, all the way down. */
function expectPlain(value: unknown, path: string): void {
  expect(typeof value, path).not.toBe('function');
  if (value === null || typeof value !== 'object') return;
  const proto = Object.getPrototypeOf(value) as unknown;
  expect(proto === Object.prototype || proto === Array.prototype, `${path} is a plain object or array`).toBe(true);
  for (const [k, v] of Object.entries(value)) expectPlain(v, `${path}.${k}`);
}

const freshClock = (): SimClock => ({ now: 0, step: 0 });

function check<R extends Resource>(c: Case<R>): void {
  describe(`${c.kind}: save / restore`, () => {
    it('restores a state with waiters: the instance then behaves exactly like an untouched twin', () => {
      const clockA = freshClock();
      const a = c.make(clockA);
      c.drive(a.r, clockA);
      const clockT = freshClock();
      const twin = c.make(clockT);
      c.drive(twin.r, clockT);
      expect(a.r.waiters().length, 'drive leaves waiters').toBeGreaterThan(0);
      expect(observe(a.r)).toEqual(observe(twin.r));

      const saved = a.r.save();
      const savedAlso = (a.also ?? []).map((x) => x.save());
      expectPlain(saved, 'state');
      expect(saved.kind).toBe(a.r.kind);
      const text = JSON.stringify(saved);

      clockA.step += 7;
      clockA.now += 7;
      c.mutate(a.r, clockA);
      expect(a.r.fingerprint(), 'mutate changes the state').not.toBe(twin.r.fingerprint());
      expect(JSON.stringify(saved), 'later changes leave the saved state alone').toBe(text);

      // The clock is the kernel's, not the resource's: put it back by hand.
      Object.assign(clockA, clockT);
      a.r.restore(saved);
      (a.also ?? []).forEach((x, i) => x.restore(savedAlso[i]));
      expect(observe(a.r)).toEqual(observe(twin.r));
      expect(c.next(a.r, clockA)).toEqual(c.next(twin.r, clockT));
      expect(observe(a.r)).toEqual(observe(twin.r));
    });

    it('restores the same state again, and from a structured clone of it', () => {
      const clockA = freshClock();
      const a = c.make(clockA);
      c.drive(a.r, clockA);
      const saved = a.r.save();
      const savedAlso = (a.also ?? []).map((x) => x.save());
      const before = observe(a.r);
      const results: unknown[][] = [];
      const text = JSON.stringify(saved);
      // `saved` twice: a restore that adopted its arrays would let the first round's operations change it.
      for (const state of [saved, saved, structuredClone(saved), JSON.parse(text) as typeof saved]) {
        clockA.step = 0;
        clockA.now = 0;
        a.r.restore(state);
        (a.also ?? []).forEach((x, i) => x.restore(structuredClone(savedAlso[i])));
        expect(observe(a.r)).toEqual(before);
        // `next` moves the state on, so each round restores from a changed instance.
        results.push(c.next(a.r, clockA));
      }
      for (const r of results.slice(1)) expect(r).toEqual(results[0]);
      expect(JSON.stringify(saved)).toBe(text);
    });

    it('refuses a state saved by another resource', () => {
      const clock = freshClock();
      const other = new Lock({ name: 'someone-else', flavour: 'sleep' }, clock);
      expect(() => c.make(clock).r.restore(other.save())).toThrow(/cannot restore a state saved by lock someone-else/);
    });
  });
}

// ------------------------------------------------------------------ the kinds

type Item = { readonly bio: string; readonly n: number };
const item = (n: number): Item => ({ bio: `guest#${n}`, n });

check<Channel<Item>>({
  kind: 'channel',
  make: (clock) => ({ r: new Channel<Item>({ name: 'q', capacity: 2 }, clock) }),
  drive(q, clock) {
    q.put('w1', item(1), { wait: true });
    q.put('w1', item(2), { wait: true });
    clock.step = 3;
    q.put('w2', item(3), { wait: true });
    clock.step = 4;
    q.put('w3', item(4), { wait: true, front: true });
    q.put('w4', item(5), { wait: false });
  },
  mutate(q) {
    q.get('r1', { wait: true });
    q.get('r2', { wait: true });
    q.get('r1', { wait: true });
    q.get('r1', { wait: true });
    q.get('r9', { wait: true });
    // Every counter moves too: full again, a blocked put, an EAGAIN.
    q.put('w5', item(6), { wait: true });
    q.put('w5', item(7), { wait: true });
    q.put('w5', item(8), { wait: true });
    q.put('w6', item(9), { wait: true });
    q.put('w7', item(10), { wait: false });
  },
  next: (q) => [q.get('r1', { wait: true }), q.put('w5', item(6), { wait: true }), q.get('r2', { wait: true }), q.get('r2', { wait: true }), q.get('r2', { wait: true }), q.peekAll()],
});

check<Pipe<Item>>({
  kind: 'pipe (readers parked on an empty pipe)',
  make: (clock) => ({ r: new Pipe<Item>({ name: 'aio->ubd', capacity: 1 }, clock) }),
  drive(p, clock) {
    p.put('aio', item(1), { wait: true });
    p.get('irq', { wait: true });
    clock.step = 2;
    p.get('irq', { wait: true });
    p.get('irq2', { wait: true });
  },
  mutate(p) {
    p.put('aio', item(2), { wait: true });
    p.put('aio', item(3), { wait: true });
    p.put('aio', item(4), { wait: true });
    p.put('aio2', item(5), { wait: false });
  },
  next: (p) => [p.readable, p.put('aio', item(5), { wait: true }), p.put('aio', item(6), { wait: true }), p.readable, p.get('x', { wait: false })],
});

check<AioRing<{ id: string }>>({
  kind: 'aio-ring',
  make: (clock) => ({ r: new AioRing<{ id: string }>({ name: 'ring', nrEvents: 3 }, clock) }),
  drive(ring, clock) {
    ring.submit('ubd', { id: 'a' });
    ring.submit('ubd', { id: 'b' });
    ring.submit('ubd', { id: 'c' });
    ring.submit('ubd', { id: 'd' });
    ring.complete('a', 512);
    clock.step = 2;
    ring.getevents('aio', { min: 2, max: 2, wait: true });
    ring.getevents('aio2', { min: 1, max: 1, wait: true });
  },
  mutate(ring) {
    ring.complete('b', 512);
    ring.complete('c', -5);
    for (const id of ['e', 'f', 'g', 'h']) ring.submit('other', { id });
    ring.complete('e', 0);
  },
  next: (ring) => [
    ring.complete('b', 1),
    ring.complete('c', 2),
    ring.submittedNotCompleted,
    ring.completedNotReaped,
    // Nothing pending: only a submitter (one seen so far) can help this reaper.
    ring.getevents('late', { min: 3, max: 3, wait: true }),
    ring.releasers(ring.waiters()[0]),
    ring.submit('ubd', { id: 'f' }),
  ],
});

const KERNEL: ReadonlySet<GfpFlag> = new Set(['__GFP_WAIT', '__GFP_IO', '__GFP_FS']);
const allocatorCase = (pressure: { failP: number } | 'always'): Case<PageAllocator> => ({
  kind: `allocator (pressure ${typeof pressure === 'object' ? `failP ${pressure.failP}` : pressure})`,
  // A limit above what is out, so every attempt draws from the stream (at the limit none does).
  make: (clock) => ({ r: new PageAllocator({ name: 'kmalloc', pressure, limit: 8, reserve: 2 }, clock, new Prng(42)) }),
  drive(slab, clock) {
    for (let i = 0; i < 3; i++) slab.tryAlloc('boot', { ignorePressure: true });
    for (let i = 0; i < 6; i++) {
      clock.step = i;
      if (slab.tryAlloc(`t${i}`, { high: true }) === undefined) slab.congestionWait(`t${i}`, 'GFP_KERNEL', KERNEL, 10 + i);
    }
  },
  mutate(slab) {
    for (const [element] of slab.save().out) slab.free(element);
    for (let i = 0; i < 5; i++) slab.tryAlloc('u');
    slab.withdraw('t0');
    slab.congestionWait('m', 'GFP_NOIO', new Set(['__GFP_WAIT']), 20);
  },
  // Draws from the seeded stream: the same answers only if its position was restored too.
  next: (slab) => [slab.free('kmalloc#1'), slab.free('kmalloc#2'), ...Array.from({ length: 12 }, () => slab.tryAlloc('u', { high: true }) ?? null), slab.withdraw('t1'), slab.describe()],
});
check(allocatorCase({ failP: 0.5 }));
check(allocatorCase('always'));

check<PageAllocator>({
  kind: 'allocator (exhausted except dirty pages on X)',
  make: (clock) => ({ r: new PageAllocator({ name: 'mem', pressure: 'always', reserve: 1, exhausted: { dirtyOn: [{ device: 'X', writeback: ['xq'] }, { device: 'S', writeback: ['swapd'], pages: 'swap' }] } }, clock, new Prng(3)) }),
  drive(mem, clock) {
    mem.tryAlloc('a', { high: true });
    for (let i = 0; i < 3; i++) {
      clock.step = i;
      mem.congestionWait(`t${i}`, i === 0 ? 'GFP_NOIO' : i === 1 ? 'GFP_NOFS' : 'GFP_KERNEL', i === 0 ? new Set(['__GFP_WAIT']) : i === 1 ? new Set(['__GFP_WAIT', '__GFP_IO']) : KERNEL, 5 + i);
    }
  },
  mutate(mem) {
    for (const [element] of mem.save().out) mem.free(element);
    mem.withdraw('t2');
    mem.tryAlloc('b', { high: true });
  },
  next: (mem) => [mem.tryAlloc('c', { high: true }) ?? null, mem.withdraw('t0'), mem.releasers({ ctx: 't1', what: 'memory', since: 1 })],
});

check<RequestQueue>({
  kind: 'request-queue',
  make: (clock) => ({ r: new RequestQueue({ name: 'X.rq', nrRequests: 3, completedBy: ['xq'] }, clock) }),
  drive(q, clock) {
    for (let i = 0; i < 3; i++) q.get(`w${i}`, { wait: true });
    clock.step = 4;
    q.get('late', { wait: true });
    q.sleepForWriteback('reclaimer', 'X');
  },
  mutate(q) {
    q.put('xq');
    q.put('xq');
  },
  next: (q) => [q.get('n', { wait: false }), q.put('xq'), q.congested, q.full],
});

check<Mempool>({
  kind: 'mempool',
  make(clock) {
    const backing = new PageAllocator({ name: 'slab', pressure: { failP: 0.7 }, limit: 6 }, clock, new Prng(7));
    return { r: new Mempool({ name: 'bios', minNr: 2, backing }, clock), also: [backing] };
  },
  drive(pool, clock) {
    for (let i = 0; i < 6; i++) {
      clock.step = i;
      pool.alloc(`t${i}`, i % 2 === 0 ? 'GFP_NOIO' : 'GFP_ATOMIC');
    }
  },
  mutate(pool) {
    // The frees refill the reserve (waking the sleepers, who re-test later) and then go back to the slab.
    for (const [element, ctx] of pool.save().out) pool.free(ctx, element);
    // The reserve is full again; drain it (reserve allocations, then EAGAIN) and give one back.
    for (const ctx of ['x', 'y', 'z', 'v', 'w']) pool.alloc(ctx, 'GFP_ATOMIC');
    const [element, ctx] = pool.save().out.at(-1)!;
    pool.free(ctx, element);
  },
  next(pool) {
    const out = pool.save().out;
    return [...out.map(([element, ctx]) => pool.free(ctx, element)), pool.alloc('y', 'GFP_NOIO'), pool.alloc('z', 'GFP_NOIO'), pool.holders(), pool.reserveLevel];
  },
});

check<Lock>({
  kind: 'lock',
  make: (clock) => ({ r: new Lock({ name: 'ubd_io_lock', flavour: 'spin' }, clock) }),
  drive(lock, clock) {
    lock.acquire('a', { wait: true });
    clock.step = 1;
    lock.acquire('b', { wait: true });
    clock.step = 2;
    lock.acquire('c', { wait: true });
    lock.acquire('d', { wait: false });
  },
  mutate(lock) {
    lock.release('a');
    lock.release('b');
    lock.acquire('e', { wait: true });
  },
  next: (lock) => [lock.release('a'), lock.owner, lock.acquire('a', { wait: true }), lock.release('b'), lock.release('c'), lock.owner],
});

check<Semaphore>({
  kind: 'semaphore',
  make: (clock) => ({ r: new Semaphore({ name: 'emergency', count: 1 }, clock) }),
  drive(sem, clock) {
    sem.down('submit', { wait: true });
    clock.step = 1;
    sem.down('p1', { wait: true });
    sem.down('p2', { wait: true });
    sem.down('p3', { wait: false });
  },
  mutate(sem) {
    sem.up('irq');
    sem.up('irq');
    sem.up('irq');
    sem.up('irq');
    for (const ctx of ['q1', 'q2', 'q3']) sem.down(ctx, { wait: true });
    sem.up('irq');
    sem.up('irq');
  },
  next: (sem) => [sem.up('irq'), sem.holders(), sem.count, sem.up('p1'), sem.up('irq'), sem.count, sem.down('q', { wait: true })],
});

check<TicketCounter>({
  kind: 'ticket counter',
  make: (clock) => ({ r: new TicketCounter({ name: 'seq' }, clock) }),
  drive(seq, clock) {
    const t = ['a', 'b', 'c', 'd'].map((ctx) => [ctx, seq.take(ctx)] as const);
    seq.take('a'); // a abandons ticket 0
    for (const [ctx, ticket] of t.slice(1)) {
      clock.step++;
      seq.waitFor(ctx, ticket, { wait: true });
    }
    seq.waitFor('e', 9, { wait: true });
  },
  mutate(seq) {
    seq.advance('a', 3);
    seq.take('b');
    seq.waitFor('z', 99, { wait: true });
  },
  next: (seq) => [seq.advance('x'), seq.value, seq.taken, seq.waitFor('f', 2, { wait: true }), seq.advance('b', 2), seq.take('c')],
});

check<TicketCounter>({
  kind: 'ticket counter (no tickets taken: releasers are the advancers seen so far)',
  make: (clock) => ({ r: new TicketCounter({ name: 'submitted', value: 1 }, clock) }),
  drive(seq, clock) {
    seq.advance('irq');
    clock.step = 1;
    seq.waitFor('a', 4, { wait: true });
    seq.waitFor('b', 3, { wait: true });
  },
  mutate(seq) {
    seq.advance('other');
  },
  next: (seq) => [seq.advance('irq'), seq.waitFor('c', 9, { wait: true }), seq.value],
});

const C = 'bufcache';
/** An effect without its cache (every call here is on the one cache). */
type Op = BufCacheEffect extends infer E ? (E extends unknown ? Omit<E, 'cache'> : never) : never;
const perform = (cache: BufferCache, ctx: string, e: Op) => performOn(cache, ctx, { ...e, cache: C } as BufCacheEffect);
check<BufferCache>({
  kind: 'buffer cache',
  make: (clock) => ({
    r: new BufferCache(
      {
        name: C,
        hiwater: 2,
        memory: 3,
        buffers: [
          { vnode: 'vnd0', blkno: 1, dirty: true },
          { vnode: 'L', blkno: 0, dirty: false },
        ],
      },
      clock,
    ),
  }),
  drive(cache, clock) {
    perform(cache, 'P', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    perform(cache, 'P', { type: 'bufMalloc', buf: 'F0:ind0' });
    perform(cache, 'P', { type: 'bufio', buf: 'F0:ind0', op: 'read' });
    perform(cache, 'P', { type: 'bufHandoff', buf: 'F0:ind0', via: ['disk', 'irq'] });
    clock.step = 1;
    perform(cache, 'P', { type: 'biowait', buf: 'F0:ind0' });
    perform(cache, 'V', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    perform(cache, 'S', { type: 'vflushbuf', vnode: 'vnd0' });
    perform(cache, 'T', { type: 'getnewbuf', wait: false });
    clock.step = 2;
    perform(cache, 'U', { type: 'getnewbuf', wait: true });
    perform(cache, 'W', { type: 'needbuffer', gen: 1 });
  },
  mutate(cache) {
    perform(cache, 'disk', { type: 'biodone', buf: 'F0:ind0' });
    perform(cache, 'P', { type: 'brelse', buf: 'F0:ind0', delwri: true });
    // brelse woke V (B_WANTED) to re-run getblk: it takes the buffer now.
    perform(cache, 'V', { type: 'getblk', vnode: 'F0', blkno: 'ind0' });
    perform(cache, 'S', { type: 'brelse', buf: 'vnd0:1' });
    // Through getnewbuf as B_DELWRI and back: B_AGE puts it on the AGE queue.
    perform(cache, 'G', { type: 'getnewbuf', wait: false });
    perform(cache, 'G', { type: 'brelse', buf: 'vnd0:1' });
    perform(cache, 'V', { type: 'brelse', buf: 'F0:ind0' });
  },
  next: (cache) => [
    perform(cache, 'irq', { type: 'biodone', buf: 'F0:ind0' }),
    perform(cache, 'P', { type: 'brelse', buf: 'F0:ind0', ack: true }),
    perform(cache, 'S', { type: 'bufio', buf: 'vnd0:1', op: 'write' }),
    perform(cache, 'S', { type: 'biodone', buf: 'vnd0:1' }),
    perform(cache, 'X', { type: 'getnewbuf', wait: false }),
  ],
});

// ------------------------------------------------------------------ the random stream

describe('allocator: the failure stream position is part of the state', () => {
  it('a Prng restored to a saved position repeats what followed, and a seeded allocator draws as before', () => {
    const rng = new Prng(5);
    rng.next();
    const at = rng.save();
    const after = [rng.next(), rng.next(), rng.next()];
    rng.restore(at);
    expect([rng.next(), rng.next(), rng.next()]).toEqual(after);
    // Handing the allocator the Prng draws the same numbers a closure over it did.
    const a = new PageAllocator({ name: 'k', pressure: { failP: 0.5 } }, freshClock(), new Prng(9));
    const viaClosure = new Prng(9);
    const b = new PageAllocator({ name: 'k', pressure: { failP: 0.5 } }, freshClock(), () => viaClosure.next());
    expect(Array.from({ length: 30 }, () => a.tryAlloc('u'))).toEqual(Array.from({ length: 30 }, () => b.tryAlloc('u')));
  });

  it('a bare function stream cannot be saved under failP pressure, and need not be without it', () => {
    const clock = freshClock();
    const random = new PageAllocator({ name: 'k', pressure: { failP: 0.5 } }, clock, xorshift(1));
    expect(() => random.save()).toThrow(/allocator k: cannot save its state: pressure failP draws from a bare function/);
    const none = new PageAllocator({ name: 'k', pressure: 'none' }, clock, xorshift(1));
    none.tryAlloc('u');
    expect(none.save().rng).toBeNull();
  });

  it("a mempool saves only its own state, not its backing allocator's", () => {
    const clock = freshClock();
    const backing = new PageAllocator({ name: 'slab', pressure: 'none' }, clock, new Prng(1));
    const pool = new Mempool({ name: 'bios', minNr: 2, backing }, clock);
    pool.alloc('u', 'GFP_NOIO');
    const state = pool.save();
    expect(Object.keys(state).sort()).toEqual(['allocsBlocked', 'eagainCount', 'futileWakeups', 'history', 'kind', 'longestWait', 'maxLevel', 'name', 'out', 'reserve', 'reserveAllocs', 'sleepingSince', 'timeouts', 'waiting']);
    const backingBefore = backing.fingerprint();
    pool.alloc('v', 'GFP_NOIO');
    pool.restore(state);
    expect(backing.fingerprint()).not.toBe(backingBefore);
  });
});
