/**
 * Fix validation (PEERS.md §5.9): run one seed corpus against the buggy
 * variant and every fix, on the same parameters, and compare. The buggy
 * variant's defaults are the workload (a fix that does not read a parameter
 * drops it); the corpus is random seeds 1..N. For each variant: outcome
 * fractions, mean steps, mean virtual time, the evidence metric's mean, and
 * the difference from the buggy variant's means.
 *
 * What a fix that declares it completes must show here: no finding on the
 * buggy variant's workload, a declared evidence metric, and evidence > 0 on
 * average (else this corpus never stressed it and the comparison proves
 * nothing). Anything else is a surprise. A fix that declares a finding
 * (`fix-drop-lock` must make no progress: it trades one bug for the next) is only
 * shown: its own declaration is judged elsewhere.
 */
import type { Outcome } from '../check/outcome.js';
import { resolveParams } from '../scenario/params.js';
import type { Params, Scenario } from '../scenario/scenario.js';
import { isFinding } from './finding.js';
import { outcomeCounts, runTrials } from './explore.js';
import { tokenOf, type Trial, type TrialJob, type TrialPlan } from './trial.js';

/** The variant fixes are compared with; a scenario without one has no fix table. */
export const BASELINE_VARIANT = 'buggy';

/** Fix variants are named `fix-…` (DESIGN.md: "a buggy variant and one variant per fix"). */
export function fixesOf(scenario: Scenario): string[] {
  return Object.keys(scenario.variants).filter((v) => v.startsWith('fix-'));
}

export interface FixRow {
  readonly variant: string;
  /** What it ran with: the baseline's parameters that it reads. */
  readonly params: Params;
  readonly runs: number;
  readonly fractions: Partial<Record<Outcome, number>>;
  readonly meanSteps: number;
  readonly meanTime: number;
  readonly evidence: { readonly metric: string; readonly mean: number } | null;
  /** This row's means minus the baseline's; null on the baseline's row. */
  readonly delta: { readonly steps: number; readonly time: number } | null;
  /** Schedules of the corpus that gave a finding, and the first one's replay token. */
  readonly findings: number;
  readonly firstFinding: { readonly seed: number; readonly outcome: Outcome; readonly token: string } | null;
}

export interface FixValidation {
  readonly scenario: string;
  readonly baseline: string;
  /** Random seeds 1..seeds, the same for every variant. */
  readonly seeds: number;
  /** The baseline first, then each fix. */
  readonly rows: readonly FixRow[];
  readonly surprises: readonly string[];
}

/** Compare the baseline with every fix on one corpus; undefined when the scenario has no baseline or no fix. */
export async function validateFixes(
  scenario: Scenario,
  opts: { readonly schedules: number; readonly workers: number; readonly onTrial?: (done: number, total: number) => void },
): Promise<FixValidation | undefined> {
  const fixes = fixesOf(scenario);
  if (!Object.hasOwn(scenario.variants, BASELINE_VARIANT) || fixes.length === 0) return undefined;
  const workload = resolveParams(scenario, BASELINE_VARIANT);
  const variants = [BASELINE_VARIANT, ...fixes];
  const plans: TrialPlan[] = variants.map((variant) => {
    const uses = scenario.variants[variant].uses;
    const sets = Object.fromEntries(Object.entries(workload).filter(([p]) => uses.includes(p)));
    return { scenario: scenario.name, variant, sets, strategy: 'random', swarm: false };
  });
  const jobs: TrialJob[] = [];
  for (let plan = 0; plan < plans.length; plan++) for (let seed = 1; seed <= opts.schedules; seed++) jobs.push({ plan, seed });
  const onTrial = opts.onTrial;
  const trials = await runTrials(scenario, plans, jobs, { workers: opts.workers, onTrial: onTrial && ((_t, done) => onTrial(done, jobs.length)) });

  const surprises: string[] = [];
  const rows: FixRow[] = [];
  variants.forEach((variant, i) => {
    const mine = trials.slice(i * opts.schedules, (i + 1) * opts.schedules);
    const row = rowOf(scenario, variant, mine, rows[0]);
    rows.push(row);
    if (variant === BASELINE_VARIANT || isFinding(scenario.variants[variant].expect.outcome)) return;
    const where = `${scenario.name}/${variant} on ${BASELINE_VARIANT}'s workload (random seeds 1..${opts.schedules})`;
    if (row.firstFinding) {
      surprises.push(`${where}: ${row.findings} schedule${row.findings === 1 ? '' : 's'} gave a finding, first seed ${row.firstFinding.seed} (${row.firstFinding.outcome}); replay: biostack replay ${row.firstFinding.token}`);
    }
    const declared = scenario.variants[variant].evidence;
    if (!declared) surprises.push(`${where}: the fix declares no evidence metric, so nothing shows the stress it guards against happened`);
    else if (row.evidence && row.evidence.mean <= 0) surprises.push(`${where}: evidence ${declared.metric} is 0 in every run: this workload never stressed the fix, so the comparison proves nothing`);
  });
  return { scenario: scenario.name, baseline: BASELINE_VARIANT, seeds: opts.schedules, rows, surprises };
}

function rowOf(scenario: Scenario, variant: string, trials: readonly Trial[], baseline: FixRow | undefined): FixRow {
  const n = trials.length;
  const mean = (f: (t: Trial) => number): number => trials.reduce((sum, t) => sum + f(t), 0) / n;
  const counts = outcomeCounts(trials);
  const metric = scenario.variants[variant].evidence?.metric;
  const meanSteps = mean((t) => t.steps);
  const meanTime = mean((t) => t.time);
  const failing = trials.filter((t) => isFinding(t.outcome));
  const first = failing[0];
  return {
    variant,
    params: trials[0].params,
    runs: n,
    fractions: Object.fromEntries(Object.entries(counts).map(([o, c]) => [o, c / n])),
    meanSteps,
    meanTime,
    evidence: metric ? { metric, mean: mean((t) => t.evidence ?? 0) } : null,
    delta: baseline ? { steps: meanSteps - baseline.meanSteps, time: meanTime - baseline.meanTime } : null,
    findings: failing.length,
    firstFinding: first ? { seed: first.seed, outcome: first.outcome, token: tokenOf(scenario.name, variant, first) } : null,
  };
}
