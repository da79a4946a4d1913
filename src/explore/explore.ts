/**
 * Exploring many schedules of one variant (DESIGN.md `explore/`). Schedule s
 * is a seed: it picks the strategy (portfolio.ts) and, in swarm mode, the
 * parameters (swarm.ts). Each run is a Trial; a **finding** is a signature
 * (finding.ts) with the lowest seed that gave it, how many seeds did, and a
 * replay token. A trial is a pure function of (plan, seed), so where trials
 * run — this thread, K worker threads, n shards on n machines — changes the
 * wall time and nothing else.
 */
import { performance } from 'node:perf_hooks';
import { OUTCOMES, type Outcome } from '../check/outcome.js';
import type { SystemSpec } from '../kernel/system.js';
import type { StrategyName } from '../kernel/strategy.js';
import { resolveParams } from '../scenario/params.js';
import type { ParamValue, Params, Scenario } from '../scenario/scenario.js';
import type { ExhaustiveResult } from './exhaustive.js';
import { isFinding } from './finding.js';
import { swarmable } from './swarm.js';
import { runTrial, tokenOf, type Trial, type TrialJob, type TrialPlan } from './trial.js';
import { shardSeeds, shardsText, type Shard } from './shard.js';
import { encodeToken } from './token.js';
import { runInWorkers } from './workers.js';

export interface TrialRunOptions {
  /**
   * Worker threads; 1 runs in this thread. Workers look the scenario up in the
   * catalogue by name and run dist/ (see workers.ts), so a scenario defined
   * elsewhere (a test's) must use 1.
   */
  readonly workers: number;
  /** Called after each trial, in completion order; `done` counts trials so far. */
  readonly onTrial?: (trial: Trial, done: number) => void;
}

/** Run every job; the trials come back in job order, whatever the number of workers. */
export async function runTrials(scenario: Scenario, plans: readonly TrialPlan[], jobs: readonly TrialJob[], opts: TrialRunOptions): Promise<Trial[]> {
  const trials: Trial[] = new Array(jobs.length);
  let done = 0;
  if (opts.workers <= 1 || jobs.length <= 1) {
    for (let i = 0; i < jobs.length; i++) {
      trials[i] = runTrial(scenario, plans[jobs[i].plan], jobs[i].seed);
      opts.onTrial?.(trials[i], ++done);
    }
    return trials;
  }
  await runInWorkers(plans, jobs, opts.workers, (index, trial) => {
    trials[index] = trial;
    opts.onTrial?.(trial, ++done);
  });
  return trials;
}

/** How many trials gave each outcome, in OUTCOMES order, seen outcomes only. */
export function outcomeCounts(trials: readonly Trial[]): Partial<Record<Outcome, number>> {
  const counts: Partial<Record<Outcome, number>> = {};
  for (const o of OUTCOMES) {
    const n = trials.filter((t) => t.outcome === o).length;
    if (n > 0) counts[o] = n;
  }
  return counts;
}

/** One distinct bug found by an exploration. */
export interface Finding {
  /** What makes it this bug (finding.ts `signatureOf`). */
  readonly signature: string;
  readonly outcome: Outcome;
  /** The lowest seed that gave it; null for a dfs/bfs finding (its token carries the schedule). */
  readonly seed: number | null;
  /** That schedule's own strategy (a portfolio seed says which it got). */
  readonly strategy: StrategyName;
  readonly pctDepth?: number;
  /** Every parameter of that run (swarm draws included). */
  readonly params: Params;
  readonly steps: number;
  readonly explanation: string;
  /** `biostack replay <token>` reproduces that run. */
  readonly token: string;
  /** Schedules that gave this signature. */
  readonly count: number;
  /** The schedule file written under `--out`. */
  readonly file?: string;
  /** The finding's schedule shrunk (shrink-schedule.ts), same outcome and signature; `token` replays the original run. */
  readonly shrunk?: { readonly steps: number; readonly originalSteps: number; readonly runs: number; readonly schedule: readonly string[] };
  /** Replays the shrunk schedule (strategy replay). */
  readonly shrunkToken?: string;
  /** The point of no return on the shrunk schedule (critical.ts). */
  readonly critical?: { readonly step: number; readonly label: string; readonly exact: boolean; readonly continuations: unknown; readonly note: string };
}

/** Group trials (in seed order) by signature: the first of each is the finding, with the group's size. */
export function findingsOf(scenario: string, variant: string, trials: readonly Trial[]): Finding[] {
  const groups = new Map<string, { first: Trial; count: number }>();
  for (const t of trials) {
    if (!isFinding(t.outcome)) continue;
    const g = groups.get(t.signature);
    if (g) g.count++;
    else groups.set(t.signature, { first: t, count: 1 });
  }
  return [...groups.values()].map(({ first: t, count }) => ({
    signature: t.signature,
    outcome: t.outcome,
    seed: t.seed,
    strategy: t.inputs.strategy,
    ...(t.inputs.pctDepth !== undefined ? { pctDepth: t.inputs.pctDepth } : {}),
    params: t.params,
    steps: t.steps,
    explanation: t.explanation ?? '',
    token: tokenOf(scenario, variant, t),
    count,
  }));
}

