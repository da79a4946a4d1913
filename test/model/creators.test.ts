/**
 * The effect creators of biostack/model build exactly the effect objects a
 * literal would (same keys, same order: the kernel and the trace see no
 * difference), there is one per effect type with that effect's exact type,
 * and a machine using them emits them: checked on the real ubd driver with
 * XState's pure `initialTransition` / `transition` and `effectsOf`.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { ubd, type UbdInput, type UbdRequest } from '../../machines/ubd.js';
import {
  EAGAIN,
  IPL_HIGH,
  IPL_NONE,
  alloc,
  bioComplete,
  bioSubmit,
  biodone,
  biowait,
  brelse,
  bufHandoff,
  bufio,
  bufMalloc,
  call,
  down,
  effectsOf,
  free,
  get,
  getblk,
  getnewbuf,
  getRequest,
  ioComplete,
  ioGetevents,
  ioSubmit,
  iret,
  itemOf,
  kfree,
  kmalloc,
  lock,
  mediaWrite,
  metric,
  draw,
  needbuffer,
  outputOf,
  put,
  putRequest,
  raiseIrq,
  required,
  spl,
  ticketAdvance,
  ticketTake,
  ticketWait,
  unlock,
  up,
  vflushbuf,
  type Effect,
  type EffectOf,
  type EffectType,
  type KernelEventOf,
  type ReplyOf,
} from '../../src/model/index.js';

/** One creator per effect type, each returning that effect's member type: the compiler checks both. */
const CREATORS = {
  put,
  get,
  ioSubmit,
  ioGetevents,
  ioComplete,
  kmalloc,
  kfree,
  alloc,
  free,
  getRequest,
  putRequest,
  lock,
  unlock,
  down,
  up,
  ticketTake,
  ticketWait,
  ticketAdvance,
  spl,
  iret,
  raiseIrq,
  call,
  bioSubmit,
  bioComplete,
  mediaWrite,
  metric,
  draw,
  getblk,
  bufMalloc,
  getnewbuf,
  needbuffer,
  bufio,
  bufHandoff,
  biowait,
  biodone,
  brelse,
  vflushbuf,
} satisfies { [T in EffectType]: (...args: never[]) => EffectOf<T> };

