/**
 * Shrinking the workload and resource sizes of a finding (PEERS.md §5 item
 * 5: "deadlocks with bioset >= 1 element ... minimal trace: 11 steps"): each
 * integer parameter the variant uses is lowered toward its minimum while the
 * finding survives, and the schedule is shrunk again for the new sizes.
 */
import { Simulation, type RunOptions, type RunResult } from '../kernel/simulation.js';
import type { ParamSpec, Params, Scenario } from '../scenario/scenario.js';
import { DEFAULT_MAX_RUNS, FindingNotReproduced, shrinkSchedule, type ShrinkOptions } from './shrink-schedule.js';

export interface ShrunkParams {
  readonly params: Params;
  /** Delivered labels of the best run at `params`: replays strictly. */
  readonly schedule: string[];
  readonly steps: number;
  /** Runs spent, schedule shrinking included. */
  readonly runs: number;
  /** Parameters whose value changed, in declaration order. */
  readonly changed: string[];
}

/**
 * Seeded random schedules tried on candidate parameters when the current
 * schedule and fifo both miss: a smaller ring or pipe often needs a
 * different interleaving, not a longer search.
 */
const RANDOM_SEEDS = 8;

/**
 * Shrink `params` (then the schedule) while `keep` holds. The schedule is
 * shrunk first at the given parameters; then, in declaration order and
 * until a pass changes nothing, each int parameter is binary-searched
 * between its minimum and its value. The search assumes that a finding kept
 * at some value is kept at the larger ones (true of pool, pipe, ring sizes
 * and bursts in the usual direction); when it is not, we miss a smaller
 * value, never accept a wrong one.
 */
export function shrinkParams(
  scenario: Scenario,
  variant: string,
  params: Params,
  schedule: readonly string[],
  keep: (r: RunResult) => boolean,
  opts: ShrinkOptions = {},
): ShrunkParams {
  const maxRuns = opts.maxRuns ?? DEFAULT_MAX_RUNS;
  let runs = 0;
  const shrink = (p: Params, s: readonly string[]) => {
    const r = shrinkSchedule(scenario.build(variant, p), s, keep, { maxRuns: maxRuns - runs });
    runs += r.runs;
    return r;
  };

  let cur = params;
  let best: { schedule: string[]; steps: number };
  try {
    best = shrink(cur, schedule);
  } catch (e) {
    if (!(e instanceof FindingNotReproduced)) throw e;
    const shown = Object.entries(params).map(([k, val]) => `${k}=${String(val)}`).join(' ');
    throw new FindingNotReproduced(`${scenario.name} ${variant} (${shown}): ${e.message}`);
  }

  /** The first run on `p` that keeps the finding: the current schedule leniently, then fifo, then random seeds. */
  const reproduce = (p: Params): RunResult | undefined => {
    const system = scenario.build(variant, p);
    const tries: RunOptions[] = [{ strategy: 'replay', schedule: best.schedule, lenient: true }, { strategy: 'fifo' }];
    for (let seed = 1; seed <= RANDOM_SEEDS; seed++) tries.push({ strategy: 'random', seed });
    for (const t of tries) {
      if (runs >= maxRuns) return undefined;
      runs++;
      const r = new Simulation(system, t).run();
      if (keep(r)) return r;
    }
    return undefined;
  };

  const v = scenario.variants[variant];
  const ints = Object.keys(scenario.params).filter((n) => v.uses.includes(n) && scenario.params[n].type === 'int');
  for (let changedInPass = true; changedInPass && runs < maxRuns; ) {
    changedInPass = false;
    for (const name of ints) {
      const spec = scenario.params[name] as Extract<ParamSpec, { type: 'int' }>;
      let lo = spec.min;
      let hi = cur[name] as number;
      let found: RunResult | undefined;
      while (lo < hi && runs < maxRuns) {
        const mid = Math.floor((lo + hi) / 2);
        const r = reproduce({ ...cur, [name]: mid });
        if (r) {
          hi = mid;
          found = r;
        } else lo = mid + 1;
      }
      if (!found) continue;
      cur = { ...cur, [name]: hi };
      best = runs < maxRuns ? shrink(cur, found.schedule) : { schedule: [...found.schedule], steps: found.steps };
      changedInPass = true;
    }
  }
  const changed = ints.filter((n) => cur[n] !== params[n]);
  return { params: cur, schedule: best.schedule, steps: best.steps, runs, changed };
}
