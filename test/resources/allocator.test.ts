import { describe, it, expect } from 'vitest';
import { PageAllocator, type MemoryPressure } from '../../src/resources/allocator.js';
import { parseGfp } from '../../src/model/gfp.js';
import type { SimClock } from '../../src/resources/resource.js';
import { xorshift } from './xorshift.js';

function make(pressure: MemoryPressure, limit?: number, seed = 7) {
  const clock: SimClock = { now: 0, step: 0 };
  return new PageAllocator({ name: 'kmalloc', pressure, limit }, clock, xorshift(seed));
}

describe('PageAllocator', () => {
  it('names elements by allocator and sequence', () => {
    const slab = make('none');
    expect(slab.tryAlloc('u')).toBe('kmalloc#1');
    expect(slab.tryAlloc('u')).toBe('kmalloc#2');
    expect(slab.level).toBe(2);
  });

  it('never fails without pressure, up to its limit', () => {
    const slab = make('none', 2);
    expect(slab.tryAlloc('u')).toBeDefined();
    expect(slab.tryAlloc('u')).toBeDefined();
    expect(slab.tryAlloc('u')).toBeUndefined();
    expect(slab.failCount).toBe(1);
    expect(slab.capacity).toBe(2);
  });

  it('under constant pressure every attempt fails, unless pressure is ignored at boot', () => {
    const slab = make('always');
    expect(slab.tryAlloc('u')).toBeUndefined();
    expect(slab.tryAlloc('boot', { ignorePressure: true })).toBe('kmalloc#1');
  });

  it('probabilistic pressure fails as the seeded stream says, reproducibly', () => {
    const run = () => {
      const slab = make({ failP: 0.5 }, undefined, 42);
      return Array.from({ length: 20 }, () => slab.tryAlloc('u') !== undefined);
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);
  });

  it('a free makes room under the limit again', () => {
    const slab = make('none', 1);
    const e = slab.tryAlloc('u') as string;
    slab.free(e);
    expect(slab.level).toBe(0);
    expect(slab.tryAlloc('u')).toBe('kmalloc#2');
  });

  it('freeing an element it did not hand out throws, naming the allocator', () => {
    const slab = make('none');
    expect(() => slab.free('kmalloc#9')).toThrow(/allocator kmalloc: free of kmalloc#9/);
    const e = slab.tryAlloc('u') as string;
    slab.free(e);
    expect(() => slab.free(e)).toThrow(/already freed/);
  });

  it('rejects a negative limit and a failP outside [0, 1]', () => {
    expect(() => make('none', -1)).toThrow(/allocator kmalloc: limit/);
    expect(() => make({ failP: 1.5 })).toThrow(/allocator kmalloc: pressure\.failP/);
  });

  it('anyone may refill it, so it never closes a cycle', () => {
    expect(make('always').releasers({ ctx: 'u', what: 'element', since: 0 })).toBe('anyone');
  });

  it('describes itself with its pressure', () => {
    const slab = make({ failP: 0.3 }, 8);
    slab.tryAlloc('boot', { ignorePressure: true });
    expect(slab.describe()).toBe('allocator kmalloc (1/8 out, pressure failP 0.3)');
    expect(make('none').describe()).toBe('allocator kmalloc (0 out, pressure none)');
  });

  it('occupancy history records each change once', () => {
    const clock: SimClock = { now: 0, step: 0 };
    const slab = new PageAllocator({ name: 'kmalloc', pressure: 'none', limit: 1 }, clock, xorshift(1));
    clock.step = 1;
    const e = slab.tryAlloc('u') as string;
    clock.step = 2;
    slab.tryAlloc('u'); // fails: no change
    clock.step = 3;
    slab.free(e);
    expect(slab.history.map((s) => [s.step, s.level])).toEqual([
      [0, 0],
      [1, 1],
      [3, 0],
    ]);
  });

  it('fingerprint is equal for equal states and differs after a change', () => {
    const a = make('none');
    const b = make('none');
    a.tryAlloc('u');
    b.tryAlloc('u');
    expect(a.fingerprint()).toBe(b.fingerprint());
    b.tryAlloc('u');
    expect(a.fingerprint()).not.toBe(b.fingerprint());
  });

  it('conservation holds after seeded random op sequences', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rng = xorshift(seed);
      const slab = make({ failP: 0.3 }, 4, seed);
      const out: string[] = [];
      for (let i = 0; i < 200; i++) {
        if (rng() < 0.6) {
          const e = slab.tryAlloc('u');
          if (e !== undefined) out.push(e);
        } else if (out.length > 0) {
          slab.free(out.splice(Math.floor(rng() * out.length), 1)[0]);
        }
        const problem = slab.checkConservation() ?? (slab.level === out.length ? undefined : 'level drifted');
        if (problem !== undefined) expect(problem, `seed ${seed} step ${i}`).toBeUndefined();
      }
    }
  });
});

