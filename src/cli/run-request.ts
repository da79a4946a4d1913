/**
 * From `run`'s command line to what to run: scenario, variant, parameters,
 * seed and strategy, either from flags or from a recorded schedule, which
 * the flags may repeat but not contradict.
 */
import { readFileSync } from 'node:fs';
import { CATALOGUE, findScenario } from '../catalogue.js';
import { InputError } from '../input-error.js';
import { OUTCOMES, type Outcome } from '../check/outcome.js';
import { DEFAULT_PCT_DEPTH, STRATEGIES } from '../kernel/strategy.js';
import { resolveParams } from '../scenario/params.js';
import type { Params, Scenario } from '../scenario/scenario.js';
import { parseScheduleFile, type ScheduleFile } from '../report/schedule-file.js';
import type { RunInputs } from '../report/run-json.js';
import type { OptionSpecs, OptionValues } from './args.js';
import { choiceOption, intOption, seedOption, setOptions } from './option-values.js';
import { checkOutputPath } from './atomic-write.js';

/** PCT's bug depth when `--pct-depth` is not given (3: two change points). */


export const RUN_OPTIONS = {
  variant: { type: 'string', value: 'name', help: "variant to run (default: the scenario's default variant)" },
  set: { type: 'string', multiple: true, value: 'name=value', help: 'set a parameter the variant uses; repeatable (see biostack describe <scenario>)' },
  seed: { type: 'string', value: 'n', help: 'seed of every random choice: strategy, faults, allocators (default 1)' },
  strategy: { type: 'string', value: 'name', help: `who picks the next delivery: ${STRATEGIES.join('|')} (default fifo)` },
  'pct-depth': { type: 'string', value: 'd', help: `PCT bug depth, d - 1 priority change points (default ${DEFAULT_PCT_DEPTH})` },
  'max-steps': { type: 'string', value: 'n', help: 'step budget before the verdict is step-limit (default 1000000)' },
  expect: { type: 'string', value: 'outcome', help: `exit 1 unless the outcome is this: ${OUTCOMES.join('|')}` },
  json: { type: 'boolean', help: 'print one JSON object instead of the story' },
  trace: { type: 'string', value: 'file.jsonl', help: 'write every step as JSON lines: a header, the steps, an end line' },
  'save-schedule': { type: 'string', value: 'file', help: 'write the schedule (every delivery chosen) for --schedule' },
  schedule: { type: 'string', value: 'file', help: 'replay a schedule written by --save-schedule (its scenario, variant, params and seed)' },
} as const satisfies OptionSpecs;

export interface RunRequest {
  readonly scenario: Scenario;
  readonly variant: string;
  readonly params: Params;
  readonly inputs: RunInputs;
  readonly maxSteps?: number;
  readonly expect?: Outcome;
  readonly json: boolean;
  readonly tracePath?: string;
  readonly saveSchedulePath?: string;
  /** The schedule being replayed, and its path. */
  readonly replay?: { readonly path: string; readonly file: ScheduleFile };
}

