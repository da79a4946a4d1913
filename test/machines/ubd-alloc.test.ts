import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { ubdAlloc, type UbdAllocInput, type UbdWriteRequest } from '../../machines/ubd-alloc.js';
import { IPL_HIGH } from '../../src/index.js';
import { effectsOf, type KernelEventOf } from '../../src/model/index.js';

/** What ubd-alloc receives: its queue carries write requests. */
type KernelEvent = KernelEventOf<UbdWriteRequest>;

const wiring = { queue: 'q', lock: 'ql', ring: 'ring', pipe: 'pipe', allocator: 'kmalloc' } as const;
const buggy: UbdAllocInput = { ...wiring, holdLock: true, buffers: 'GFP_KERNEL', sequencing: 'none' };
const emergency: UbdAllocInput = { ...wiring, holdLock: false, buffers: 'emergency', sequencing: 'none', emergencyHeader: 'eh', emergencyAio: 'ea' };
const r1: UbdWriteRequest = { bio: 'u1#1', op: 'write', sector: 100, chunks: 2, barrier: false };

const LOCKED: KernelEvent = { type: 'lock.ok', lock: 'ql' };
const got = (req: UbdWriteRequest): KernelEvent => ({ type: 'get.ok', chan: 'q', item: req });
const kmallocOk = (element: string): KernelEvent => ({ type: 'kmalloc.ok', allocator: 'kmalloc', element });
const KMALLOC_FAIL: KernelEvent = { type: 'kmalloc.fail', allocator: 'kmalloc' };
const submitted = (id: string): KernelEvent => ({ type: 'ioSubmit.ok', ring: 'ring', id });

/** Feed events from the initial state; return the last snapshot and the effects of the last transition. */
function drive(input: UbdAllocInput, events: KernelEvent[]): [AnyMachineSnapshot, unknown[]] {
  let [s, actions] = initialTransition(ubdAlloc, input);
  for (const e of events) [s, actions] = transition(ubdAlloc, s, e);
  return [s, effectsOf(actions)];
}

