import { Simulation, type RunOptions, type RunResult } from '../kernel/simulation.js';
import { modelHash } from '../kernel/model-hash.js';
import type { Params, Scenario } from './scenario.js';
import { resolveParams } from './params.js';

/** A scenario run: the kernel's result plus what the scenario says about it. */
export interface ScenarioRun {
  readonly scenario: string;
  readonly variant: string;
  readonly params: Params;
  readonly modelHash: string;
  readonly result: RunResult;
  /** Value of the variant's evidence metric (undefined when the variant declares none). */
  readonly evidence?: number;
}

/** Resolve parameters, build the system and run it once. */
export function runScenario(scenario: Scenario, variant: string, overrides: Readonly<Record<string, unknown>> = {}, options: RunOptions = {}): ScenarioRun {
  const params = resolveParams(scenario, variant, overrides);
  const system = scenario.build(variant, params);
  const result = new Simulation(system, options).run();
  const ev = scenario.variants[variant].evidence;
  return {
    scenario: scenario.name,
    variant,
    params,
    modelHash: modelHash(system),
    result,
    evidence: ev ? (result.metrics[ev.metric] ?? 0) : undefined,
  };
}
