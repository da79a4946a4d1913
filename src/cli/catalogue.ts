/** `biostack catalogue` (what `npm start` runs): judge every variant against its declared expectation. */
import { selectScenarios } from '../catalogue.js';
import { OUTCOMES } from '../check/outcome.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import { judgeVariant, type Judgement } from './judge.js';
import { intOption } from './option-values.js';
import { expectationText } from './scenario-info.js';
import { formatTable } from './table.js';

const DEFAULT_SCHEDULES = 200;

export const catalogueCommand = defineCommand({
  name: 'catalogue',
  summary: 'judge every scenario variant against its declared expectation (npm start)',
  usage: '[scenario ...] [--schedules N] [--json]',
  description: [
    'For every variant (of the named scenarios, or of all) on its default parameters:',
    '  must X  runs fifo and random seeds 1..N; PASS if every run gives X and, when the variant',
    '          declares evidence, its metric is > 0 in every run;',
    '  may X   tries random seeds 1..N in order; PASS at the first that gives X (the witness).',
    'Exit status 0 when every variant passes, 1 otherwise.',
  ].join('\n'),
  options: {
    schedules: { type: 'string', value: 'N', help: `random schedules per variant (default ${DEFAULT_SCHEDULES})` },
    json: { type: 'boolean', help: 'print { schedules, rows, passed, failed } as JSON' },
  },
  run({ values, positionals }, io) {
    const schedules = values.schedules === undefined ? DEFAULT_SCHEDULES : intOption('schedules', values.schedules, 1, 'a positive integer');
    const rows: Judgement[] = [];
    for (const scenario of selectScenarios(positionals)) {
      for (const variant of Object.keys(scenario.variants)) {
        rows.push(judgeVariant(scenario, variant, schedules, progressTo(io, `${scenario.name}/${variant}`)));
      }
    }
    if (io.errIsTTY) io.err('\r\x1b[K');
    const passed = rows.filter((r) => r.pass).length;
    const failed = rows.length - passed;
    if (values.json) {
      io.out(JSON.stringify({ schedules, rows, passed, failed }, null, 2) + '\n');
    } else {
      io.out(verdictTable(rows, schedules).join('\n') + '\n');
    }
    return failed === 0 ? EXIT.ok : EXIT.verdictDiffers;
  },
});

/** `scenario/variant  k/N` on one rewritten stderr line, when a person is watching. */
function progressTo(io: Io, what: string): ((done: number, total: number) => void) | undefined {
  if (!io.errIsTTY) return undefined;
  return (done, total) => io.err(`\r\x1b[K${what}  ${done}/${total}`);
}

/** The verdict table and its summary lines (verify prints it too). */
export function verdictTable(rows: readonly Judgement[], schedules: number): string[] {
  const lines = formatTable(
    [
      { header: 'scenario' },
      { header: 'variant' },
      { header: 'expect' },
      { header: 'outcome' },
      { header: 'evidence' },
      { header: 'steps', align: 'right' },
      { header: 'wall ms', align: 'right' },
      { header: 'verdict' },
    ],
    rows.map((r) => [
      r.scenario,
      r.variant,
      expectationText(r.expect),
      outcomeText(r),
      r.evidence ? `${r.evidence.metric} ${r.evidence.min === r.evidence.max ? r.evidence.min : `${r.evidence.min}..${r.evidence.max}`}` : '—',
      String(r.steps),
      String(r.wallMs),
      r.pass ? 'PASS' : 'FAIL',
    ]),
  );
  const failed = rows.filter((r) => !r.pass);
  const wall = rows.reduce((sum, r) => sum + r.wallMs, 0);
  lines.push('', `${rows.length} variants, ${rows.length - failed.length} PASS, ${failed.length} FAIL (fifo + ${schedules} random schedules per must, up to ${schedules} per may; ${wall} ms)`);
  for (const r of failed) lines.push(`  FAIL ${r.scenario}/${r.variant}: ${failureText(r, schedules)}`);
  return lines;
}

/** `completed x201`, `deadlock @seed 3`, `2 deadlock, 199 completed`. */
function outcomeText(r: Judgement): string {
  if (r.witness) return `${r.expect.outcome} @seed ${r.witness.seed}`;
  const seen = OUTCOMES.filter((o) => r.outcomes[o] !== undefined);
  if (seen.length === 1) return `${seen[0]} x${r.outcomes[seen[0]]}`;
  return seen.map((o) => `${r.outcomes[o]} ${o}`).join(', ');
}

/** Why a variant failed its declaration, in one line. */
export function failureText(r: Judgement, schedules: number): string {
  if (r.expect.kind === 'may') return `no random seed in 1..${schedules} gave ${r.expect.outcome}; try more with --schedules`;
  const c = r.counterexample!;
  return `${c.strategy} seed ${c.seed} ${c.reason}; see: biostack run ${r.scenario} --variant ${r.variant} --strategy ${c.strategy} --seed ${c.seed}`;
}
