/**
 * The one judge of must/may expectations (DESIGN.md "Outcomes"), used by
 * `catalogue`, `verify` and `expectOutcome`:
 * - `must X`: every schedule gives X and, when an evidence metric is named,
 *   it is > 0 in every run (a fix that was never stressed proves nothing);
 *   every schedule is still run, so the counts are whole;
 * - `may X`: some schedule gives X; the first one is the witness, and the
 *   judge stops there.
 * Callers choose the schedules and how one is run; the judge only decides.
 */
import type { Outcome } from '../check/outcome.js';
import type { Expectation } from './scenario.js';

/** What the judge needs to know of one run. */
export interface JudgedRun {
  readonly outcome: Outcome;
  readonly steps: number;
  /** The variant's evidence metric, when it declares one. */
  readonly evidence?: number;
}

export interface Verdict<T, R extends JudgedRun> {
  readonly pass: boolean;
  readonly runs: number;
  /** How many runs gave each outcome, in the order first seen. */
  readonly counts: ReadonlyMap<Outcome, number>;
  /** `may`: the first schedule that gave the outcome, and its run. */
  readonly witness: { readonly trial: T; readonly run: R } | null;
  /** `must` that failed: the first schedule that broke it, its run, and how. */
  readonly counterexample: { readonly trial: T; readonly run: R; readonly reason: string } | null;
  /** The evidence over the runs that count (all for `must`, the witness for `may`); null when none was measured. */
  readonly evidence: { readonly min: number; readonly max: number } | null;
  /** The longest run for `must` (and a failed `may`), the witness's steps for `may`. */
  readonly steps: number;
}

export interface JudgeOptions {
  /** The evidence metric's name: with `must`, a run whose evidence is <= 0 breaks the claim. */
  readonly evidenceMetric?: string;
  /** After each run: how many ran. */
  readonly progress?: (done: number) => void;
  /** `must`: stop at the first counterexample instead of running every schedule. */
  readonly stopAtCounterexample?: boolean;
}

/** Judge `expect` over `trials`, running each with `run`; see the file comment. */
export function judge<T, R extends JudgedRun>(expect: Expectation, trials: Iterable<T>, run: (trial: T) => R, opts: JudgeOptions = {}): Verdict<T, R> {
  const counts = new Map<Outcome, number>();
  let witness: Verdict<T, R>['witness'] = null;
  let counterexample: Verdict<T, R>['counterexample'] = null;
  let steps = 0;
  let evMin = Infinity;
  let evMax = -Infinity;
  let runs = 0;
  for (const trial of trials) {
    const r = run(trial);
    counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    runs++;
    opts.progress?.(runs);
    if (expect.kind === 'may') {
      steps = Math.max(steps, r.steps);
      if (r.outcome !== expect.outcome) continue;
      witness = { trial, run: r };
      steps = r.steps;
      if (r.evidence !== undefined) evMin = evMax = r.evidence;
      break;
    }
    steps = Math.max(steps, r.steps);
    if (r.evidence !== undefined) {
      evMin = Math.min(evMin, r.evidence);
      evMax = Math.max(evMax, r.evidence);
    }
    if (counterexample) continue;
    if (r.outcome !== expect.outcome) counterexample = { trial, run: r, reason: `gave ${r.outcome}` };
    else if (opts.evidenceMetric !== undefined && r.evidence !== undefined && r.evidence <= 0) {
      counterexample = { trial, run: r, reason: `evidence ${opts.evidenceMetric} = ${r.evidence}: never stressed` };
    }
    if (counterexample && opts.stopAtCounterexample) break;
  }
  return {
    pass: expect.kind === 'may' ? witness !== null : counterexample === null,
    runs,
    counts,
    witness,
    counterexample,
    evidence: evMin <= evMax ? { min: evMin, max: evMax } : null,
    steps,
  };
}
