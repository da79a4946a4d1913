/**
 * One schedule of an exploration: a plan (plain data, so worker threads get
 * it as a message) and a seed make a run; its Trial is what the explorer
 * keeps of it. A trial is a pure function of (plan, seed).
 */
import type { Outcome } from '../check/outcome.js';
import type { RunInputs } from '../report/run-json.js';
import { runScenario } from '../scenario/run.js';
import type { ParamValue, Params, Scenario } from '../scenario/scenario.js';
import { isFinding, signatureOf } from './finding.js';
import { strategyForSeed, type SeedStrategy } from './portfolio.js';
import { swarmOverrides } from './swarm.js';
import { encodeToken } from './token.js';

/** How every schedule of an exploration is made; plain data, so worker threads get it as a message. */
export interface TrialPlan {
  /** Catalogue name: worker threads look the scenario up by it. */
  readonly scenario: string;
  readonly variant: string;
  /** Parameters fixed for every schedule (`--set`); the rest are the defaults or swarm draws. */
  readonly sets: Readonly<Record<string, ParamValue>>;
  readonly strategy: SeedStrategy;
  /** PCT depth for strategy `pct`. */
  readonly pctDepth?: number;
  readonly swarm: boolean;
}

/** One schedule run: what a worker sends back. Findings carry their explanation; other runs do not. */
export interface Trial {
  readonly seed: number;
  readonly inputs: RunInputs;
  readonly params: Params;
  readonly modelHash: string;
  readonly outcome: Outcome;
  readonly signature: string;
  readonly steps: number;
  /** Virtual time at the end. */
  readonly time: number;
  /** The variant's evidence metric, when it declares one. */
  readonly evidence?: number;
  readonly traceHash: string;
  readonly explanation?: string;
}

/** Run schedule `seed` of `plan`. */
export function runTrial(scenario: Scenario, plan: TrialPlan, seed: number): Trial {
  const inputs = strategyForSeed(plan.strategy, seed, plan.pctDepth);
  const overrides = plan.swarm ? swarmOverrides(scenario, plan.variant, plan.sets, seed) : plan.sets;
  const run = runScenario(scenario, plan.variant, overrides, { seed, strategy: inputs.strategy, pctDepth: inputs.pctDepth });
  const r = run.result;
  const finding = isFinding(r.outcome);
  return {
    seed,
    inputs,
    params: run.params,
    modelHash: run.modelHash,
    outcome: r.outcome,
    signature: signatureOf(r),
    steps: r.steps,
    time: r.time,
    ...(run.evidence !== undefined ? { evidence: run.evidence } : {}),
    traceHash: r.traceHash,
    ...(finding ? { explanation: r.explanation } : {}),
  };
}

/** Schedule `seed` of `plans[plan]`. */
export interface TrialJob {
  readonly plan: number;
  readonly seed: number;
}

/** The replay token of a trial's run. */
export function tokenOf(scenario: string, variant: string, t: Trial): string {
  return encodeToken({ scenario, variant, params: t.params, strategy: t.inputs.strategy, seed: t.seed, pctDepth: t.inputs.pctDepth, modelHash: t.modelHash });
}