describe('ubd-alloc (do_ubd_request with per-request buffers) transitions', () => {
  it('starts by taking the queue spin lock with interrupts off (spin_lock_irq)', () => {
    const [s, fx] = drive(buggy, []);
    expect(s.value).toBe('lockingQueue');
    expect(fx).toEqual([{ type: 'spl', level: IPL_HIGH }, { type: 'lock', lock: 'ql' }]);
  });

  it('2.6.14 (buggy): allocates the header with kmalloc(GFP_KERNEL) still holding the lock, interrupts off', () => {
    const [s, fx] = drive(buggy, [LOCKED, got(r1)]);
    expect(s.value).toBe('allocatingHeader');
    expect(fx).toEqual([{ type: 'kmalloc', allocator: 'kmalloc', gfp: 'GFP_KERNEL' }]);
  });

  it('2.6.14: after the last chunk it fetches the next request without ever dropping the lock', () => {
    const [s, fx] = drive(buggy, [LOCKED, got(r1), kmallocOk('k#1'), kmallocOk('k#2'), submitted('u1#1.0'), kmallocOk('k#3'), submitted('u1#1.1')]);
    expect(s.value).toBe('fetchingRequest');
    expect(fx).toEqual([{ type: 'get', chan: 'q', wait: false }]);
  });

  it('B-F1: the lock is dropped and interrupts enabled right after the dequeue, before allocating', () => {
    const [s, fx] = drive({ ...buggy, holdLock: false }, [LOCKED, got(r1)]);
    expect(s.value).toBe('allocatingHeader');
    expect(fx).toEqual([{ type: 'unlock', lock: 'ql' }, { type: 'spl', level: 0 }, { type: 'kmalloc', allocator: 'kmalloc', gfp: 'GFP_KERNEL' }]);
  });

  it('an empty queue returns: unlock, interrupts on, final state', () => {
    const [s, fx] = drive(buggy, [LOCKED, { type: 'get.eagain', chan: 'q' }]);
    expect(s.status).toBe('done');
    expect(fx).toEqual([{ type: 'unlock', lock: 'ql' }, { type: 'spl', level: 0 }]);
  });

  it('B-F2: GFP_ATOMIC; on failure it sleeps on the emergency header semaphore (blocked) and uses the static buffer', () => {
    const [s1, fx1] = drive(emergency, [LOCKED, got(r1)]);
    expect(fx1).toContainEqual({ type: 'kmalloc', allocator: 'kmalloc', gfp: 'GFP_ATOMIC' });
    const [s2, fx2] = transition(ubdAlloc, s1, KMALLOC_FAIL);
    expect(s2.value).toBe('waitingForEmergencyHeader');
    expect(s2.hasTag('blocked')).toBe(true);
    expect(effectsOf(fx2)).toEqual([{ type: 'metric', name: 'emergencyUses', add: 1 }, { type: 'down', sem: 'eh' }]);
    const [s3] = transition(ubdAlloc, s2, { type: 'down.ok', sem: 'eh' });
    expect(s3.value).toBe('allocatingChunk');
    expect(s3.context.header).toEqual({ from: 'emergency', sem: 'eh' });
  });

  it('each chunk: an aio (or the emergency aio), then its own io_submit carrying the buffers; the request goes in flight with chunk 0', () => {
    const [s, fx] = drive(emergency, [LOCKED, got(r1), kmallocOk('k#1'), KMALLOC_FAIL]);
    expect(s.value).toBe('waitingForEmergencyAio');
    expect(fx).toEqual([{ type: 'metric', name: 'emergencyUses', add: 1 }, { type: 'down', sem: 'ea' }]);
    const [s2, a2] = transition(ubdAlloc, s, { type: 'down.ok', sem: 'ea' });
    expect(s2.value).toBe('submittingChunk');
    expect(effectsOf(a2)).toEqual([
      { type: 'metric', name: 'inFlight', add: 1, peak: 'maxInFlight' },
      {
        type: 'ioSubmit',
        ring: 'ring',
        iocb: { id: 'u1#1.0', bio: 'u1#1', op: 'write', sector: 100, data: { chunks: 2, header: { from: 'kmalloc', allocator: 'kmalloc', element: 'k#1' }, aio: { from: 'emergency', sem: 'ea' } } },
      },
    ]);
    const [s3, a3] = transition(ubdAlloc, s2, submitted('u1#1.0'));
    expect(s3.value).toBe('allocatingChunk');
    expect(effectsOf(a3)).toEqual([{ type: 'kmalloc', allocator: 'kmalloc', gfp: 'GFP_ATOMIC' }]);
    const [, a4] = transition(ubdAlloc, s3, kmallocOk('k#2'));
    expect(effectsOf(a4)).toEqual([expect.objectContaining({ type: 'ioSubmit', iocb: expect.objectContaining({ id: 'u1#1.1', sector: 101 }) })]);
  });

  it("tickets (B-F3): the ticket is taken under the lock; the lock is dropped; it waits for its turn (blocked); it advances after the last chunk", () => {
    const input: UbdAllocInput = { ...emergency, sequencing: 'tickets', seq: 'seq' };
    const [s1, fx1] = drive(input, [LOCKED, got(r1)]);
    expect(s1.value).toBe('takingTicket');
    expect(fx1).toEqual([{ type: 'ticketTake', counter: 'seq' }]);
    const [s2, a2] = transition(ubdAlloc, s1, { type: 'ticketTake.ok', counter: 'seq', ticket: 7 });
    expect(s2.value).toBe('waitingForTurn');
    expect(s2.hasTag('blocked')).toBe(true);
    expect(effectsOf(a2)).toEqual([{ type: 'unlock', lock: 'ql' }, { type: 'spl', level: 0 }, { type: 'ticketWait', counter: 'seq', ticket: 7 }]);
    const [s3] = transition(ubdAlloc, s2, { type: 'ticketWait.ok', counter: 'seq', ticket: 7 });
    expect(s3.value).toBe('allocatingHeader');
    let s = s3;
    for (const e of [kmallocOk('k#1'), kmallocOk('k#2'), submitted('u1#1.0'), kmallocOk('k#3')]) [s] = transition(ubdAlloc, s, e);
    const [s4, a4] = transition(ubdAlloc, s, submitted('u1#1.1'));
    expect(s4.value).toBe('lockingQueue');
    expect(effectsOf(a4)).toEqual([{ type: 'ticketAdvance', counter: 'seq' }, { type: 'spl', level: IPL_HIGH }, { type: 'lock', lock: 'ql' }]);
  });

  it("semaphore (Paolo): down() before the dequeue, up() after the last chunk, and up() when the queue is empty", () => {
    const input: UbdAllocInput = { ...emergency, sequencing: 'semaphore', seq: 'seq' };
    const [s0, a0] = initialTransition(ubdAlloc, input);
    expect(s0.value).toBe('waitingForSequence');
    expect(effectsOf(a0)).toEqual([{ type: 'down', sem: 'seq' }]);
    const [, fx] = drive(input, [{ type: 'down.ok', sem: 'seq' }, LOCKED, got(r1), kmallocOk('k#1'), kmallocOk('k#2'), submitted('u1#1.0'), kmallocOk('k#3'), submitted('u1#1.1')]);
    expect(fx).toEqual([{ type: 'up', sem: 'seq' }, { type: 'down', sem: 'seq' }]);
    const [done, end] = drive(input, [{ type: 'down.ok', sem: 'seq' }, LOCKED, { type: 'get.eagain', chan: 'q' }]);
    expect(done.status).toBe('done');
    expect(end).toEqual([{ type: 'unlock', lock: 'ql' }, { type: 'spl', level: 0 }, { type: 'up', sem: 'seq' }]);
  });

  it("barriers (B-F3'): a plain request opens the gate at once and never waits; a barrier keeps it and waits for its turn", () => {
    const input: UbdAllocInput = { ...emergency, sequencing: 'barriers', seq: 'seq', gate: 'gate' };
    const start: KernelEvent[] = [{ type: 'down.ok', sem: 'gate' }, LOCKED];
    const [, plain] = drive(input, [...start, got(r1), { type: 'ticketTake.ok', counter: 'seq', ticket: 3 }]);
    expect(plain).toEqual([{ type: 'unlock', lock: 'ql' }, { type: 'spl', level: 0 }, { type: 'up', sem: 'gate' }, { type: 'kmalloc', allocator: 'kmalloc', gfp: 'GFP_ATOMIC' }]);
    const barrier = { ...r1, barrier: true };
    const [s, held] = drive(input, [...start, got(barrier), { type: 'ticketTake.ok', counter: 'seq', ticket: 3 }]);
    expect(s.value).toBe('waitingForTurn');
    expect(held).toEqual([{ type: 'unlock', lock: 'ql' }, { type: 'spl', level: 0 }, { type: 'ticketWait', counter: 'seq', ticket: 3 }]);
    const [, end] = drive(input, [...start, got(barrier), { type: 'ticketTake.ok', counter: 'seq', ticket: 3 }, { type: 'ticketWait.ok', counter: 'seq', ticket: 3 }, kmallocOk('a'), kmallocOk('b'), submitted('u1#1.0'), kmallocOk('c'), submitted('u1#1.1')]);
    expect(end).toEqual([{ type: 'ticketAdvance', counter: 'seq' }, { type: 'up', sem: 'gate' }, { type: 'down', sem: 'gate' }]);
  });

  it('mempool: all of a request\'s buffers (header + one per chunk) first, each a mempool_alloc(GFP_NOIO), then the chunks back to back', () => {
    const input: UbdAllocInput = { ...wiring, holdLock: false, buffers: 'mempool', sequencing: 'none', pool: 'pool' };
    let [s, fx] = drive(input, [LOCKED, got(r1)]);
    expect(s.value).toBe('allocatingBuffers');
    expect(fx).toEqual([{ type: 'unlock', lock: 'ql' }, { type: 'spl', level: 0 }, { type: 'alloc', pool: 'pool', gfp: 'GFP_NOIO' }]);
    for (const element of ['p#1', 'p#2']) {
      const [next, a] = transition(ubdAlloc, s, { type: 'alloc.ok', pool: 'pool', element });
      expect(next.value).toBe('allocatingBuffers');
      expect(effectsOf(a)).toEqual([{ type: 'alloc', pool: 'pool', gfp: 'GFP_NOIO' }]);
      s = next;
    }
    const [s3, a3] = transition(ubdAlloc, s, { type: 'alloc.ok', pool: 'pool', element: 'p#3' });
    expect(s3.value).toBe('submittingChunk');
    expect(effectsOf(a3)[1]).toMatchObject({ type: 'ioSubmit', iocb: { id: 'u1#1.0', data: { header: { from: 'mempool', element: 'p#1' }, aio: { from: 'mempool', element: 'p#2' } } } });
    const [s4, a4] = transition(ubdAlloc, s3, submitted('u1#1.0'));
    expect(s4.value).toBe('submittingChunk');
    expect(effectsOf(a4)).toEqual([expect.objectContaining({ type: 'ioSubmit', iocb: expect.objectContaining({ id: 'u1#1.1', data: expect.objectContaining({ aio: { from: 'mempool', pool: 'pool', element: 'p#3' } }) }) })]);
  });

  it('a host submission error is written into the completion pipe (host write) and the request goes on', () => {
    const input: UbdAllocInput = { ...emergency, sequencing: 'tickets', seq: 'seq' };
    const before: KernelEvent[] = [LOCKED, got(r1), { type: 'ticketTake.ok', counter: 'seq', ticket: 0 }, { type: 'ticketWait.ok', counter: 'seq', ticket: 0 }, kmallocOk('k#1'), kmallocOk('k#2')];
    const [s, fx] = drive(input, [...before, { type: 'ioSubmit.error', ring: 'ring', id: 'u1#1.0', errno: 5 }]);
    expect(s.value).toBe('writingErrorReply');
    expect(fx).toEqual([
      { type: 'metric', name: 'submitErrors', add: 1 },
      { type: 'put', chan: 'pipe', item: { bio: 'u1#1', iocb: 'u1#1.0', err: -5, data: expect.objectContaining({ chunks: 2 }) }, ack: true, host: true },
    ]);
    const [next] = transition(ubdAlloc, s, { type: 'put.ok', chan: 'pipe' });
    expect(next.value).toBe('allocatingChunk');
  });

  it('ticket leak: after the error reply it returns at once, without submitting the rest or advancing the ticket', () => {
    const input: UbdAllocInput = { ...emergency, sequencing: 'tickets', seq: 'seq', leakTicketOnError: true };
    const before: KernelEvent[] = [LOCKED, got(r1), { type: 'ticketTake.ok', counter: 'seq', ticket: 0 }, { type: 'ticketWait.ok', counter: 'seq', ticket: 0 }, kmallocOk('k#1'), kmallocOk('k#2')];
    const [s, fx] = drive(input, [...before, { type: 'ioSubmit.error', ring: 'ring', id: 'u1#1.0', errno: 5 }, { type: 'put.ok', chan: 'pipe' }]);
    expect(s.status).toBe('done');
    expect(fx).toEqual([]);
  });
});