export const EXPLORE_JSON_VERSION = 1;

/**
 * `explore --json`. Two runs with the same inputs give the same document
 * except `workers` and `wallMs` (and `file` names under --out, which carry a
 * nanoid); shards merged with `biostack merge` give the unsharded document
 * except those and `shard`.
 */
export interface ExploreDoc {
  readonly biostack: 'explore';
  readonly version: number;
  readonly scenario: string;
  readonly variant: string;
  readonly strategy: 'random' | 'pct' | 'portfolio' | 'dfs' | 'bfs';
  readonly pctDepth?: number;
  readonly swarm: boolean;
  /** Parameters every schedule ran with: all of them, or with --swarm those not drawn. */
  readonly params: Params;
  /** The seed space 1..schedules (0 for dfs/bfs). */
  readonly schedules: number;
  /** Shards this output covers (`2/4`, merged `1,3/4`); null: every seed. */
  readonly shard: string | null;
  /** Schedules actually run (the shard's seeds). */
  readonly runs: number;
  readonly outcomes: Partial<Record<Outcome, number>>;
  /** In the order of their lowest seed. */
  readonly findings: readonly Finding[];
  /** dfs/bfs only: the search's own numbers. */
  readonly exhaustive?: { readonly states: number; readonly transitions: number; readonly terminals: number; readonly exhausted: boolean; readonly maxDepth: number };
  /** Worker threads that ran it; not part of the result. */
  readonly workers: number;
  readonly wallMs: number;
}

export interface ExploreRequest {
  readonly variant: string;
  /** `--set` values (raw text or values; resolveParams checks them). */
  readonly sets: Readonly<Record<string, unknown>>;
  readonly strategy: 'random' | 'pct' | 'portfolio';
  readonly pctDepth?: number;
  readonly swarm: boolean;
  readonly schedules: number;
  readonly shard?: Shard;
  readonly workers: number;
}

/** Explore seeds 1..N (or a shard of them) and group what was found. */
export async function explore(scenario: Scenario, req: ExploreRequest, onTrial?: (trial: Trial, done: number, total: number) => void): Promise<ExploreDoc> {
  const started = performance.now();
  const resolved = resolveParams(scenario, req.variant, req.sets);
  const sets: Record<string, ParamValue> = {};
  for (const name of Object.keys(req.sets)) sets[name] = resolved[name];
  const drawn = req.swarm ? swarmable(scenario, req.variant).filter((p) => !Object.hasOwn(sets, p)) : [];
  const params = Object.fromEntries(Object.entries(resolved).filter(([name]) => !drawn.includes(name)));
  const plan: TrialPlan = { scenario: scenario.name, variant: req.variant, sets, strategy: req.strategy, pctDepth: req.pctDepth, swarm: req.swarm };
  const seeds = shardSeeds(req.schedules, req.shard);
  const workers = Math.max(1, Math.min(req.workers, seeds.length));
  const trials = await runTrials(
    scenario,
    [plan],
    seeds.map((seed) => ({ plan: 0, seed })),
    { workers, onTrial: onTrial && ((t, done) => onTrial(t, done, seeds.length)) },
  );
  return {
    biostack: 'explore',
    version: EXPLORE_JSON_VERSION,
    scenario: scenario.name,
    variant: req.variant,
    strategy: req.strategy,
    ...(req.strategy === 'pct' ? { pctDepth: req.pctDepth } : {}),
    swarm: req.swarm,
    params,
    schedules: req.schedules,
    shard: req.shard ? shardsText([req.shard.index], req.shard.count) : null,
    runs: trials.length,
    outcomes: outcomeCounts(trials),
    findings: findingsOf(scenario.name, req.variant, trials),
    workers,
    wallMs: Math.round(performance.now() - started),
  };
}

// ---------------------------------------------------------------- exhaustive search (dfs/bfs)

/** The shape of `exhaust` in exhaustive.ts, written by another hand; kept here so this file builds without it. */
/** The explore document of a dfs/bfs search: one finding per signature, each replayable by its schedule. */
export function exhaustiveDoc(scenario: Scenario, variant: string, params: Params, modelHash: string, r: ExhaustiveResult, wallMs: number): ExploreDoc {
  return {
    biostack: 'explore',
    version: EXPLORE_JSON_VERSION,
    scenario: scenario.name,
    variant,
    strategy: r.mode,
    swarm: false,
    params,
    schedules: 0,
    shard: null,
    runs: 0,
    outcomes: {},
    findings: r.findings.map((f) => ({
      signature: f.signature,
      outcome: f.outcome,
      seed: null,
      strategy: 'replay',
      params,
      steps: f.steps,
      explanation: f.explanation,
      token: encodeToken({ scenario: scenario.name, variant, params, strategy: 'replay', seed: 1, modelHash, choices: f.schedule }),
      count: 1,
    })),
    exhaustive: { states: r.states, transitions: r.transitions, terminals: r.terminals, exhausted: r.exhausted, maxDepth: r.maxDepth },
    workers: 1,
    wallMs,
  };
}