export function runRequest(values: OptionValues<typeof RUN_OPTIONS>, positionals: readonly string[]): RunRequest {
  if (positionals.length > 1) throw new InputError(`run takes one scenario, got ${positionals.length}: ${positionals.join(' ')}`);
  const strategy = values.strategy === undefined ? undefined : choiceOption('strategy', values.strategy, STRATEGIES);
  const seed = values.seed === undefined ? undefined : seedOption(values.seed);
  const pctDepth = values['pct-depth'] === undefined ? undefined : intOption('pct-depth', values['pct-depth'], 1, 'an integer >= 1');
  const maxSteps = values['max-steps'] === undefined ? undefined : intOption('max-steps', values['max-steps'], 1, 'a positive integer');
  const expect = values.expect === undefined ? undefined : choiceOption('expect', values.expect, OUTCOMES);
  const outputs = { tracePath: values.trace, saveSchedulePath: values['save-schedule'] };
  if (outputs.tracePath !== undefined) checkOutputPath('trace', outputs.tracePath);
  if (outputs.saveSchedulePath !== undefined) checkOutputPath('save-schedule', outputs.saveSchedulePath);
  if (outputs.tracePath !== undefined && outputs.tracePath === outputs.saveSchedulePath) {
    throw new InputError(`--trace and --save-schedule both name '${outputs.tracePath}'; give two files`);
  }
  const common = { maxSteps, expect, json: values.json === true, ...outputs };

  if (values.schedule !== undefined) {
    const path = values.schedule;
    const file = readSchedule(path);
    if (positionals.length === 1 && positionals[0] !== file.scenario) {
      throw new InputError(`--schedule '${path}' was recorded for scenario ${file.scenario}, not ${positionals[0]}`);
    }
    if (strategy !== undefined && strategy !== 'replay') throw new InputError(`--schedule replays a recorded schedule, so --strategy must be replay or left out, got '${strategy}'`);
    if (pctDepth !== undefined) throw new InputError(`--pct-depth applies to --strategy pct, not to replaying --schedule '${path}'`);
    const agree = (flag: string, given: unknown, recorded: unknown): void => {
      if (given !== undefined && given !== recorded) throw new InputError(`--${flag} ${String(given)} differs from the schedule file '${path}', recorded with ${flag} ${String(recorded)}; leave it out`);
    };
    agree('variant', values.variant, file.variant);
    agree('seed', seed, file.seed);
    const scenario = inFile(path, () => findScenario(file.scenario));
    const params = inFile(path, () => resolveParams(scenario, file.variant, file.params));
    const missing = Object.keys(params).filter((p) => !Object.hasOwn(file.params, p));
    if (missing.length) throw new InputError(`schedule file '${path}': field 'params' lacks ${missing.map((p) => `'${p}'`).join(', ')}, which variant ${file.variant} uses`);
    const sets = setOptions(values.set ?? [], scenario.name, Object.keys(scenario.params));
    const asSet = resolveParams(scenario, file.variant, sets);
    for (const name of Object.keys(sets)) {
      if (asSet[name] !== params[name]) throw new InputError(`--set ${name}=${asSet[name]} differs from the schedule file '${path}', recorded with ${name}=${params[name]}; leave it out`);
    }
    return { scenario, variant: file.variant, params, inputs: { seed: file.seed, strategy: 'replay' }, replay: { path, file }, ...common };
  }

  if (strategy === 'replay') throw new InputError(`--strategy replay needs --schedule <file> (a file written by run --save-schedule)`);
  if (positionals.length === 0) throw new InputError(`run needs a scenario (scenarios: ${CATALOGUE.map((s) => s.name).join(', ')}) or --schedule <file>`);
  const scenario = findScenario(positionals[0]);
  const variant = values.variant ?? scenario.defaultVariant;
  const sets = setOptions(values.set ?? [], scenario.name, Object.keys(scenario.params));
  const params = resolveParams(scenario, variant, sets);
  const chosen = strategy ?? 'fifo';
  if (pctDepth !== undefined && chosen !== 'pct') throw new InputError(`--pct-depth applies to --strategy pct, not ${chosen}`);
  const inputs: RunInputs = chosen === 'pct' ? { seed: seed ?? 1, strategy: chosen, pctDepth: pctDepth ?? DEFAULT_PCT_DEPTH } : { seed: seed ?? 1, strategy: chosen };
  return { scenario, variant, params, inputs, ...common };
}

function readSchedule(path: string): ScheduleFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`--schedule '${path}': ${code === 'ENOENT' ? 'no such file' : `cannot read (${(e as Error).message})`}`);
  }
  return parseScheduleFile(text, path);
}

/** Errors about the scenario a schedule file names say which file named it. */
function inFile<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`schedule file '${path}': ${e.message}`);
    throw e;
  }
}
