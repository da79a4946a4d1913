import { describe, it, expect } from 'vitest';
import { expectNoFinding, expectOutcome } from '../../src/index.js';
import { decodeToken } from '../../src/explore/token.js';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';

/** The Error a claim throws (fails the test if it does not throw). */
function thrown(f: () => void): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the claim passed; it should have failed');
}

describe('vitest helpers for scenario authors', () => {
  it('expectOutcome: buggy with burst 6 must deadlock (fifo and 20 random seeds)', () => {
    expectOutcome(ubdPipeFill, 'buggy', 'deadlock', { params: { burst: 6 }, kind: 'must', schedules: 20 });
  });

  it('expectOutcome may: buggy on its defaults deadlocks on some seed', () => {
    expectOutcome(ubdPipeFill, 'buggy', 'deadlock', { kind: 'may', schedules: 50 });
  });

  it('expectNoFinding: fix-credits shows no finding on fifo and 50 portfolio schedules', () => {
    expectNoFinding(ubdPipeFill, 'fix-credits', { schedules: 50 });
  });

  it('a false must claim throws with the schedule, seed, outcome, explanation and a replay token', () => {
    const msg = thrown(() => expectOutcome(ubdPipeFill, 'buggy', 'completed', { params: { burst: 6 }, kind: 'must', schedules: 5 }));
    expect(msg).toContain('expectOutcome(ubd-pipe-fill/buggy, must completed) failed');
    expect(msg).toContain('schedule fifo seed 1 gave deadlock (params pipe=2 ring=2 burst=6 latency=0');
    expect(msg).toMatch(/waits for space in pipe aio->ubd/);
    const token = /replay: npx biostack replay (\S+)/.exec(msg)![1];
    expect(decodeToken(token)).toMatchObject({ scenario: 'ubd-pipe-fill', variant: 'buggy', strategy: 'fifo', seed: 1, params: { burst: 6 } });
  });

  it('a false no-finding claim names the first failing seed and its token', () => {
    const msg = thrown(() => expectNoFinding(ubdPipeFill, 'buggy', { params: { burst: 5 }, schedules: 50 }));
    expect(msg).toMatch(/^expectNoFinding\(ubd-pipe-fill\/buggy\) failed: schedule (random|pct d=\d) seed \d+ gave deadlock/);
    expect(msg).toMatch(/replay: npx biostack replay bs1\./);
  });

  it('a may claim that never happens says what happened instead', () => {
    const msg = thrown(() => expectOutcome(ubdPipeFill, 'fix-credits', 'deadlock', { kind: 'may', schedules: 5 }));
    expect(msg).toContain('no schedule of random seeds 1..5 gave deadlock (got 5 completed)');
  });
});
