/**
 * The `run --json` document: one object per run, everything a script needs to
 * judge or reproduce it. Nothing in it varies between two runs with the same
 * inputs except `wallMs`, which comes last (DESIGN.md "Outcomes").
 */
import type { Outcome, CycleNode, Violation, StackOverflow } from '../check/outcome.js';
import type { RunResult, StuckBio } from '../kernel/simulation.js';
import type { StrategyName } from '../kernel/strategy.js';
import type { TraceStep } from '../kernel/trace.js';
import type { ScenarioRun } from '../scenario/run.js';
import type { Expectation, Params, Scenario } from '../scenario/scenario.js';

/** Version of this document's shape; bump it when a field changes meaning or goes away. */
export const RUN_JSON_VERSION = 1;

/** How a run was asked for: the inputs that, with scenario, variant and params, determine it. */
export interface RunInputs {
  readonly seed: number;
  readonly strategy: StrategyName;
  /** PCT bug depth, for `pct` only. */
  readonly pctDepth?: number;
}

export interface RunJson {
  readonly version: number;
  readonly scenario: string;
  readonly variant: string;
  readonly params: Params;
  readonly seed: number;
  readonly strategy: StrategyName;
  readonly pctDepth?: number;
  readonly modelHash: string;
  /** The kernel it ran on: personality, HZ, preemption mode. */
  readonly kernel: RunResult['kernel'];
  /** What the variant declares for its default parameters. */
  readonly expected: Expectation;
  readonly outcome: Outcome;
  readonly explanation: string;
  /** The wait-for cycle (or orphan chain) in DESIGN.md's node shape. */
  readonly deadlock: { readonly shape: 'cycle' | 'orphan'; readonly nodes: readonly CycleNode[]; readonly stuckContexts: readonly string[] } | null;
  /**
   * With outcome `no-progress`: its window (ticks once the run had a timed wait, else steps) and the
   * wait-for cycle through timed waits that explains it, if one does (its timed context nodes carry `timed`).
   */
  readonly noProgress: {
    readonly window: number;
    readonly unit: 'ticks' | 'steps';
    readonly longestPeriod: number;
    readonly cycle: { readonly nodes: readonly CycleNode[]; readonly stuckContexts: readonly string[] } | null;
  } | null;
  readonly violation: Violation | null;
  readonly stackOverflow: StackOverflow | null;
  readonly steps: number;
  /** Virtual time at the end. */
  readonly time: number;
  readonly deliveries: number;
  readonly choicePoints: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** Lint-like warnings the run collected (`GFP_KERNEL|GFP_ATOMIC: GFP_ATOMIC must be used alone`); never an outcome. */
  readonly warnings: readonly string[];
  /** The variant's evidence metric and its value, when it declares one. */
  readonly evidence: { readonly metric: string; readonly value: number } | null;
  readonly bios: { readonly submitted: number; readonly completed: number; readonly failed: number; readonly stuck: readonly StuckBio[] };
  readonly traceHash: string;
  readonly lastSteps: readonly TraceStep[];
  readonly finalStates: Readonly<Record<string, string>>;
  readonly resources: Readonly<Record<string, string>>;
  /** Wall-clock milliseconds the run took: the one field that differs between identical runs. */
  readonly wallMs: number;
}

/** What names a run: enough to reproduce it (with the model it ran). Shared by --json and the --trace header. */
export function runIdentity(run: ScenarioRun, inputs: RunInputs) {
  return {
    scenario: run.scenario,
    variant: run.variant,
    params: run.params,
    seed: inputs.seed,
    strategy: inputs.strategy,
    ...(inputs.strategy === 'pct' ? { pctDepth: inputs.pctDepth } : {}),
    modelHash: run.modelHash,
  };
}

export function runJson(scenario: Scenario, run: ScenarioRun, inputs: RunInputs, wallMs: number): RunJson {
  const r = run.result;
  const variant = scenario.variants[run.variant];
  return {
    version: RUN_JSON_VERSION,
    ...runIdentity(run, inputs),
    kernel: r.kernel,
    expected: { kind: variant.expect.kind, outcome: variant.expect.outcome },
    outcome: r.outcome,
    explanation: r.explanation,
    deadlock: r.deadlock ? { shape: r.deadlock.shape, nodes: r.deadlock.nodes, stuckContexts: r.deadlock.stuckContexts } : null,
    noProgress: r.noProgress ? { window: r.noProgress.window, unit: r.noProgress.unit, longestPeriod: r.noProgress.longestPeriod, cycle: r.noProgress.cycle ?? null } : null,
    violation: r.violation ?? null,
    stackOverflow: r.stackOverflow ?? null,
    steps: r.steps,
    time: r.time,
    deliveries: r.deliveries,
    choicePoints: r.choicePoints,
    metrics: r.metrics,
    warnings: r.warnings,
    evidence: variant.evidence && run.evidence !== undefined ? { metric: variant.evidence.metric, value: run.evidence } : null,
    bios: r.bios,
    traceHash: r.traceHash,
    lastSteps: r.lastSteps,
    finalStates: r.finalStates,
    resources: r.resources,
    wallMs,
  };
}
