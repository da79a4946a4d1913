import { describe, it, expect } from 'vitest';
import { PageAllocator, type MemoryPressure } from '../../src/resources/allocator.js';
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

describe('PageAllocator as kmalloc: GFP_KERNEL sleeps, GFP_ATOMIC fails', () => {
  it('GFP_ATOMIC (no wait) under pressure fails at once; GFP_KERNEL (wait) sleeps for memory', () => {
    const slab = make('always');
    expect(slab.alloc('u', { wait: false })).toEqual({ status: 'eagain', wakeups: [] });
    expect(slab.alloc('u', { wait: true }).status).toBe('blocked');
    expect(slab.waiters()).toEqual([{ ctx: 'u', what: 'memory', since: 0 }]);
    expect(slab.sleeps).toBe(1);
    expect(slab.describe()).toBe('allocator kmalloc (0 out, pressure always, 1 sleeping)');
  });

  it('a free hands the memory to the oldest sleeper, whatever the pressure', () => {
    const slab = make('none', 1);
    const e = slab.alloc('holder', { wait: true }).value as string;
    slab.alloc('first', { wait: true });
    slab.alloc('second', { wait: true });
    expect(slab.free(e)).toEqual([{ ctx: 'first', op: 'kmalloc', value: e }]);
    expect(slab.level).toBe(1);
    expect(slab.waiters().map((w) => w.ctx)).toEqual(['second']);
  });

  it('a sleeper never closes a cycle: any free anywhere may refill the allocator', () => {
    const slab = make('always');
    slab.alloc('u', { wait: true });
    expect(slab.releasers(slab.waiters()[0])).toBe('anyone');
  });

  it('sleeping twice is a bookkeeping error', () => {
    const slab = make('always');
    slab.alloc('u', { wait: true });
    expect(() => slab.alloc('u', { wait: true })).toThrow(/allocator kmalloc: u calls kmalloc while already parked/);
  });
});