const flags = (mask: string) => parseGfp(mask).flags;

describe('PageAllocator by mask (mm/page_alloc.c __alloc_pages, 2.6.14)', () => {
  const clock = (): SimClock => ({ now: 0, step: 0 });
  const reserved = (reserve: number) => new PageAllocator({ name: 'mem', pressure: 'always', reserve }, clock(), xorshift(1));

  it('__GFP_HIGH (GFP_ATOMIC) takes a reserve page when the ordinary attempt fails; GFP_NOWAIT does not', () => {
    const mem = reserved(1);
    expect(mem.tryAlloc('nowait', { high: flags('GFP_NOWAIT').has('__GFP_HIGH') })).toBeUndefined();
    const e = mem.tryAlloc('atomic', { high: flags('GFP_ATOMIC').has('__GFP_HIGH') });
    expect(e).toBe('mem#1');
    expect(mem.reserveFree).toBe(0);
    expect(mem.reserveAllocs).toBe(1);
    expect(mem.describe()).toBe('allocator mem (1 out, reserve 0/1, pressure always)');
  });

  it('the reserve runs out, and a reserve page freed goes back to the reserve', () => {
    const mem = reserved(1);
    const e = mem.tryAlloc('a', { high: true }) as string;
    expect(mem.tryAlloc('b', { high: true })).toBeUndefined();
    mem.free(e);
    expect(mem.reserveFree).toBe(1);
    expect(mem.tryAlloc('b', { high: true })).toBe('mem#2');
    expect(mem.checkConservation()).toBeUndefined();
  });

  it('the reserve is not counted against the limit', () => {
    const mem = new PageAllocator({ name: 'mem', pressure: 'none', limit: 1, reserve: 1 }, clock(), xorshift(1));
    expect(mem.tryAlloc('a')).toBe('mem#1');
    expect(mem.tryAlloc('b')).toBeUndefined();
    expect(mem.tryAlloc('c', { high: true })).toBe('mem#2');
    expect(mem.capacity).toBe(2);
    expect(mem.checkConservation()).toBeUndefined();
  });

  it('a caller in congestion_wait leaves only by its timeout (withdraw): a free wakes nobody', () => {
    const mem = new PageAllocator({ name: 'mem', pressure: 'none', limit: 1 }, clock(), xorshift(1));
    const e = mem.tryAlloc('holder') as string;
    expect(mem.tryAlloc('u')).toBeUndefined();
    mem.congestionWait('u', 'GFP_KERNEL', flags('GFP_KERNEL'), 2);
    expect(mem.waiters()).toEqual([{ ctx: 'u', what: 'memory', since: 0 }]);
    expect(mem.describe()).toBe('allocator mem (1/1 out, pressure none, 1 in congestion_wait)');
    expect(mem.free(e)).toEqual([]);
    expect(mem.waiters().map((w) => w.ctx)).toEqual(['u']);
    expect(mem.withdraw('u')).toBe(true);
    expect(mem.withdraw('u')).toBe(false);
    expect(mem.tryAlloc('u')).toBe('mem#2');
    expect(mem.sleeps).toBe(1);
  });

  it('without an exhaustion declaration a caller in congestion_wait never closes a cycle: its releasers are anyone', () => {
    const mem = make('always');
    mem.congestionWait('u', 'GFP_KERNEL', flags('GFP_KERNEL'), 2);
    expect(mem.releasers(mem.waiters()[0])).toBe('anyone');
  });

  it('waiting twice is a bookkeeping error', () => {
    const mem = make('always');
    mem.congestionWait('u', 'GFP_KERNEL', flags('GFP_KERNEL'), 2);
    expect(() => mem.congestionWait('u', 'GFP_KERNEL', flags('GFP_KERNEL'), 4)).toThrow(/allocator kmalloc: u calls kmalloc while already parked/);
  });
});

