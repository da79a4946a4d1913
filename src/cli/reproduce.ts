/** The command line that runs a run again, for the end of its story. */
import type { Params, Scenario } from '../scenario/scenario.js';
import type { RunInputs } from '../report/run-json.js';
import { shellQuote } from './shell-quote.js';

export interface ReproduceFrom {
  readonly scenario: Scenario;
  readonly variant: string;
  readonly params: Params;
  readonly inputs: RunInputs;
  readonly maxSteps?: number;
  /** The schedule file this run replayed, if it was a replay. */
  readonly replayed?: string;
  /** Where this run's schedule was saved, if it was. */
  readonly saved?: string;
}

/**
 * The command first, then a hint: the exact replay when a schedule file
 * exists, else how to record one. Parameters are written only where they
 * differ from the variant's defaults.
 */
export function reproduceLines(r: ReproduceFrom): string[] {
  const maxSteps = r.maxSteps !== undefined ? ['--max-steps', String(r.maxSteps)] : [];
  if (r.replayed !== undefined) {
    return [cmd(['run', '--schedule', r.replayed, ...maxSteps]), ...(r.saved !== undefined ? [`this replay's schedule was saved to ${r.saved}`] : [])];
  }
  const v = r.scenario.variants[r.variant];
  const sets = Object.entries(r.params)
    .filter(([k, val]) => val !== (v.defaults?.[k] ?? r.scenario.params[k].default))
    .flatMap(([k, val]) => ['--set', `${k}=${val}`]);
  const words = ['run', r.scenario.name, '--variant', r.variant, ...sets, '--strategy', r.inputs.strategy, '--seed', String(r.inputs.seed)];
  if (r.inputs.strategy === 'pct') words.push('--pct-depth', String(r.inputs.pctDepth));
  const line = cmd([...words, ...maxSteps]);
  if (r.saved !== undefined) return [line, `replay the exact schedule: ${cmd(['run', '--schedule', r.saved, ...maxSteps])}`];
  return [line, '(add --save-schedule <file> to record the schedule; replay it with --schedule <file>)'];
}

function cmd(words: readonly string[]): string {
  return ['biostack', ...words].map(shellQuote).join(' ');
}
