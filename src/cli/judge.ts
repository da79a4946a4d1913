/**
 * Judging a variant against what it declares for its default parameters,
 * for `catalogue` and `verify`: `must` on fifo plus random seeds 1..N, `may`
 * within random seeds 1..N. The decision is src/scenario/judge.ts's; this
 * file picks the schedules and shapes the row the tables print.
 */
import { performance } from 'node:perf_hooks';
import { OUTCOMES, type Outcome } from '../check/outcome.js';
import type { StrategyName } from '../kernel/strategy.js';
import { runScenario } from '../scenario/run.js';
import type { Expectation, Scenario } from '../scenario/scenario.js';
import { judge } from '../scenario/judge.js';

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

/** Judge a variant on its default parameters: fifo (for `must`) and random seeds 1..schedules. */
export function judgeVariant(scenario: Scenario, variant: string, schedules: number, progress?: (done: number, total: number) => void): Judgement {
  const spec = scenario.variants[variant];
  const expect = spec.expect;
  const trials: Trial[] = expect.kind === 'must' ? [{ strategy: 'fifo', seed: 1 }] : [];
  for (let seed = 1; seed <= schedules; seed++) trials.push({ strategy: 'random', seed });
  const started = performance.now();
  const v = judge(expect, trials, (t) => {
    const run = runScenario(scenario, variant, {}, { strategy: t.strategy, seed: t.seed });
    return { outcome: run.result.outcome, steps: run.result.steps, evidence: run.evidence };
  }, { evidenceMetric: spec.evidence?.metric, progress: (done) => progress?.(done, trials.length) });
  const outcomes: Partial<Record<Outcome, number>> = {};
  for (const o of OUTCOMES) if (v.counts.has(o)) outcomes[o] = v.counts.get(o);
  return {
    scenario: scenario.name,
    variant,
    expect,
    runs: v.runs,
    outcomes,
    witness: v.witness?.trial ?? null,
    evidence: spec.evidence && v.evidence ? { metric: spec.evidence.metric, ...v.evidence } : null,
    steps: v.steps,
    wallMs: Math.round(performance.now() - started),
    pass: v.pass,
    counterexample: v.counterexample ? { ...v.counterexample.trial, outcome: v.counterexample.run.outcome, reason: v.counterexample.reason } : null,
  };
}
