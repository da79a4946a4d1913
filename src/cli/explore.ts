/** `biostack explore`: many schedules of one variant, in parallel; every finding with a replay token. */
import { mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { nanoid } from 'nanoid';
import { CATALOGUE, findScenario } from '../catalogue.js';
import { OUTCOMES } from '../check/outcome.js';
import { InputError } from '../input-error.js';
import { DEFAULT_PCT_DEPTH } from '../kernel/strategy.js';
import { modelHash } from '../kernel/model-hash.js';
import { resolveParams } from '../scenario/params.js';
import { runScenario, type ScenarioRun } from '../scenario/run.js';
import type { Scenario } from '../scenario/scenario.js';
import type { RunInputs } from '../report/run-json.js';
import { toScheduleFile } from '../report/schedule-file.js';
import { drawText } from '../report/trace-text.js';
import { variantKernelMode } from '../report/kernel-mode.js';
import { exhaustiveDoc, explore, type ExploreDoc, type Finding } from '../explore/explore.js';
import { exhaust } from '../explore/exhaustive.js';
import { criticalStep } from '../explore/critical.js';
import { sameFinding, shrinkSchedule } from '../explore/shrink-schedule.js';
import { isFinding } from '../explore/finding.js';
import { inputsText, PORTFOLIO } from '../explore/portfolio.js';
import { ProgressLine } from '../explore/progress.js';
import { parseShard } from '../explore/shard.js';
import { swarmable } from '../explore/swarm.js';
import { decodeToken, encodeToken } from '../explore/token.js';
import type { OptionSpec, OptionSpecs } from './args.js';
import { writeFilesAtomically, type OutputFile } from './atomic-write.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { choiceOption, intOption, setOptions } from './option-values.js';
import { RUN_OPTIONS } from './run-request.js';
import { formatTable } from './table.js';

export const EXPLORE_STRATEGIES = ['portfolio', 'random', 'pct', 'dfs', 'bfs'] as const;
const DEFAULT_SCHEDULES = 1000;

/** `--workers K`, shared by explore, sweep and verify. */
export const WORKERS_OPTION: OptionSpec = {
  type: 'string',
  value: 'K',
  help: `worker threads (default: available parallelism, here ${availableParallelism()}); they run the build in dist/ (npm run build)`,
};

export function workersOption(raw: string | undefined): number {
  return raw === undefined ? availableParallelism() : intOption('workers', raw, 1, 'a positive integer (1 runs in this thread)');
}

/** Shrinking budget per finding: reaches the BFS-shortest schedule on ubd-pipe-fill up to pipe = ring = 64 in seconds. */
const DEFAULT_SHRINK_RUNS = 1_000;

const OPTIONS = {
  variant: RUN_OPTIONS.variant,
  set: { ...RUN_OPTIONS.set, help: 'fix a parameter for every schedule (kept under --swarm); repeatable' },
  schedules: { type: 'string', value: 'N', help: `schedules to run: seeds 1..N (default ${DEFAULT_SCHEDULES})` },
  strategy: { type: 'string', value: 'name', help: `${EXPLORE_STRATEGIES.join('|')} (default portfolio; see above)` },
  'pct-depth': { type: 'string', value: 'd', help: `PCT bug depth for --strategy pct (default ${DEFAULT_PCT_DEPTH})` },
  swarm: { type: 'boolean', help: "draw each parameter with a swarm range per schedule, from the schedule's seed" },
  workers: WORKERS_OPTION,
  shard: { type: 'string', value: 'i/n', help: 'run only shard i of n: seeds s with (s - 1) % n = i - 1 (biostack merge joins them)' },
  'fail-on-finding': { type: 'boolean', help: 'exit 1 when something was found' },
  json: { type: 'boolean', help: 'print one JSON object (what biostack merge reads)' },
  out: { type: 'string', value: 'dir', help: "write each finding's schedule file (and its shrunk schedule) into this directory (made when the first finding is written, if its parent exists)" },
  'shrink-runs': { type: 'string', value: 'N', help: `simulations each finding's shrinking may use (default ${DEFAULT_SHRINK_RUNS}; 0: do not shrink)` },
} as const satisfies OptionSpecs;

export const exploreCommand = defineCommand({
  name: 'explore',
  summary: 'run many schedules of a variant in parallel and report every distinct finding',
  usage: '<scenario> [options]',
  description: [
    'Runs schedules seeds 1..N of the variant and groups the runs whose outcome is a finding',
    '(deadlock, violation, stack-overflow, no-progress) by signature: the lowest seed of each, how',
    'many seeds gave it, its explanation and a replay token (biostack replay <token>).',
    '',
    'Strategies: random; pct (depth --pct-depth); portfolio rotates them by seed:',
    `  seed s -> ${PORTFOLIO.map((p) => inputsText(p)).join(', ')} for (s - 1) % ${PORTFOLIO.length} = ${PORTFOLIO.map((_, i) => i).join(', ')};`,
    'dfs and bfs search every interleaving of the configuration instead (no seeds).',
    '',
    'Parallel on worker threads; seeds are dealt to workers deterministically and the results put',
    'back in seed order, so any --workers gives the same findings. Workers run dist/ (npm run build).',
    '',
    'Exit status: 0 it ran; 1 with --fail-on-finding when something was found; 2 bad input.',
  ].join('\n'),
  options: OPTIONS,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new InputError(`explore takes one scenario, got ${positionals.length ? `'${positionals.join(' ')}'` : 'none'} (scenarios: ${CATALOGUE.map((s) => s.name).join(', ')})`);
    const strategy = values.strategy === undefined ? 'portfolio' : choiceOption('strategy', values.strategy, EXPLORE_STRATEGIES);
    const pctDepth = values['pct-depth'] === undefined ? undefined : intOption('pct-depth', values['pct-depth'], 1, 'an integer >= 1');
    if (pctDepth !== undefined && strategy !== 'pct') {
      throw new InputError(`--pct-depth applies to --strategy pct, not ${strategy}${strategy === 'portfolio' ? ` (the portfolio uses ${PORTFOLIO.map((p) => inputsText(p)).join(', ')})` : ''}`);
    }
    const schedules = values.schedules === undefined ? undefined : intOption('schedules', values.schedules, 1, 'a positive integer');
    const workers = workersOption(values.workers);
    const shard = values.shard === undefined ? undefined : parseShard(values.shard);
    const out = values.out;
    const shrinkRuns = values['shrink-runs'] === undefined ? DEFAULT_SHRINK_RUNS : intOption('shrink-runs', values['shrink-runs'], 0, 'an integer >= 0');
    if (out !== undefined) checkOutDir(out);
    const scenario = findScenario(positionals[0]);
    const variant = values.variant ?? scenario.defaultVariant;
    const sets = setOptions(values.set ?? [], scenario.name, Object.keys(scenario.params));
    const json = values.json === true;

    let doc: ExploreDoc;
    if (strategy === 'dfs' || strategy === 'bfs') {
      for (const flag of ['schedules', 'swarm', 'shard', 'workers'] as const) {
        if (values[flag] !== undefined) throw new InputError(`--${flag} applies to the seed strategies (random, pct, portfolio), not ${strategy}, which searches every interleaving`);
      }
      doc = await exhaustive(scenario, variant, sets, strategy);
    } else {
      if (values.swarm && swarmable(scenario, variant).length === 0) {
        throw new InputError(`--swarm: variant '${variant}' of ${scenario.name} uses no parameter with a swarm range, so there is nothing to draw`);
      }
      const progress = new ProgressLine(io.err, io.errIsTTY && !json);
      let found = 0;
      doc = await explore(
        scenario,
        { variant, sets, strategy, pctDepth: strategy === 'pct' ? (pctDepth ?? DEFAULT_PCT_DEPTH) : undefined, swarm: values.swarm === true, schedules: schedules ?? DEFAULT_SCHEDULES, shard, workers },
        (t, done, total) => {
          if (isFinding(t.outcome)) found++;
          progress.update(`explore ${scenario.name}/${variant}`, done, total, found);
        },
      );
      progress.clear();
    }

    doc = { ...doc, findings: recordFindings(scenario, doc, out, shrinkRuns) };
    io.out(json ? JSON.stringify(doc, null, 2) + '\n' : exploreText(doc).join('\n') + '\n');
    if (values['fail-on-finding'] && doc.findings.length > 0) {
      io.err(`biostack: ${doc.findings.length} finding${doc.findings.length === 1 ? '' : 's'} (--fail-on-finding)\n`);
      return EXIT.verdictDiffers;
    }
    return EXIT.ok;
  },
});

