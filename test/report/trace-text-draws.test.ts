/**
 * A witness names the draws it took in words: the trace's choose steps, the
 * schedule labels of choice points, and explore's findings. Each test fails
 * on the text output as it was before (`disk: choose svc:ubd#4.0=3 ...
 * [draw svc:ubd#4.0=3: ok]`, no `drawText`, no draws line in explore).
 */
import { describe, expect, it } from 'vitest';
import { drawText, effectText, formatStep } from '../../src/report/trace-text.js';
import { exploreText } from '../../src/cli/explore.js';
import type { ExploreDoc, Finding } from '../../src/explore/explore.js';
import { encodeToken } from '../../src/explore/token.js';
import type { TraceStep } from '../../src/kernel/trace.js';

const step = (over: Partial<TraceStep>): TraceStep => ({
  step: 5,
  time: 0,
  label: 'disk.choose:svc:ubd#4.0=3',
  ctx: 'disk',
  machine: 'disk',
  depth: 1,
  event: 'choose svc:ubd#4.0=3',
  from: 'serving',
  to: 'serving',
  effects: [{ effect: 'draw', subject: 'svc:ubd#4.0=3', status: 'ok' }],
  ...over,
});

describe('draws in words', () => {
  it('a choose step reads as what the context drew, for whom: "disk draws svc=3 for ubd#4.0"', () => {
    expect(formatStep(step({}))).toBe('#5 t=0 disk draws svc=3 for ubd#4.0  serving');
    expect(effectText({ effect: 'draw', subject: 'svc:ubd#4.0=3', status: 'ok' })).toBe('draws svc=3 for ubd#4.0');
    // A point without a subject reads as it is; other steps are unchanged.
    expect(formatStep(step({ ctx: 'd', event: 'choose fate=lost', to: 'lost', effects: [{ effect: 'draw', subject: 'fate=lost', status: 'ok' }] }))).toBe('#5 t=0 d draws fate=lost  serving -> lost');
    expect(formatStep(step({ label: 'ubd.reply', ctx: 'ubd', event: 'ioSubmit.eagain', from: 'submitting', to: 'writingErrorReply', effects: [{ effect: 'put', resource: 'aio->ubd', status: 'blocked' }] }))).toBe(
      '#5 t=0 ubd: ioSubmit.eagain  submitting -> writingErrorReply  [put aio->ubd: blocked]',
    );
  });

  it('a schedule label of a choice point reads as a draw, any other label as nothing', () => {
    expect(drawText('disk.choose:svc:guest#1.0=0')).toBe('disk draws svc=0 for guest#1.0');
    expect(drawText('d.choose:fate=lost')).toBe('d draws fate=lost');
    expect(drawText('disk.timer:svc-guest#1.0')).toBeUndefined();
    expect(drawText('ubd.reply')).toBeUndefined();
  });

  it("explore's text names the draws a finding's schedule took", () => {
    const schedule = ['ubd.reply', 'disk.mailbox', 'disk.choose:svc:guest#1.0=0', 'disk.reply'];
    const finding: Finding = {
      signature: 'deadlock:cycle:@aio->ubd>ubd-irq>@cpu uml0>ubd',
      outcome: 'deadlock',
      seed: null,
      strategy: 'replay',
      params: { pipe: 1 },
      steps: 4,
      explanation: 'deadlock: cycle of 2 contexts',
      token: encodeToken({ scenario: 'ubd-pipe-fill', variant: 'buggy', params: { pipe: 1 }, strategy: 'replay', seed: 0, modelHash: '0123456789abcdef', choices: schedule }),
      count: 1,
    };
    const doc: ExploreDoc = {
      biostack: 'explore',
      version: 1,
      scenario: 'ubd-pipe-fill',
      variant: 'buggy',
      strategy: 'dfs',
      swarm: false,
      params: { pipe: 1 },
      schedules: 0,
      shard: null,
      runs: 1,
      outcomes: { deadlock: 1 },
      findings: [finding],
      exhaustive: { states: 10, transitions: 12, terminals: 2, exhausted: true, maxDepth: 4 },
      workers: 1,
      wallMs: 0,
    };
    expect(exploreText(doc)).toContain('     draws      disk draws svc=0 for guest#1.0');
    const shrunk = { ...finding, shrunk: { steps: 3, originalSteps: 4, runs: 2, schedule: ['disk.choose:svc:guest#1.0=0', 'disk.choose:svc:guest#2.0=3'] } };
    expect(exploreText({ ...doc, findings: [shrunk] })).toContain('     draws      disk draws svc=0 for guest#1.0; disk draws svc=3 for guest#2.0');
    expect(exploreText({ ...doc, findings: [{ ...finding, token: encodeToken({ scenario: 'ubd-pipe-fill', variant: 'buggy', params: {}, strategy: 'replay', seed: 0, modelHash: '0123456789abcdef', choices: ['ubd.reply'] }) }] }).some((l) => l.includes('draws '))).toBe(false);
  });
});
