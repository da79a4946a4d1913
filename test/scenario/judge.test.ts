/**
 * The one judge of must/may expectations: `must` needs every run (and its
 * evidence, when named) to agree and counts them all; `may` stops at its
 * first witness.
 */
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/check/outcome.js';
import { judge } from '../../src/scenario/judge.js';

const runs = (...outcomes: [Outcome, number?][]) => outcomes.map(([outcome, evidence], i) => ({ outcome, steps: 10 + i, evidence }));
const id = <T>(x: T): T => x;

describe('judge', () => {
  it('must: every run gives the outcome -> pass; counts and the longest run are over all runs', () => {
    const v = judge({ kind: 'must', outcome: 'completed' }, runs(['completed', 2], ['completed', 5], ['completed', 1]), id, { evidenceMetric: 'requeues' });
    expect(v).toMatchObject({ pass: true, runs: 3, witness: null, counterexample: null, evidence: { min: 1, max: 5 }, steps: 12 });
    expect([...v.counts]).toEqual([['completed', 3]]);
  });

  it('must: the first run with another outcome is the counterexample, and the rest still run', () => {
    const v = judge({ kind: 'must', outcome: 'completed' }, runs(['completed'], ['deadlock'], ['violation']), id);
    expect(v.pass).toBe(false);
    expect(v.counterexample).toMatchObject({ trial: { outcome: 'deadlock', steps: 11 }, reason: 'gave deadlock' });
    expect(v.runs).toBe(3);
  });

  it('must with an evidence metric: a run that was never stressed (evidence 0) breaks the claim', () => {
    const v = judge({ kind: 'must', outcome: 'completed' }, runs(['completed', 3], ['completed', 0]), id, { evidenceMetric: 'requeues' });
    expect(v.counterexample?.reason).toBe('evidence requeues = 0: never stressed');
    // Without a named metric, evidence is measured but does not judge.
    expect(judge({ kind: 'must', outcome: 'completed' }, runs(['completed', 3], ['completed', 0]), id).pass).toBe(true);
  });

  it('must with stopAtCounterexample ends at the first counterexample', () => {
    const v = judge({ kind: 'must', outcome: 'completed' }, runs(['deadlock'], ['completed']), id, { stopAtCounterexample: true });
    expect(v).toMatchObject({ pass: false, runs: 1 });
  });

  it('may: the first run with the outcome is the witness and the judge stops there; none -> fail', () => {
    const v = judge({ kind: 'may', outcome: 'deadlock' }, runs(['completed'], ['deadlock', 4], ['deadlock']), id);
    expect(v).toMatchObject({ pass: true, runs: 2, witness: { trial: { steps: 11 } }, steps: 11, evidence: { min: 4, max: 4 } });
    const none = judge({ kind: 'may', outcome: 'deadlock' }, runs(['completed'], ['completed']), id);
    expect(none).toMatchObject({ pass: false, runs: 2, witness: null, steps: 11 });
  });
});