/** dfs/bfs: one search of the configuration, by exhaustive.ts. */
async function exhaustive(scenario: Scenario, variant: string, sets: Readonly<Record<string, string>>, mode: 'dfs' | 'bfs'): Promise<ExploreDoc> {
  const started = performance.now();
  const params = resolveParams(scenario, variant, sets);
  const system = scenario.build(variant, params);
  const r = exhaust(system, { mode });
  return exhaustiveDoc(scenario, variant, params, modelHash(system), r, Math.round(performance.now() - started));
}

/**
 * Run each finding's schedule again (one run per signature), shrink it
 * (same parameters, same outcome and signature: shrink-schedule.ts), mark the
 * point of no return on the shrunk schedule (critical.ts), and, with --out,
 * write the original and the shrunk schedule files, named with a nanoid.
 * Files appear all together or not at all.
 */
function recordFindings(scenario: Scenario, doc: ExploreDoc, out: string | undefined, shrinkRuns: number): Finding[] {
  const files: OutputFile[] = [];
  const findings = doc.findings.map((f) => {
    const { run, inputs } = rerun(scenario, doc.variant, f);
    let finding: Finding = f;
    let shrunkRun: ScenarioRun | undefined;
    if (shrinkRuns > 0) {
      const system = scenario.build(doc.variant, f.params);
      const shrunk = shrinkSchedule(system, run.result.schedule, sameFinding(run.result), { maxRuns: shrinkRuns });
      // A small exact budget: an inevitable deadlock makes every probe enumerate its whole budget.
      const critical = criticalStep(system, shrunk.schedule, { exactBudget: 2_000, samples: 100 });
      shrunkRun = runScenario(scenario, doc.variant, f.params, { strategy: 'replay', schedule: shrunk.schedule });
      finding = {
        ...f,
        shrunk: { steps: shrunk.steps, originalSteps: shrunk.originalSteps, runs: shrunk.runs, schedule: shrunk.schedule },
        critical: { step: critical.step, label: critical.label, exact: critical.exact, continuations: critical.continuations, note: critical.note },
        shrunkToken: encodeToken({ scenario: scenario.name, variant: doc.variant, params: f.params, strategy: 'replay', seed: 0, modelHash: shrunkRun.modelHash, choices: shrunk.schedule }),
      };
    }
    if (out === undefined) return finding;
    const stem = join(out, `${scenario.name}-${doc.variant}-${f.outcome}-${nanoid(10)}`);
    files.push({ flag: 'out', path: `${stem}.schedule.json`, content: JSON.stringify(toScheduleFile(run, inputs), null, 2) + '\n' });
    if (shrunkRun) files.push({ flag: 'out', path: `${stem}.shrunk.schedule.json`, content: JSON.stringify(toScheduleFile(shrunkRun, { seed: 0, strategy: 'replay' }), null, 2) + '\n' });
    return { ...finding, file: `${stem}.schedule.json` };
  });
  // The directory is made only now, so a run that finds nothing (or is refused) leaves nothing behind.
  if (out !== undefined && files.length > 0 && statSync(out, { throwIfNoEntry: false }) === undefined) mkdirSync(out);
  writeFilesAtomically(files);
  return findings;
}