/** Each creator call beside the literal it stands for. */
const CASES: readonly (readonly [Effect, Effect])[] = [
  [put('q', { bio: 'g#1' }), { type: 'put', chan: 'q', item: { bio: 'g#1' } }],
  [put('pipe', 7, { ack: true, host: true }), { type: 'put', chan: 'pipe', item: 7, ack: true, host: true }],
  [put('q', null, { front: true }), { type: 'put', chan: 'q', item: null, front: true }],
  [put('h', 'x', { wait: false }), { type: 'put', chan: 'h', item: 'x', wait: false }],
  [get('q'), { type: 'get', chan: 'q' }],
  [get('q', { wait: false }), { type: 'get', chan: 'q', wait: false }],
  [ioSubmit('ring', { id: 'u#1.0', bio: 'u#1' }), { type: 'ioSubmit', ring: 'ring', iocb: { id: 'u#1.0', bio: 'u#1' } }],
  [ioGetevents('ring', { min: 1, max: 1 }), { type: 'ioGetevents', ring: 'ring', min: 1, max: 1 }],
  [ioComplete('ring', 'u#1.0', { res: 0 }), { type: 'ioComplete', ring: 'ring', id: 'u#1.0', res: 0 }],
  [kmalloc('km', 'GFP_ATOMIC'), { type: 'kmalloc', allocator: 'km', gfp: 'GFP_ATOMIC' }],
  [kfree('km', 'k#1'), { type: 'kfree', allocator: 'km', element: 'k#1' }],
  [getRequest('X.rq'), { type: 'getRequest', queue: 'X.rq' }],
  [getRequest('X.rq', { wait: false }), { type: 'getRequest', queue: 'X.rq', wait: false }],
  [putRequest('X.rq'), { type: 'putRequest', queue: 'X.rq' }],
  [alloc('pool', 'GFP_NOIO'), { type: 'alloc', pool: 'pool', gfp: 'GFP_NOIO' }],
  [free('pool', 'p#1'), { type: 'free', pool: 'pool', element: 'p#1' }],
  [lock('ql'), { type: 'lock', lock: 'ql' }],
  [lock('ql', { wait: false }), { type: 'lock', lock: 'ql', wait: false }],
  [unlock('ql'), { type: 'unlock', lock: 'ql' }],
  [down('kick'), { type: 'down', sem: 'kick' }],
  [down('credits', { wait: false }), { type: 'down', sem: 'credits', wait: false }],
  [up('kick'), { type: 'up', sem: 'kick' }],
  [ticketTake('seq'), { type: 'ticketTake', counter: 'seq' }],
  [ticketWait('seq', 3), { type: 'ticketWait', counter: 'seq', ticket: 3 }],
  [ticketAdvance('seq'), { type: 'ticketAdvance', counter: 'seq' }],
  [ticketAdvance('seq', { by: 2 }), { type: 'ticketAdvance', counter: 'seq', by: 2 }],
  [spl(IPL_HIGH), { type: 'spl', level: IPL_HIGH }],
  [iret(), { type: 'iret' }],
  [raiseIrq('ubd-irq'), { type: 'raiseIrq', handler: 'ubd-irq' }],
  [call('bawrite', { input: { buf: 'vnd0:1' } }), { type: 'call', machine: 'bawrite', input: { buf: 'vnd0:1' } }],
  [call('ubd-alloc'), { type: 'call', machine: 'ubd-alloc' }],
  [draw('svc', [1, 2, 3]), { type: 'draw', point: 'svc', options: [1, 2, 3] }],
  [draw('svc', [1, 9], { weights: [9, 1] }), { type: 'draw', point: 'svc', options: [1, 9], weights: [9, 1] }],
  [bioSubmit('g#1'), { type: 'bioSubmit', bio: 'g#1' }],
  [bioSubmit('u#1', { write: { sector: 100, count: 2, barrier: false } }), { type: 'bioSubmit', bio: 'u#1', write: { sector: 100, count: 2, barrier: false } }],
  [bioComplete('g#1', { error: 0 }), { type: 'bioComplete', bio: 'g#1', error: 0 }],
  [mediaWrite('u#1', 100), { type: 'mediaWrite', bio: 'u#1', sector: 100 }],
  [metric('inFlight', { add: 1, peak: 'maxInFlight' }), { type: 'metric', name: 'inFlight', add: 1, peak: 'maxInFlight' }],
  [metric('overshoot', { max: 2 }), { type: 'metric', name: 'overshoot', max: 2 }],
  [getblk('bc', 'vnd0', 12), { type: 'getblk', cache: 'bc', vnode: 'vnd0', blkno: 12 }],
  [bufMalloc('bc', 'vnd0:12'), { type: 'bufMalloc', cache: 'bc', buf: 'vnd0:12' }],
  [getnewbuf('bc', true), { type: 'getnewbuf', cache: 'bc', wait: true }],
  [needbuffer('bc', 4), { type: 'needbuffer', cache: 'bc', gen: 4 }],
  [bufio('bc', 'vnd0:12', 'write'), { type: 'bufio', cache: 'bc', buf: 'vnd0:12', op: 'write' }],
  [bufHandoff('bc', 'vnd0:12', ['disk', 'biodone']), { type: 'bufHandoff', cache: 'bc', buf: 'vnd0:12', via: ['disk', 'biodone'] }],
  [biowait('bc', 'F0:ind0'), { type: 'biowait', cache: 'bc', buf: 'F0:ind0' }],
  [biodone('bc', 'F0:ind0'), { type: 'biodone', cache: 'bc', buf: 'F0:ind0' }],
  [brelse('bc', 'F0:ind0'), { type: 'brelse', cache: 'bc', buf: 'F0:ind0' }],
  [brelse('bc', 'F0:3', { delwri: undefined, ack: true }), { type: 'brelse', cache: 'bc', buf: 'F0:3', delwri: undefined, ack: true }],
  [vflushbuf('bc', 'vnd0'), { type: 'vflushbuf', cache: 'bc', vnode: 'vnd0' }],
];

describe('effect creators', () => {
  it('there is one for every effect type, each named after it and building that type', () => {
    for (const [name, creator] of Object.entries(CREATORS)) expect(creator.name).toBe(name);
    const covered = new Set(CASES.map(([e]) => e.type));
    expect([...covered].sort()).toEqual(Object.keys(CREATORS).sort());
  });

  it('build exactly the literal: the same keys in the same order, an option passed as undefined kept', () => {
    for (const [made, literal] of CASES) {
      expect(made).toStrictEqual(literal);
      expect(Object.keys(made)).toEqual(Object.keys(literal));
    }
  });

  it('are checked by the compiler: a misspelt option, a wrong value or a missing field does not compile', () => {
    // @ts-expect-error `wiat` is not a field of the get effect
    get('q', { wiat: false });
    // @ts-expect-error a gfp mask is made of gfp.h's names and __GFP_ flags
    kmalloc('km', 'GFP_BOGUS');
    // @ts-expect-error ticketWait needs the ticket
    ticketWait('seq');
    expect(get('q', { wait: false }).type).toBe('get');
  });
});

