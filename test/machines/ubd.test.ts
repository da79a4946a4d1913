import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { ubd, type UbdInput } from '../../machines/ubd.js';
import { IPL_HIGH } from '../../src/index.js';
import { effectsOf } from '../../src/model/index.js';

const base: UbdInput = { mode: 'buggy', queue: 'q', kick: 'kick', ring: 'ring', pipe: 'pipe' };
const req = { bio: 'guest#1', op: 'write' as const, sector: 0 };

function submitting(input: UbdInput) {
  const [s0] = initialTransition(ubd, input);
  const [s1] = transition(ubd, s0, { type: 'down.ok', sem: 'kick' });
  const [s2] = transition(ubd, s1, { type: 'get.ok', chan: 'q', item: req });
  return s2;
}

describe('ubd (do_ubd_request) transitions', () => {
  it('sleeps on its kick semaphore when idle', () => {
    const [s0, actions] = initialTransition(ubd, base);
    expect(s0.value).toBe('idle');
    expect(s0.hasTag('idle')).toBe(true);
    expect(effectsOf(actions)).toEqual([{ type: 'down', sem: 'kick' }]);
  });

  it('a kick turns interrupts off and fetches the first request without blocking', () => {
    const [s0] = initialTransition(ubd, base);
    const [s1, actions] = transition(ubd, s0, { type: 'down.ok', sem: 'kick' });
    expect(s1.value).toBe('fetchingRequest');
    expect(effectsOf(actions)).toEqual([{ type: 'spl', level: IPL_HIGH }, { type: 'get', chan: 'q', wait: false }]);
  });

  it('a request is submitted with one io_submit; success fetches the next', () => {
    const [s0] = initialTransition(ubd, base);
    const [s1] = transition(ubd, s0, { type: 'down.ok', sem: 'kick' });
    const [s2, a2] = transition(ubd, s1, { type: 'get.ok', chan: 'q', item: req });
    expect(s2.value).toBe('submitting');
    expect(effectsOf(a2)).toEqual([{ type: 'ioSubmit', ring: 'ring', iocb: { id: 'guest#1.0', bio: 'guest#1', op: 'write', sector: 0 } }]);
    const [s3, a3] = transition(ubd, s2, { type: 'ioSubmit.ok', ring: 'ring', id: 'guest#1.0' });
    expect(s3.value).toBe('fetchingRequest');
    expect(effectsOf(a3)).toEqual([{ type: 'get', chan: 'q', wait: false }]);
  });

  it('an empty queue ends the run: interrupts back on, sleep again', () => {
    const [s0] = initialTransition(ubd, base);
    const [s1] = transition(ubd, s0, { type: 'down.ok', sem: 'kick' });
    const [s2, a2] = transition(ubd, s1, { type: 'get.eagain', chan: 'q' });
    expect(s2.value).toBe('idle');
    expect(effectsOf(a2)).toEqual([{ type: 'spl', level: 0 }, { type: 'down', sem: 'kick' }]);
  });

  it('buggy: EAGAIN is written into the completion pipe with a blocking host write (interrupts still off)', () => {
    const [s, actions] = transition(ubd, submitting(base), { type: 'ioSubmit.eagain', ring: 'ring', id: 'guest#1.0' });
    expect(s.value).toBe('writingErrorReply');
    expect(s.hasTag('blocked')).toBe(true);
    expect(effectsOf(actions)).toEqual([
      { type: 'metric', name: 'errorWrites', add: 1 },
      { type: 'put', chan: 'pipe', item: { bio: 'guest#1', iocb: 'guest#1.0', err: -11 }, ack: true, host: true },
    ]);
    expect(effectsOf(actions).some((e) => (e as { type: string }).type === 'spl')).toBe(false);
  });

  it('fix-sync-error: EAGAIN requeues the request at the head and returns with interrupts on', () => {
    const [s, actions] = transition(ubd, submitting({ ...base, mode: 'fix-sync-error' }), { type: 'ioSubmit.eagain', ring: 'ring', id: 'guest#1.0' });
    expect(s.value).toBe('idle');
    expect(effectsOf(actions)).toEqual([
      { type: 'put', chan: 'q', item: req, front: true },
      { type: 'metric', name: 'requeues', add: 1 },
      { type: 'spl', level: 0 },
      { type: 'down', sem: 'kick' },
    ]);
  });

  it('fix-credits: a credit is taken before io_submit; without one the request is requeued', () => {
    const input: UbdInput = { ...base, mode: 'fix-credits', credits: 'credits' };
    const [s0] = initialTransition(ubd, input);
    const [s1] = transition(ubd, s0, { type: 'down.ok', sem: 'kick' });
    const [s2, a2] = transition(ubd, s1, { type: 'get.ok', chan: 'q', item: req });
    expect(s2.value).toBe('takingCredit');
    expect(effectsOf(a2)).toEqual([{ type: 'down', sem: 'credits', wait: false }]);
    const [s3] = transition(ubd, s2, { type: 'down.ok', sem: 'credits' });
    expect(s3.value).toBe('submitting');
    const [s4, a4] = transition(ubd, s2, { type: 'down.busy', sem: 'credits' });
    expect(s4.value).toBe('idle');
    expect(effectsOf(a4)[0]).toEqual({ type: 'put', chan: 'q', item: req, front: true });
  });

  it('fix-nonblocking: requests go to the helper without blocking; EAGAIN puts the device on the restart list', () => {
    const input: UbdInput = { mode: 'fix-nonblocking', queue: 'q', kick: 'kick', pipe: 'pipe', toHelper: 'h', restartList: 'restart' };
    const [s0] = initialTransition(ubd, input);
    const [s1] = transition(ubd, s0, { type: 'down.ok', sem: 'kick' });
    const [s2, a2] = transition(ubd, s1, { type: 'get.ok', chan: 'q', item: req });
    expect(s2.value).toBe('sendingToHelper');
    expect(effectsOf(a2)).toEqual([{ type: 'put', chan: 'h', item: req, wait: false }]);
    const [s3, a3] = transition(ubd, s2, { type: 'put.eagain', chan: 'h' });
    expect(s3.value).toBe('idle');
    expect(effectsOf(a3)).toEqual([
      { type: 'put', chan: 'q', item: req, front: true },
      { type: 'put', chan: 'restart', item: 'ubd0' },
      { type: 'metric', name: 'restarts', add: 1 },
      { type: 'spl', level: 0 },
      { type: 'down', sem: 'kick' },
    ]);
  });
});
