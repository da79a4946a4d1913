/**
 * Assertions for scenario authors' tests (vitest or any runner): each runs a
 * set of schedules in this thread and throws an Error whose message has what
 * a person needs to look at the failure — the seed and strategy, the
 * outcome, its explanation and a replay token (`biostack replay <token>`).
 *
 *   expectOutcome(ubdPipeFill, 'buggy', 'deadlock', { params: { burst: 6 }, kind: 'must' });
 *   expectNoFinding(ubdPipeFill, 'fix-credits', { schedules: 500 });
 */
import type { Outcome } from './check/outcome.js';
import type { ParamValue, Scenario } from './scenario/scenario.js';
import { isFinding } from './explore/finding.js';
import { judge } from './scenario/judge.js';
import { runTrial, tokenOf, type Trial, type TrialPlan } from './explore/trial.js';
import { inputsText, type SeedStrategy } from './explore/portfolio.js';

export interface OutcomeClaimOptions {
  /** Parameters to set (the variant's defaults otherwise). */
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** Seeds 1..schedules. Default 100. */
  readonly schedules?: number;
  /** Default `random`; `portfolio` rotates random and pct (explore's portfolio); `fifo` is one schedule. */
  readonly strategy?: SeedStrategy;
  /** `must`: every schedule (and fifo) gives the outcome; `may`: some schedule does. Default `must`. */
  readonly kind?: 'must' | 'may';
}

const DEFAULT_SCHEDULES = 100;

/** Throw unless the variant gives `outcome` on every schedule (`must`) or on some schedule (`may`). */
export function expectOutcome(scenario: Scenario, variant: string, outcome: Outcome, opts: OutcomeClaimOptions = {}): void {
  const kind = opts.kind ?? 'must';
  const strategy = opts.strategy ?? 'random';
  const schedules = opts.schedules ?? DEFAULT_SCHEDULES;
  const plan = planOf(scenario, variant, opts.params, strategy);
  const claim = `expectOutcome(${scenario.name}/${variant}, ${kind} ${outcome})`;
  const v = judge({ kind, outcome }, schedulesOf(plan, schedules, kind === 'must'), ([p, seed]) => runTrial(scenario, p, seed), { stopAtCounterexample: true });
  if (v.pass) return;
  if (v.counterexample) throw new Error(`${claim} failed: ${described(scenario, variant, v.counterexample.run)}`);
  const got = [...v.counts].map(([o, n]) => `${n} ${o}`).join(', ');
  throw new Error(`${claim} failed: no schedule of ${strategy === 'fifo' ? 'fifo' : `${strategy} seeds 1..${schedules}`} gave ${outcome} (got ${got}); a rarer outcome may need more schedules`);
}

/** Throw at the first schedule (fifo, then portfolio seeds 1..schedules) whose outcome is a finding. */
export function expectNoFinding(scenario: Scenario, variant: string, opts: Omit<OutcomeClaimOptions, 'kind' | 'strategy'> = {}): void {
  const schedules = opts.schedules ?? DEFAULT_SCHEDULES;
  const plan = planOf(scenario, variant, opts.params, 'portfolio');
  for (const [p, seed] of schedulesOf(plan, schedules, true)) {
    const t = runTrial(scenario, p, seed);
    if (isFinding(t.outcome)) throw new Error(`expectNoFinding(${scenario.name}/${variant}) failed: ${described(scenario, variant, t)}`);
  }
}

function planOf(scenario: Scenario, variant: string, params: OutcomeClaimOptions['params'], strategy: SeedStrategy): TrialPlan {
  return { scenario: scenario.name, variant, sets: params ?? {}, strategy, swarm: false };
}

/** fifo first when asked (the schedule a reader tries first), then seeds 1..n of the plan's strategy. */
function* schedulesOf(plan: TrialPlan, n: number, withFifo: boolean): Generator<[TrialPlan, number]> {
  if (withFifo || plan.strategy === 'fifo') yield [{ ...plan, strategy: 'fifo' }, 1];
  if (plan.strategy === 'fifo') return;
  for (let seed = 1; seed <= n; seed++) yield [plan, seed];
}

function described(scenario: Scenario, variant: string, t: Trial): string {
  const params = Object.entries(t.params).map(([k, v]) => `${k}=${v}`).join(' ');
  const explanation = t.explanation ? `\n  ${t.explanation}` : '';
  return [
    `schedule ${inputsText(t.inputs)} seed ${t.seed} gave ${t.outcome} (params ${params}, ${t.steps} steps)${explanation}`,
    `  replay: npx biostack replay ${tokenOf(scenario.name, variant, t)}`,
  ].join('\n');
}
