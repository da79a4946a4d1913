/**
 * Sweeping parameters: for every point of a grid (all combinations of the
 * swept ranges), run the same seeds and report the fraction of schedules
 * that gave each outcome. This is how a threshold shows: `ubd-pipe-fill`
 * never deadlocks while burst <= max(pipe, ring), always from
 * pipe + ring + 2, and in between it depends on the interleaving.
 */
import { performance } from 'node:perf_hooks';
import { OUTCOMES, type Outcome } from '../check/outcome.js';
import { InputError } from '../input-error.js';
import { resolveParams } from '../scenario/params.js';
import type { ParamValue, Params, Scenario } from '../scenario/scenario.js';
import { outcomeCounts, runTrials } from './explore.js';
import type { TrialJob, TrialPlan } from './trial.js';

/** One swept parameter: `--param burst=1..8`. */
export interface SweepAxis {
  readonly param: string;
  readonly from: number;
  readonly to: number;
}

/** Parse `name=a..b` (or `name=a`) and check it against the parameter's spec and the variant. */
export function parseAxis(scenario: Scenario, variant: string, raw: string): SweepAxis {
  const m = /^([^=]+)=(-?\d+)(?:\.\.(-?\d+))?$/.exec(raw);
  if (!m) throw new InputError(`--param '${raw}' must be name=a..b or name=a, with integers a <= b (parameters of ${scenario.name}: ${Object.keys(scenario.params).join(', ')})`);
  const param = m[1];
  const spec = Object.hasOwn(scenario.params, param) ? scenario.params[param] : undefined;
  if (!spec) throw new InputError(`--param '${raw}': scenario ${scenario.name} has no parameter '${param}' (parameters: ${Object.keys(scenario.params).join(', ')})`);
  if (!scenario.variants[variant].uses.includes(param)) throw new InputError(`--param '${raw}': parameter '${param}' is not used by variant '${variant}' of ${scenario.name} (it uses: ${scenario.variants[variant].uses.join(', ')})`);
  if (spec.type !== 'int') throw new InputError(`--param '${raw}': only integer parameters can be swept; '${param}' is ${spec.type} (set it with --set)`);
  const from = Number(m[2]);
  const to = m[3] === undefined ? from : Number(m[3]);
  if (from > to) throw new InputError(`--param '${raw}': the range ${from}..${to} is empty; write the smaller bound first`);
  if (from < spec.min || to > spec.max) throw new InputError(`--param '${raw}': '${param}' allows integer ${spec.min}..${spec.max}, got ${from}..${to}`);
  return { param, from, to };
}

/** Every combination of the axes, the last axis varying fastest. */
export function gridPoints(axes: readonly SweepAxis[]): Record<string, number>[] {
  let points: Record<string, number>[] = [{}];
  for (const a of axes) {
    const next: Record<string, number>[] = [];
    for (const p of points) for (let v = a.from; v <= a.to; v++) next.push({ ...p, [a.param]: v });
    points = next;
  }
  return points;
}

export interface SweepPoint {
  /** Every parameter of the point (swept, set and default). */
  readonly params: Params;
  readonly counts: Partial<Record<Outcome, number>>;
  /** counts / schedules, for every outcome seen anywhere in the sweep. */
  readonly fractions: Partial<Record<Outcome, number>>;
}

export interface SweepDoc {
  readonly biostack: 'sweep';
  readonly version: number;
  readonly scenario: string;
  readonly variant: string;
  readonly strategy: 'random' | 'pct';
  readonly pctDepth?: number;
  readonly schedules: number;
  readonly axes: readonly SweepAxis[];
  /** Parameters fixed with --set. */
  readonly sets: Params;
  /** Outcomes seen at some point, in OUTCOMES order (the table's columns). */
  readonly outcomes: readonly Outcome[];
  readonly points: readonly SweepPoint[];
  readonly workers: number;
  readonly wallMs: number;
}

export interface SweepRequest {
  readonly variant: string;
  readonly axes: readonly SweepAxis[];
  /** `--set` values (raw); a swept parameter may not also be set. */
  readonly sets: Readonly<Record<string, unknown>>;
  readonly schedules: number;
  readonly strategy: 'random' | 'pct';
  readonly pctDepth?: number;
  readonly workers: number;
}

/** Run seeds 1..schedules at every grid point. */
export async function sweep(scenario: Scenario, req: SweepRequest, onTrial?: (done: number, total: number) => void): Promise<SweepDoc> {
  const started = performance.now();
  const seen = new Set<string>();
  for (const a of req.axes) {
    if (seen.has(a.param)) throw new InputError(`--param '${a.param}' is given twice; give one range per parameter`);
    if (Object.hasOwn(req.sets, a.param)) throw new InputError(`'${a.param}' is both swept (--param) and set (--set); give one`);
    seen.add(a.param);
  }
  const resolved = resolveParams(scenario, req.variant, req.sets);
  const sets: Record<string, ParamValue> = {};
  for (const name of Object.keys(req.sets)) sets[name] = resolved[name];
  const points = gridPoints(req.axes);
  const plans: TrialPlan[] = points.map((p) => ({ scenario: scenario.name, variant: req.variant, sets: { ...sets, ...p }, strategy: req.strategy, pctDepth: req.pctDepth, swarm: false }));
  const jobs: TrialJob[] = [];
  for (let plan = 0; plan < plans.length; plan++) for (let seed = 1; seed <= req.schedules; seed++) jobs.push({ plan, seed });
  const workers = Math.max(1, Math.min(req.workers, jobs.length));
  const trials = await runTrials(scenario, plans, jobs, { workers, onTrial: onTrial && ((_t, done) => onTrial(done, jobs.length)) });

  const counts = points.map((_, i) => outcomeCounts(trials.slice(i * req.schedules, (i + 1) * req.schedules)));
  const outcomes = OUTCOMES.filter((o) => counts.some((c) => c[o] !== undefined));
  return {
    biostack: 'sweep',
    version: 1,
    scenario: scenario.name,
    variant: req.variant,
    strategy: req.strategy,
    ...(req.strategy === 'pct' ? { pctDepth: req.pctDepth } : {}),
    schedules: req.schedules,
    axes: req.axes,
    sets,
    outcomes,
    points: points.map((_, i) => ({
      params: trials[i * req.schedules].params,
      counts: counts[i],
      fractions: Object.fromEntries(outcomes.map((o) => [o, (counts[i][o] ?? 0) / req.schedules])),
    })),
    workers,
    wallMs: Math.round(performance.now() - started),
  };
}
