import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { guestWriter, type GuestWriterInput } from '../../machines/guest-writer.js';
import type { KernelEvent } from '../../src/index.js';
import { effectsOf, timersOf } from '../../src/model/index.js';

describe('guest-writer transitions', () => {
  const input: GuestWriterInput = {
    queue: 'q',
    prefix: 'u1',
    writes: [{ sector: 100, chunks: 2, barrier: true }, { sector: 102, chunks: 2 }],
    driver: 'ubd-alloc',
    driverInput: { holdLock: true },
  };

  it('thinks first (a timer, so nobody enters the driver at boot)', () => {
    const [s, a] = initialTransition(guestWriter, input);
    expect(s.value).toBe('thinking');
    expect(timersOf(a)).toEqual([expect.objectContaining({ delay: 0 })]);
  });

  it('queues the write (a bio announced with its sectors) and runs the request function as a frame in its own context', () => {
    const [s0, a0] = initialTransition(guestWriter, input);
    const [s1, a1] = transition(guestWriter, s0, timersOf(a0)[0].event as KernelEvent);
    expect(s1.value).toBe('writing');
    expect(s1.hasTag('blocked')).toBe(true);
    expect(effectsOf(a1)).toEqual([
      { type: 'bioSubmit', bio: 'u1#1', write: { sector: 100, count: 2, barrier: true } },
      { type: 'put', chan: 'q', item: { bio: 'u1#1', op: 'write', sector: 100, chunks: 2, barrier: true } },
      { type: 'call', machine: 'ubd-alloc', input: { holdLock: true } },
    ]);
    const [s2] = transition(guestWriter, s1, { type: 'call.return', machine: 'ubd-alloc', output: undefined });
    expect(s2.value).toBe('thinking');
    expect(s2.context.written).toBe(1);
  });

  it('exits after its last write', () => {
    const [s0] = initialTransition(guestWriter, { ...input, writes: [] });
    expect(s0.status).toBe('done');
  });
});
