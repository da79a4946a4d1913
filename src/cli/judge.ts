/**
 * Judging a variant against what it declares for its default parameters
 * (DESIGN.md "Outcomes"):
 * - `must X`: fifo plus random seeds 1..N all give X and, when the variant
 *   declares evidence, its metric is > 0 in every run (a fix that was never
 *   stressed proves nothing);
 * - `may X`: some random seed in 1..N gives X; the first one is the witness.
 */
import { performance } from 'node:perf_hooks';
import { OUTCOMES, type Outcome } from '../check/outcome.js';
import type { StrategyName } from '../kernel/strategy.js';
import { runScenario } from '../scenario/run.js';
import type { Expectation, Scenario } from '../scenario/scenario.js';

/** One schedule tried: enough to run it again. */
export interface Trial {
  readonly strategy: StrategyName;
  readonly seed: number;
}

export interface Judgement {
  readonly scenario: string;
  readonly variant: string;
  readonly expect: Expectation;
  readonly runs: number;
  /** How many runs gave each outcome, in OUTCOMES order. */
  readonly outcomes: Readonly<Partial<Record<Outcome, number>>>;
  /** `may`: the first schedule that gave the outcome. */
  readonly witness: Trial | null;
  /** The evidence metric over the runs that count (all for `must`, the witness for `may`). */
  readonly evidence: { readonly metric: string; readonly min: number; readonly max: number } | null;
  /** Steps: the longest run for `must`, the witness's for `may`. */
  readonly steps: number;
  readonly wallMs: number;
  readonly pass: boolean;
  /** `must` that failed: the first run that broke it, and how. */
  readonly counterexample: (Trial & { readonly outcome: Outcome; readonly reason: string }) | null;
}

export function judgeVariant(scenario: Scenario, variant: string, schedules: number, progress?: (done: number, total: number) => void): Judgement {
  const spec = scenario.variants[variant];
  const expect = spec.expect;
  const trials: Trial[] = expect.kind === 'must' ? [{ strategy: 'fifo', seed: 1 }] : [];
  for (let seed = 1; seed <= schedules; seed++) trials.push({ strategy: 'random', seed });

  const counts = new Map<Outcome, number>();
  let witness: Trial | null = null;
  let counterexample: Judgement['counterexample'] = null;
  let steps = 0;
  let evMin = Infinity;
  let evMax = -Infinity;
  const started = performance.now();
  let done = 0;
  for (const t of trials) {
    const run = runScenario(scenario, variant, {}, { strategy: t.strategy, seed: t.seed });
    const { outcome } = run.result;
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    done++;
    progress?.(done, trials.length);
    if (expect.kind === 'may') {
      steps = Math.max(steps, run.result.steps);
      if (outcome !== expect.outcome) continue;
      witness = t;
      steps = run.result.steps;
      if (run.evidence !== undefined) evMin = evMax = run.evidence;
      break;
    }
    steps = Math.max(steps, run.result.steps);
    if (run.evidence !== undefined) {
      evMin = Math.min(evMin, run.evidence);
      evMax = Math.max(evMax, run.evidence);
    }
    if (counterexample) continue;
    if (outcome !== expect.outcome) counterexample = { ...t, outcome, reason: `gave ${outcome}` };
    else if (run.evidence !== undefined && run.evidence <= 0) counterexample = { ...t, outcome, reason: `evidence ${spec.evidence!.metric} = ${run.evidence}: never stressed` };
  }
  const outcomes: Partial<Record<Outcome, number>> = {};
  for (const o of OUTCOMES) if (counts.has(o)) outcomes[o] = counts.get(o);
  return {
    scenario: scenario.name,
    variant,
    expect,
    runs: done,
    outcomes,
    witness,
    evidence: spec.evidence && evMin <= evMax ? { metric: spec.evidence.metric, min: evMin, max: evMax } : null,
    steps,
    wallMs: Math.round(performance.now() - started),
    pass: expect.kind === 'may' ? witness !== null : counterexample === null,
    counterexample,
  };
}