describe('reply types and event readers', () => {
  it('ReplyOf names the replies an effect may get', () => {
    const replies: ReplyOf<'get'>[] = [
      { type: 'get.ok', chan: 'q', item: 1 },
      { type: 'get.eagain', chan: 'q' },
    ];
    // @ts-expect-error put.ok is not a reply of get
    const wrong: ReplyOf<'get'> = { type: 'put.ok', chan: 'q' };
    expect([...replies, wrong].map((r) => r.type)).toEqual(['get.ok', 'get.eagain', 'put.ok']);
  });

  it('itemOf and outputOf read a typed payload, and throw on any other event rather than read a missing field', () => {
    const got: KernelEventOf<UbdRequest> = { type: 'get.ok', chan: 'q', item: { bio: 'g#1', op: 'write', sector: 0 } };
    const request: UbdRequest = itemOf(got);
    expect(request.bio).toBe('g#1');
    expect(() => itemOf({ type: 'get.eagain', chan: 'q' })).toThrow("itemOf: expected a 'get.ok' reply, got 'get.eagain'");
    const returned: KernelEventOf<unknown, { depth: number }> = { type: 'call.return', machine: 'm', output: { depth: 2 } };
    expect(outputOf(returned).depth).toBe(2);
    expect(() => outputOf({ type: 'lock.ok', lock: 'l' })).toThrow("outputOf: expected a 'call.return', got 'lock.ok'");
  });

  it('required returns a set value and names a missing one', () => {
    expect(required('sem', 'ubd: input.credits')).toBe('sem');
    expect(required(0, 'a zero is set')).toBe(0);
    expect(() => required(undefined, 'ubd: input.credits')).toThrow('ubd: input.credits is not set');
    expect(() => required(null, 'ubd: context.current')).toThrow('ubd: context.current is not set');
  });
});

describe('a machine written with creators emits them (pure transitions, effectsOf)', () => {
  const input: UbdInput = { mode: 'buggy', queue: 'ubd.queue', kick: 'ubd.kick', ring: 'aio.ring', pipe: 'aio->ubd' };
  const request: UbdRequest = { bio: 'g#1', op: 'write', sector: 8 };

  it('ubd: sleep on the kick; woken, interrupts off and fetch; submit; EAGAIN written into the pipe', () => {
    const [s0, a0] = initialTransition(ubd, input);
    expect(effectsOf(a0)).toStrictEqual([down('ubd.kick')]);
    const [s1, a1] = transition(ubd, s0, { type: 'down.ok', sem: 'ubd.kick' });
    expect(s1.value).toBe('fetchingRequest');
    expect(effectsOf(a1)).toStrictEqual([spl(IPL_HIGH), get('ubd.queue', { wait: false })]);
    const [s2, a2] = transition(ubd, s1, { type: 'get.ok', chan: 'ubd.queue', item: request });
    expect(s2.context.current).toEqual(request);
    expect(effectsOf(a2)).toStrictEqual([ioSubmit('aio.ring', { id: 'g#1.0', bio: 'g#1', op: 'write', sector: 8 })]);
    const [s3, a3] = transition(ubd, s2, { type: 'ioSubmit.eagain', ring: 'aio.ring', id: 'g#1.0' });
    expect(s3.value).toBe('writingErrorReply');
    expect(effectsOf(a3)).toStrictEqual([metric('errorWrites', { add: 1 }), put('aio->ubd', { bio: 'g#1', iocb: 'g#1.0', err: -EAGAIN }, { ack: true, host: true })]);
    const [s4, a4] = transition(ubd, s3, { type: 'put.ok', chan: 'aio->ubd' });
    expect(s4.value).toBe('fetchingRequest');
    expect(effectsOf(a4)).toStrictEqual([get('ubd.queue', { wait: false })]);
    const [s5, a5] = transition(ubd, s4, { type: 'get.eagain', chan: 'ubd.queue' });
    expect(s5.value).toBe('idle');
    expect(effectsOf(a5)).toStrictEqual([spl(IPL_NONE), down('ubd.kick')]);
  });

  it('its events are typed: a get.ok whose item is not a UbdRequest does not compile', () => {
    const [s0] = initialTransition(ubd, input);
    const [s1] = transition(ubd, s0, { type: 'down.ok', sem: 'ubd.kick' });
    // @ts-expect-error ubd's queue carries UbdRequests
    const [s2] = transition(ubd, s1, { type: 'get.ok', chan: 'ubd.queue', item: { bio: 'g#1', op: 'trim', sector: 8 } });
    expect(s2.value).toBe('submitting');
  });
});
