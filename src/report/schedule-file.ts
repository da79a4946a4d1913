/**
 * A recorded schedule (`run --save-schedule`): the inputs of a run and every
 * delivery it chose, so `run --schedule` replays it step for step. Reading
 * checks every field and names the one that is wrong.
 */
import { InputError } from '../input-error.js';
import { OUTCOMES, type Outcome } from '../check/outcome.js';
import { STRATEGIES, type StrategyName } from '../kernel/strategy.js';
import type { ScenarioRun } from '../scenario/run.js';
import type { ParamValue, Params } from '../scenario/scenario.js';
import type { RunInputs } from './run-json.js';

export const SCHEDULE_FILE_VERSION = 1;

export interface ScheduleFile {
  readonly biostack: 'schedule';
  readonly version: typeof SCHEDULE_FILE_VERSION;
  readonly scenario: string;
  readonly variant: string;
  readonly params: Params;
  readonly seed: number;
  /** Strategy of the recorded run (replaying it uses `replay`). */
  readonly strategy: StrategyName;
  /** Model the schedule was recorded against; another model may diverge. */
  readonly modelHash: string;
  /** What the recorded run gave, to compare the replay with. */
  readonly outcome: Outcome;
  readonly traceHash: string;
  /** The label of every delivery chosen, in order. */
  readonly choices: readonly string[];
}

export function toScheduleFile(run: ScenarioRun, inputs: RunInputs): ScheduleFile {
  return {
    biostack: 'schedule',
    version: SCHEDULE_FILE_VERSION,
    scenario: run.scenario,
    variant: run.variant,
    params: run.params,
    seed: inputs.seed,
    strategy: inputs.strategy,
    modelHash: run.modelHash,
    outcome: run.result.outcome,
    traceHash: run.result.traceHash,
    choices: run.result.schedule,
  };
}

/** Parse and check a schedule file's text; `source` (its path) prefixes every error. */
export function parseScheduleFile(text: string, source: string): ScheduleFile {
  const fail = (what: string): never => {
    throw new InputError(`schedule file '${source}': ${what}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message.replace(/\s+/g, ' ')})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return fail('must be a JSON object written by --save-schedule');
  const o = doc as Record<string, unknown>;
  const field = (name: string, ok: boolean, allowed: string): void => {
    if (!ok) fail(`field '${name}' must be ${allowed}, got ${name in o ? JSON.stringify(o[name]) : 'nothing'}`);
  };
  const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  field('biostack', o.biostack === 'schedule', `"schedule" (this is not a file written by --save-schedule)`);
  field('version', o.version === SCHEDULE_FILE_VERSION, String(SCHEDULE_FILE_VERSION));
  field('scenario', isString(o.scenario), 'a scenario name');
  field('variant', isString(o.variant), 'a variant name');
  field('params', o.params !== null && typeof o.params === 'object' && !Array.isArray(o.params), 'an object of parameter values');
  for (const [k, v] of Object.entries(o.params as object)) {
    field(`params.${k}`, typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string', 'a number, boolean or string');
  }
  field('seed', Number.isSafeInteger(o.seed) && (o.seed as number) >= 0, 'a non-negative integer');
  field('strategy', (STRATEGIES as readonly unknown[]).includes(o.strategy), `one of ${STRATEGIES.join(', ')}`);
  field('modelHash', isString(o.modelHash), 'a model hash');
  field('outcome', (OUTCOMES as readonly unknown[]).includes(o.outcome), `one of ${OUTCOMES.join(', ')}`);
  field('traceHash', isString(o.traceHash), 'a trace hash');
  field('choices', Array.isArray(o.choices), 'an array of delivery labels');
  (o.choices as unknown[]).forEach((c, i) => field(`choices[${i}]`, isString(c), 'a delivery label such as "ubd.reply"'));
  return {
    biostack: 'schedule',
    version: SCHEDULE_FILE_VERSION,
    scenario: o.scenario as string,
    variant: o.variant as string,
    params: o.params as Record<string, ParamValue>,
    seed: o.seed as number,
    strategy: o.strategy as StrategyName,
    modelHash: o.modelHash as string,
    outcome: o.outcome as Outcome,
    traceHash: o.traceHash as string,
    choices: o.choices as string[],
  };
}
