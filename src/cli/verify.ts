/**
 * `biostack verify`: the catalogue's promises, checked hard. Every variant of
 * every scenario must meet its declared expectation (judge.ts: `must` on fifo
 * and random seeds 1..N with evidence > 0, `may` within N), and where the
 * configuration is small enough, exhaustively (every interleaving, by
 * exhaustive.ts). Then, per scenario, the fix-validation table: the buggy
 * variant and each fix on the same seed corpus (explore/verify.ts). Any
 * surprise fails it.
 */
import { performance } from 'node:perf_hooks';
import { CATALOGUE, selectScenarios } from '../catalogue.js';
import { OUTCOMES, type Outcome } from '../check/outcome.js';
import { resolveParams } from '../scenario/params.js';
import type { Expectation, Scenario } from '../scenario/scenario.js';
import { isFinding } from '../explore/finding.js';
import { exhaust, type ExhaustiveResult } from '../explore/exhaustive.js';
import { ProgressLine } from '../explore/progress.js';
import { validateFixes, type FixValidation } from '../explore/verify.js';
import { failureText, verdictTable } from './catalogue.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { WORKERS_OPTION, workersOption } from './explore.js';
import { judgeVariant, type Judgement } from './judge.js';
import { intOption } from './option-values.js';
import { expectationText } from './scenario-info.js';
import { formatTable } from './table.js';

const DEFAULT_SCHEDULES = 200;
/** Default budget of the exhaustive check: above this many states a configuration is not "small" (inconclusive). */
export const EXHAUSTIVE_MAX_STATES = 20_000;

/** What every interleaving (or as many as fit the budget) says about a declaration. */
export interface ExhaustiveCheck {
  readonly states: number;
  readonly exhausted: boolean;
  readonly findings: readonly { readonly outcome: Outcome; readonly signature: string; readonly steps: number }[];
  /**
   * `proved`: the search settles the declaration; `refuted`: it contradicts it;
   * `consistent`: it agrees as far as it can tell (it sees finding terminals, not
   * how many schedules reach each); `inconclusive`: the budget ran out first.
   */
  readonly verdict: 'proved' | 'refuted' | 'consistent' | 'inconclusive';
  readonly note: string;
}

export interface VariantVerdict {
  readonly judgement: Judgement;
  /** null when this build has no exhaustive search. */
  readonly exhaustive: ExhaustiveCheck | null;
}

export interface VerifyReport {
  readonly schedules: number;
  /** Budget of the exhaustive check (0: skipped). */
  readonly maxStates: number;
  readonly variants: readonly VariantVerdict[];
  readonly fixes: readonly FixValidation[];
  /** Everything that contradicts a declaration or leaves a fix unproven; empty when verify passes. */
  readonly surprises: readonly string[];
  readonly pass: boolean;
  readonly wallMs: number;
}

export interface VerifyOptions {
  readonly schedules: number;
  /** Worker threads for the fix-validation corpus (catalogue scenarios only; others run in this thread). */
  readonly workers: number;
  /** Budget of the exhaustive check per variant (default EXHAUSTIVE_MAX_STATES); 0 skips it. */
  readonly maxStates?: number;
  readonly progress?: ProgressLine;
  /** One line per variant and per fix table as each finishes (for logs and CI, where the progress line is off). */
  readonly log?: (line: string) => void;
}

