import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { ubdIrq } from '../../machines/ubd-irq.js';
import { effectsOf } from '../../src/model/index.js';

describe('ubd-irq (ubd_intr) transitions', () => {
  it('an interrupt starts draining the pipe without blocking', () => {
    const [s0, a0] = initialTransition(ubdIrq, { pipe: 'pipe', kick: 'kick' });
    expect(s0.value).toBe('idle');
    expect(effectsOf(a0)).toEqual([]);
    const [s1, a1] = transition(ubdIrq, s0, { type: 'irq', handler: 'ubd-irq' });
    expect(s1.value).toBe('draining');
    expect(effectsOf(a1)).toEqual([{ type: 'get', chan: 'pipe', wait: false }]);
  });

  it('each reply ends its request (with the reply error) and reads again; a credit goes back under fix-credits', () => {
    const [s0] = initialTransition(ubdIrq, { pipe: 'pipe', kick: 'kick', credits: 'credits' });
    const [s1] = transition(ubdIrq, s0, { type: 'irq', handler: 'ubd-irq' });
    const [s2, a2] = transition(ubdIrq, s1, { type: 'get.ok', chan: 'pipe', item: { bio: 'g#1', iocb: 'g#1.0', err: -11 } });
    expect(s2.value).toBe('draining');
    expect(effectsOf(a2)).toEqual([
      { type: 'bioComplete', bio: 'g#1', error: 11 },
      { type: 'up', sem: 'credits' },
      { type: 'get', chan: 'pipe', wait: false },
    ]);
  });

  it('an empty pipe restarts the queue (do_ubd_request) and returns from the interrupt', () => {
    const [s0] = initialTransition(ubdIrq, { pipe: 'pipe', kick: 'kick' });
    const [s1] = transition(ubdIrq, s0, { type: 'irq', handler: 'ubd-irq' });
    const [s2, a2] = transition(ubdIrq, s1, { type: 'get.eagain', chan: 'pipe' });
    expect(s2.value).toBe('idle');
    expect(effectsOf(a2)).toEqual([{ type: 'up', sem: 'kick' }, { type: 'iret' }]);
  });

  it('with a restart list, only listed devices are restarted', () => {
    const [s0] = initialTransition(ubdIrq, { pipe: 'pipe', kick: 'kick', restartList: 'restart' });
    const [s1] = transition(ubdIrq, s0, { type: 'irq', handler: 'ubd-irq' });
    const [s2, a2] = transition(ubdIrq, s1, { type: 'get.eagain', chan: 'pipe' });
    expect(s2.value).toBe('restartingListed');
    expect(effectsOf(a2)).toEqual([{ type: 'get', chan: 'restart', wait: false }]);
    const [s3, a3] = transition(ubdIrq, s2, { type: 'get.ok', chan: 'restart', item: 'ubd0' });
    expect(effectsOf(a3)).toEqual([{ type: 'up', sem: 'kick' }, { type: 'get', chan: 'restart', wait: false }]);
    const [s4, a4] = transition(ubdIrq, s3, { type: 'get.eagain', chan: 'restart' });
    expect(s4.value).toBe('idle');
    expect(effectsOf(a4)).toEqual([{ type: 'iret' }]);
  });
});