describe('PageAllocator exhausted except dirty pages on devices (mm/vmscan.c shrink_list may_enter_fs, 2.6.14)', () => {
  const exhausted = () =>
    new PageAllocator(
      { name: 'mem', pressure: 'always', exhausted: { dirtyOn: [{ device: 'X', writeback: ['xq'] }, { device: 'S', writeback: ['swapper', 'kswapd'], pages: 'swap' }] } },
      { now: 0, step: 0 },
      xorshift(1),
    );
  const releasersOf = (mask: string) => {
    const mem = exhausted();
    mem.congestionWait('u', mask, flags(mask), 2);
    return mem.releasers(mem.waiters()[0]);
  };

  it('GFP_KERNEL may write back file pages (__GFP_FS) and swap (__GFP_IO): the writeback contexts of both devices, never anyone', () => {
    expect(releasersOf('GFP_KERNEL')).toEqual([
      { ctx: 'xq', edge: 'writeback-of', device: 'X' },
      { ctx: 'swapper', edge: 'writeback-of', device: 'S' },
      { ctx: 'kswapd', edge: 'writeback-of', device: 'S' },
    ]);
  });

  it('GFP_NOFS (__GFP_IO without __GFP_FS) may write back only swap-cache pages', () => {
    expect(releasersOf('GFP_NOFS')).toEqual([
      { ctx: 'swapper', edge: 'writeback-of', device: 'S' },
      { ctx: 'kswapd', edge: 'writeback-of', device: 'S' },
    ]);
  });

  it('GFP_NOIO may write back nothing: no releaser at all', () => {
    expect(releasersOf('GFP_NOIO')).toEqual([]);
  });

  it('reclaimable lists the devices a mask may write back, in declaration order', () => {
    const mem = exhausted();
    expect(mem.reclaimable(flags('GFP_KERNEL')).map((d) => d.device)).toEqual(['X', 'S']);
    expect(mem.reclaimable(flags('GFP_NOIO'))).toEqual([]);
    expect(make('always').reclaimable(flags('GFP_KERNEL'))).toEqual([]);
  });

  it('every ordinary attempt fails; the description names the devices', () => {
    const mem = exhausted();
    expect(mem.tryAlloc('u')).toBeUndefined();
    expect(mem.describe()).toBe('allocator mem (0 out, pressure always, exhausted except dirty pages on X, S)');
  });

  it('a declaration that contradicts itself is refused, naming the field and what is allowed', () => {
    const bad = (o: object) => () => new PageAllocator({ name: 'mem', pressure: 'always', ...o } as never, { now: 0, step: 0 }, xorshift(1));
    expect(bad({ pressure: 'none', exhausted: { dirtyOn: [] } })).toThrow(/allocator mem: exhausted needs pressure 'always'.*got pressure none/);
    expect(bad({ exhausted: { dirtyOn: [{ device: 'X', writeback: [] }] } })).toThrow(/exhausted\.dirtyOn\[0\]\.writeback must list the contexts that write X's dirty pages back/);
    expect(bad({ exhausted: { dirtyOn: [{ device: 'X', writeback: ['xq'], pages: 'anon' }] } })).toThrow(/exhausted\.dirtyOn\[0\]\.pages must be one of file, swap, got "anon"/);
    expect(bad({ exhausted: { dirtyOn: [{ device: 'X', writeback: ['a'] }, { device: 'X', writeback: ['b'] }] } })).toThrow(/dirtyOn\[1\]\.device: 'X' is listed twice/);
    expect(bad({ reserve: -1 })).toThrow(/reserve must be a whole number >= 0, got -1/);
  });
});
