/** `biostack sweep`: outcome fractions over a grid of parameter values. */
import { CATALOGUE, findScenario } from '../catalogue.js';
import { InputError } from '../input-error.js';
import { DEFAULT_PCT_DEPTH } from '../kernel/strategy.js';
import { ProgressLine } from '../explore/progress.js';
import { parseAxis, sweep, type SweepDoc } from '../explore/sweep.js';
import type { OptionSpecs } from './args.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { WORKERS_OPTION, workersOption } from './explore.js';
import { choiceOption, intOption, setOptions } from './option-values.js';
import { RUN_OPTIONS } from './run-request.js';
import { formatTable } from './table.js';

const DEFAULT_SCHEDULES = 100;
const STRATEGIES = ['random', 'pct'] as const;

const OPTIONS = {
  variant: RUN_OPTIONS.variant,
  param: { type: 'string', multiple: true, value: 'name=a..b', help: 'sweep an integer parameter over a..b (or one value a); repeatable: the grid is every combination' },
  set: { ...RUN_OPTIONS.set, help: 'fix a parameter at every point; repeatable' },
  schedules: { type: 'string', value: 'N', help: `schedules per point: seeds 1..N (default ${DEFAULT_SCHEDULES})` },
  strategy: { type: 'string', value: 'name', help: 'random|pct (default random)' },
  'pct-depth': { type: 'string', value: 'd', help: `PCT bug depth for --strategy pct (default ${DEFAULT_PCT_DEPTH})` },
  workers: WORKERS_OPTION,
  json: { type: 'boolean', help: 'print one JSON object with every point' },
} as const satisfies OptionSpecs;

export const sweepCommand = defineCommand({
  name: 'sweep',
  summary: 'fraction of schedules per outcome at every point of a parameter grid',
  usage: '<scenario> --param name=a..b [--param ...] [options]',
  description: [
    'For every combination of the swept values, runs seeds 1..N (the same seeds at every point)',
    'and prints the fraction of schedules that gave each outcome: where a deadlock starts to be',
    'possible and where it becomes certain. Example:',
    '  biostack sweep ubd-pipe-fill --variant buggy --param pipe=1..8 --param burst=1..20 --set ring=4 --schedules 50',
  ].join('\n'),
  options: OPTIONS,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new InputError(`sweep takes one scenario, got ${positionals.length ? `'${positionals.join(' ')}'` : 'none'} (scenarios: ${CATALOGUE.map((s) => s.name).join(', ')})`);
    const strategy = values.strategy === undefined ? 'random' : choiceOption('strategy', values.strategy, STRATEGIES);
    const pctDepth = values['pct-depth'] === undefined ? undefined : intOption('pct-depth', values['pct-depth'], 1, 'an integer >= 1');
    if (pctDepth !== undefined && strategy !== 'pct') throw new InputError(`--pct-depth applies to --strategy pct, not ${strategy}`);
    const schedules = values.schedules === undefined ? DEFAULT_SCHEDULES : intOption('schedules', values.schedules, 1, 'a positive integer');
    const workers = workersOption(values.workers);
    const scenario = findScenario(positionals[0]);
    const variant = values.variant ?? scenario.defaultVariant;
    if (!Object.hasOwn(scenario.variants, variant)) throw new InputError(`scenario ${scenario.name} has no variant '${variant}' (variants: ${Object.keys(scenario.variants).join(', ')})`);
    const raw = values.param ?? [];
    if (raw.length === 0) throw new InputError(`sweep needs at least one --param name=a..b (integer parameters of ${variant}: ${scenario.variants[variant].uses.filter((p) => scenario.params[p].type === 'int').join(', ')})`);
    const axes = raw.map((r) => parseAxis(scenario, variant, r));
    const sets = setOptions(values.set ?? [], scenario.name, Object.keys(scenario.params));
    const json = values.json === true;
    const progress = new ProgressLine(io.err, io.errIsTTY && !json);
    const doc = await sweep(
      scenario,
      { variant, axes, sets, schedules, strategy, pctDepth: strategy === 'pct' ? (pctDepth ?? DEFAULT_PCT_DEPTH) : undefined, workers },
      (done, total) => progress.update(`sweep ${scenario.name}/${variant}`, done, total),
    );
    progress.clear();
    io.out(json ? JSON.stringify(doc, null, 2) + '\n' : sweepText(doc).join('\n') + '\n');
    return EXIT.ok;
  },
});

/** `0`, `1`, or two decimals: the ends of a threshold read at a glance. */
function fraction(f: number): string {
  return f === 0 ? '0' : f === 1 ? '1' : f.toFixed(2);
}

function sweepText(doc: SweepDoc): string[] {
  const sets = Object.entries(doc.sets).map(([k, v]) => `${k}=${String(v)}`).join(' ');
  const strategy = doc.strategy === 'pct' ? `pct d=${doc.pctDepth}` : doc.strategy;
  return [
    `${doc.scenario} / ${doc.variant}: fraction of ${doc.schedules} schedules (${strategy} seeds 1..${doc.schedules}) per outcome at ${doc.points.length} point${doc.points.length === 1 ? '' : 's'}${sets ? `; ${sets}` : ''}; ${doc.workers} worker${doc.workers === 1 ? '' : 's'}, ${doc.wallMs} ms`,
    '',
    ...formatTable(
      [...doc.axes.map((a) => ({ header: a.param, align: 'right' as const })), ...doc.outcomes.map((o) => ({ header: o, align: 'right' as const }))],
      doc.points.map((p) => [...doc.axes.map((a) => String(p.params[a.param])), ...doc.outcomes.map((o) => fraction(p.fractions[o] ?? 0))]),
    ),
  ];
}