/**
 * `--out` names a directory, or one to make in an existing directory (as
 * `mkdir` would, not `mkdir -p`: a typo in a parent is refused, not built).
 */
function checkOutDir(out: string): void {
  const st = statSync(out, { throwIfNoEntry: false });
  if (st?.isDirectory()) return;
  if (st !== undefined) throw new InputError(`--out '${out}' is not an existing directory (it is a file)`);
  const parent = dirname(resolve(out));
  if (!statSync(parent, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`--out '${out}' is not an existing directory, and its parent '${parent}' does not exist to make it in`);
}

/** The run a finding names: its seed and strategy, or (dfs/bfs) its recorded schedule. */
function rerun(scenario: Scenario, variant: string, f: Finding): { run: ScenarioRun; inputs: RunInputs } {
  if (f.seed === null) {
    const t = decodeToken(f.token);
    const inputs: RunInputs = { seed: t.seed, strategy: 'replay' };
    return { run: runScenario(scenario, variant, f.params, { seed: t.seed, strategy: 'replay', schedule: t.choices }), inputs };
  }
  const inputs: RunInputs = { seed: f.seed, strategy: f.strategy, ...(f.pctDepth !== undefined ? { pctDepth: f.pctDepth } : {}) };
  return { run: runScenario(scenario, variant, f.params, { seed: f.seed, strategy: f.strategy, pctDepth: f.pctDepth }), inputs };
}

/** The kernel the explored variant runs on (its system at these parameters; the drawn ones at their defaults). */
function kernelLine(doc: ExploreDoc): string {
  return variantKernelMode(findScenario(doc.scenario), doc.variant, doc.params);
}

/** The explore result for a person (merge prints it too). */
export function exploreText(doc: ExploreDoc): string[] {
  const paramsText = (p: Readonly<Record<string, unknown>>): string => Object.entries(p).map(([k, v]) => `${k}=${String(v)}`).join(' ') || '(none)';
  const strategy = doc.strategy === 'pct' ? `pct d=${doc.pctDepth}` : doc.strategy;
  const lines: string[] = [];
  if (doc.exhaustive) {
    const x = doc.exhaustive;
    lines.push(`${doc.scenario} / ${doc.variant}: ${doc.strategy} search, ${x.states} states, ${x.transitions} transitions, ${x.terminals} terminal states, depth ${x.maxDepth}; ${x.exhausted ? 'exhausted: every interleaving was visited' : 'not exhausted (stopped by a budget or at the first finding)'} (${doc.wallMs} ms)`);
    lines.push(`  params  ${paramsText(doc.params)}`);
    lines.push(`  kernel  ${kernelLine(doc)}`);
  } else {
    const shard = doc.shard === null ? '' : `, shard ${doc.shard}: ${doc.runs} of them`;
    lines.push(`${doc.scenario} / ${doc.variant}: ${doc.schedules} schedules (seeds 1..${doc.schedules}${shard}), strategy ${strategy}, ${doc.workers} worker${doc.workers === 1 ? '' : 's'}, ${doc.wallMs} ms`);
    if (!doc.swarm) lines.push(`  params  ${paramsText(doc.params)}`);
    else lines.push(`  params  ${Object.keys(doc.params).length ? `${paramsText(doc.params)}; the others` : 'all'} drawn per schedule (--swarm)`);
    lines.push(`  kernel  ${kernelLine(doc)}`);
    lines.push('');
    const seen = OUTCOMES.filter((o) => doc.outcomes[o] !== undefined);
    lines.push(
      ...formatTable(
        [{ header: 'outcome' }, { header: 'schedules', align: 'right' }, { header: 'share', align: 'right' }],
        seen.map((o) => [o, String(doc.outcomes[o]), `${Math.round((100 * doc.outcomes[o]!) / doc.runs)}%`]),
      ),
    );
  }
  lines.push('');
  if (doc.findings.length === 0) {
    lines.push(`no finding${doc.exhaustive ? '' : ` in ${doc.runs} schedules`}`);
    return lines;
  }
  lines.push(`${doc.findings.length} finding${doc.findings.length === 1 ? '' : 's'}${doc.exhaustive ? '' : ' (the lowest seed of each signature)'}:`);
  doc.findings.forEach((f, i) => {
    const how = f.seed === null ? `a ${doc.strategy} schedule` : `seed ${f.seed} (${inputsText(f)})`;
    lines.push(`  ${i + 1}. ${f.outcome.toUpperCase()}${f.count > 1 ? ` x${f.count}` : ''} — ${how}, ${f.steps} steps, ${paramsText(f.params)}`);
    lines.push(`     ${f.explanation}`);
    lines.push(`     signature  ${f.signature}`);
    lines.push(`     replay     biostack replay ${f.token}`);
    if (f.shrunk) {
      const pct = Math.round((100 * (f.shrunk.originalSteps - f.shrunk.steps)) / Math.max(1, f.shrunk.originalSteps));
      // A shrunk token carries its whole schedule: long ones belong in a file (--out) or --json.
      const how = f.shrunkToken && f.shrunkToken.length <= 600 ? `biostack replay ${f.shrunkToken}` : 'replay it from --out or --json (shrunkToken)';
      lines.push(`     shrunk     ${f.shrunk.originalSteps} -> ${f.shrunk.steps} steps (-${pct}%, ${f.shrunk.runs} runs): ${how}`);
    }
    if (f.critical) lines.push(`     critical   ${f.critical.note}`);
    const draws = drawsOf(f);
    if (draws.length) lines.push(`     draws      ${draws.slice(0, SHOWN_DRAWS).join('; ')}${draws.length > SHOWN_DRAWS ? `; ... (${draws.length - SHOWN_DRAWS} more)` : ''}`);
    if (f.file !== undefined) lines.push(`     schedule   ${f.file}`);
  });
  return lines;
}

/** Draws listed per finding in the text output; --json and the token carry them all. */
const SHOWN_DRAWS = 8;

/** The choice points a finding's schedule took, in words (`disk draws svc=0 for guest#1.0`): the shrunk schedule's, or a dfs/bfs token's. */
function drawsOf(f: Finding): string[] {
  const schedule = f.shrunk?.schedule ?? (f.seed === null ? decodeToken(f.token).choices : undefined) ?? [];
  return schedule.map(drawText).filter((d): d is string => d !== undefined);
}