/** Verify `scenarios` (the catalogue, or a test's own); see the file comment. */
export async function verify(scenarios: readonly Scenario[], opts: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const surprises: string[] = [];
  const variants: VariantVerdict[] = [];
  const fixes: FixValidation[] = [];
  const maxStates = opts.maxStates ?? EXHAUSTIVE_MAX_STATES;
  for (const scenario of scenarios) {
    for (const variant of Object.keys(scenario.variants)) {
      const label = `verify ${scenario.name}/${variant}`;
      const judgement = judgeVariant(scenario, variant, opts.schedules, (done, total) => opts.progress?.update(label, done, total));
      if (!judgement.pass) surprises.push(`${scenario.name}/${variant}: declared ${expectationText(judgement.expect)}: ${failureText(judgement, opts.schedules)}`);
      let check: ExhaustiveCheck | null = null;
      if (maxStates > 0) {
        opts.progress?.update(`${label} (exhaustive)`, 0, 1);
        const system = scenario.build(variant, resolveParams(scenario, variant));
        // A must-complete needs no more than one finding to be refuted.
        const stopAtFirst = judgement.expect.kind === 'must' && !isFinding(judgement.expect.outcome);
        check = exhaustiveCheck(judgement.expect, exhaust(system, { mode: 'dfs', maxStates, stopAtFirst }), maxStates);
        if (check.verdict === 'refuted') surprises.push(`${scenario.name}/${variant}: declared ${expectationText(judgement.expect)}: exhaustive search: ${check.note}`);
      }
      variants.push({ judgement, exhaustive: check });
      opts.log?.(`verify ${scenario.name}/${variant}: ${judgement.pass ? 'as declared' : 'SURPRISE'} (${expectationText(judgement.expect)})${check ? `; exhaustive ${check.verdict} (${check.states} states)` : ''}; ${seconds(performance.now() - started)} so far`);
    }
    const workers = CATALOGUE.includes(scenario) ? opts.workers : 1;
    const label = `verify ${scenario.name} fixes`;
    const table = await validateFixes(scenario, { schedules: opts.schedules, workers, onTrial: (done, total) => opts.progress?.update(label, done, total) });
    if (table) {
      fixes.push(table);
      surprises.push(...table.surprises);
      opts.log?.(`verify ${scenario.name} fixes: ${table.surprises.length === 0 ? 'as declared' : `${table.surprises.length} SURPRISE(S)`}; ${seconds(performance.now() - started)} so far`);
    }
  }
  opts.progress?.clear();
  return { schedules: opts.schedules, maxStates, variants, fixes, surprises, pass: surprises.length === 0, wallMs: Math.round(performance.now() - started) };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** What an exhaustive search says about a declaration for the default parameters. */
function exhaustiveCheck(expect: Expectation, r: ExhaustiveResult, maxStates: number): ExhaustiveCheck {
  const findings = r.findings.map((f) => ({ outcome: f.outcome, signature: f.signature, steps: f.steps }));
  const base = { states: r.states, exhausted: r.exhausted, findings };
  const target = findings.find((f) => f.outcome === expect.outcome);
  const other = findings.find((f) => f.outcome !== expect.outcome);
  const where = `${r.states} states`;
  if (expect.kind === 'may' && target) return { ...base, verdict: 'proved', note: `${expect.outcome} is reachable (${target.steps} steps; ${where})` };
  if (expect.kind === 'must' && other) return { ...base, verdict: 'refuted', note: `a schedule of ${other.steps} steps gives ${other.outcome} (${other.signature}; ${where})` };
  if (!r.exhausted) return { ...base, verdict: 'inconclusive', note: `not exhausted within ${maxStates} states` };
  if (expect.kind === 'may') {
    if (isFinding(expect.outcome)) return { ...base, verdict: 'refuted', note: `no interleaving gives ${expect.outcome} (all ${where} visited)` };
    return { ...base, verdict: 'consistent', note: `${where} visited (completed terminals are not listed by the search)` };
  }
  if (!isFinding(expect.outcome)) return { ...base, verdict: 'proved', note: `no interleaving gives a finding (all ${where} visited)` };
  if (!target) return { ...base, verdict: 'refuted', note: `no interleaving gives ${expect.outcome} (all ${where} visited)` };
  return { ...base, verdict: 'consistent', note: `every finding is ${expect.outcome} (${where}); terminals without a finding are not listed by the search` };
}

export const verifyCommand = defineCommand({
  name: 'verify',
  summary: 'check every declared expectation (exhaustively where small) and print the fix-validation tables',
  usage: '[scenario ...] [--schedules N] [--workers K] [--json]',
  description: [
    'For every variant of every scenario (or of the named ones), on its default parameters:',
    '  the declared expectation, judged as catalogue does (must: fifo + random seeds 1..N,',
    '  evidence > 0 in every run; may: some random seed in 1..N);',
    '  an exhaustive dfs of every interleaving, up to --max-states states (else inconclusive).',
    "Then per scenario, the buggy variant and every fix on the same corpus (random seeds 1..N, on buggy's",
    'parameters): outcome fractions, mean steps, mean virtual time, the evidence metric, and the',
    'differences from buggy. A fix that declares it completes must show no finding there, and evidence > 0.',
    '',
    'Exit status: 0 no surprise; 1 any surprise (listed at the end); 2 bad input.',
  ].join('\n'),
  options: {
    schedules: { type: 'string', value: 'N', help: `random schedules per variant and corpus size (default ${DEFAULT_SCHEDULES})` },
    workers: WORKERS_OPTION,
    'max-states': { type: 'string', value: 'n', help: `budget of the exhaustive check per variant (default ${EXHAUSTIVE_MAX_STATES}; 0 skips it)` },
    json: { type: 'boolean', help: 'print { schedules, maxStates, variants, fixes, surprises, pass } as JSON' },
  },
  async run({ values, positionals }, io) {
    const schedules = values.schedules === undefined ? DEFAULT_SCHEDULES : intOption('schedules', values.schedules, 1, 'a positive integer');
    const workers = workersOption(values.workers);
    const maxStates = values['max-states'] === undefined ? EXHAUSTIVE_MAX_STATES : intOption('max-states', values['max-states'], 0, 'a non-negative integer (0 skips the exhaustive check)');
    const json = values.json === true;
    const live = io.errIsTTY && !json;
    // On a terminal the progress line redraws in place; elsewhere (CI, a log file) one line per variant on stderr.
    const log = live ? undefined : (line: string): void => io.err(line + '\n');
    const report = await verify(selectScenarios(positionals), { schedules, workers, maxStates, progress: new ProgressLine(io.err, live), log });
    io.out(json ? JSON.stringify(report, null, 2) + '\n' : verifyText(report).join('\n') + '\n');
    return report.pass ? EXIT.ok : EXIT.verdictDiffers;
  },
});

function verifyText(r: VerifyReport): string[] {
  const lines = verdictTable(r.variants.map((v) => v.judgement), r.schedules);
  lines.push('');
  const anyExhaustive = r.variants.some((v) => v.exhaustive);
  if (r.maxStates === 0) lines.push('exhaustive: skipped (--max-states 0)');
  else if (!anyExhaustive) lines.push('exhaustive: skipped (this build has no src/explore/exhaustive.ts)');
  else {
    lines.push(`exhaustive (dfs, up to ${r.maxStates} states per variant):`);
    lines.push(
      ...formatTable(
        [{ header: 'scenario' }, { header: 'variant' }, { header: 'expect' }, { header: 'states', align: 'right' }, { header: 'verdict' }, { header: 'why' }],
        r.variants.map((v) => [v.judgement.scenario, v.judgement.variant, expectationText(v.judgement.expect), String(v.exhaustive!.states), v.exhaustive!.verdict, v.exhaustive!.note]),
        '  ',
      ),
    );
  }
  for (const t of r.fixes) lines.push('', ...fixTable(t));
  lines.push('');
  if (r.surprises.length) {
    lines.push(`verify: FAIL, ${r.surprises.length} surprise${r.surprises.length === 1 ? '' : 's'}:`);
    for (const s of r.surprises) lines.push(`  - ${s}`);
  } else {
    lines.push(`verify: PASS (${r.variants.length} variants, ${r.fixes.length} fix table${r.fixes.length === 1 ? '' : 's'}; ${r.wallMs} ms)`);
  }
  return lines;
}

/** The fix-validation table of one scenario. */
function fixTable(t: FixValidation): string[] {
  const base = t.rows[0];
  const seen = OUTCOMES.filter((o) => t.rows.some((row) => row.fractions[o] !== undefined));
  const num = (x: number): string => x.toFixed(1);
  const delta = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  const frac = (f: number | undefined): string => (f === undefined || f === 0 ? '0' : f === 1 ? '1' : f.toFixed(2));
  return [
    `fix validation: ${t.scenario}, random seeds 1..${t.seeds} on ${t.baseline}'s workload (${Object.entries(base.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}; a fix drops what it does not read)`,
    ...formatTable(
      [
        { header: 'variant' },
        ...seen.map((o) => ({ header: o, align: 'right' as const })),
        { header: 'mean steps', align: 'right' },
        { header: 'Δ steps', align: 'right' },
        { header: 'mean time', align: 'right' },
        { header: 'Δ time', align: 'right' },
        { header: 'evidence (mean)' },
      ],
      t.rows.map((row) => [
        row.variant,
        ...seen.map((o) => frac(row.fractions[o])),
        num(row.meanSteps),
        row.delta ? delta(row.delta.steps) : '—',
        num(row.meanTime),
        row.delta ? delta(row.delta.time) : '—',
        row.evidence ? `${row.evidence.metric} ${row.evidence.mean.toFixed(2)}` : '—',
      ]),
      '  ',
    ),
  ];
}
