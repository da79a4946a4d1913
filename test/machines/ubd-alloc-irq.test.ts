import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { ubdAllocIrq } from '../../machines/ubd-alloc-irq.js';
import type { UbdAllocReply, UbdBuffer, UbdChunkData } from '../../machines/ubd-alloc.js';
import { effectsOf, type KernelEventOf } from '../../src/model/index.js';

const kmalloc = (element: string): UbdBuffer => ({ from: 'kmalloc', allocator: 'kmalloc', element });
const pooled = (element: string): UbdBuffer => ({ from: 'mempool', pool: 'pool', element });
const EMERGENCY_AIO: UbdBuffer = { from: 'emergency', sem: 'ea' };

function reply(bio: string, chunk: number, data: UbdChunkData, err = 0): KernelEventOf<UbdAllocReply> {
  const item: UbdAllocReply = { bio, iocb: `${bio}.${chunk}`, err, data };
  return { type: 'get.ok', chan: 'pipe', item };
}

function inInterrupt(): AnyMachineSnapshot {
  const [s0] = initialTransition(ubdAllocIrq, { pipe: 'pipe' });
  const [s1] = transition(ubdAllocIrq, s0, { type: 'irq', handler: 'ubd-irq' });
  return s1;
}

describe('ubd-alloc-irq (ubd_intr with buffer freeing) transitions', () => {
  it('an interrupt drains the pipe without blocking; EAGAIN returns from the interrupt', () => {
    const [s0, a0] = transition(ubdAllocIrq, initialTransition(ubdAllocIrq, { pipe: 'pipe' })[0], { type: 'irq', handler: 'ubd-irq' });
    expect(s0.value).toBe('draining');
    expect(effectsOf(a0)).toEqual([{ type: 'get', chan: 'pipe', wait: false }]);
    const [s1, a1] = transition(ubdAllocIrq, s0, { type: 'get.eagain', chan: 'pipe' });
    expect(s1.value).toBe('idle');
    expect(effectsOf(a1)).toEqual([{ type: 'iret' }]);
  });

  it("a chunk that is not the request's last frees only its aio (kfree, or up() on the emergency aio)", () => {
    const header = { from: 'emergency' as const, sem: 'eh' };
    const [s, a] = transition(ubdAllocIrq, inInterrupt(), reply('u1#1', 0, { chunks: 2, header, aio: EMERGENCY_AIO }));
    expect(effectsOf(a)).toEqual([{ type: 'up', sem: 'ea' }, { type: 'get', chan: 'pipe', wait: false }]);
    expect(s.context.inFlight).toEqual({ 'u1#1': { replies: 1, err: 0, pooled: [] } });
  });

  it('the last chunk ends the request: bio completes, in-flight gauge drops, then the header goes back', () => {
    const data = (aio: UbdBuffer): UbdChunkData => ({ chunks: 2, header: kmalloc('k#1'), aio });
    const [s1] = transition(ubdAllocIrq, inInterrupt(), reply('u1#1', 0, data(kmalloc('k#2'))));
    const [s2, a2] = transition(ubdAllocIrq, s1, reply('u1#1', 1, data(kmalloc('k#3'))));
    expect(effectsOf(a2)).toEqual([
      { type: 'kfree', allocator: 'kmalloc', element: 'k#3' },
      { type: 'bioComplete', bio: 'u1#1', error: 0 },
      { type: 'metric', name: 'inFlight', add: -1 },
      { type: 'kfree', allocator: 'kmalloc', element: 'k#1' },
      { type: 'get', chan: 'pipe', wait: false },
    ]);
    expect(s2.context.inFlight).toEqual({});
  });

  it('mempool buffers all go back together when the request ends (a request in flight holds all of them)', () => {
    const data = (aio: UbdBuffer): UbdChunkData => ({ chunks: 2, header: pooled('p#1'), aio });
    const [s1, a1] = transition(ubdAllocIrq, inInterrupt(), reply('u1#1', 0, data(pooled('p#2'))));
    expect(effectsOf(a1)).toEqual([{ type: 'get', chan: 'pipe', wait: false }]);
    const [, a2] = transition(ubdAllocIrq, s1, reply('u1#1', 1, data(pooled('p#3'))));
    expect(effectsOf(a2)).toEqual([
      { type: 'bioComplete', bio: 'u1#1', error: 0 },
      { type: 'metric', name: 'inFlight', add: -1 },
      { type: 'free', pool: 'pool', element: 'p#2' },
      { type: 'free', pool: 'pool', element: 'p#3' },
      { type: 'free', pool: 'pool', element: 'p#1' },
      { type: 'get', chan: 'pipe', wait: false },
    ]);
  });

  it('a chunk that failed (an error reply) ends the request with its errno', () => {
    const data: UbdChunkData = { chunks: 1, header: kmalloc('k#1'), aio: kmalloc('k#2') };
    const [, a] = transition(ubdAllocIrq, inInterrupt(), reply('u1#1', 0, data, -5));
    expect(effectsOf(a)).toContainEqual({ type: 'bioComplete', bio: 'u1#1', error: 5 });
  });
});
