/**
 * The `--trace` file: JSON lines, a header naming the run, one line per step,
 * and an end line with the verdict. The header's `runId` is the only thing
 * that differs between two traces of the same inputs.
 */
import { nanoid } from 'nanoid';
import type { ScenarioRun } from '../scenario/run.js';
import { runIdentity, type RunInputs } from '../report/run-json.js';

export function traceJsonl(run: ScenarioRun, inputs: RunInputs): string {
  const r = run.result;
  if (!r.trace) throw new Error('traceJsonl: the run was made without recordTrace');
  const lines = [
    JSON.stringify({
      type: 'header',
      runId: nanoid(),
      ...runIdentity(run, inputs),
    }),
  ];
  for (const step of r.trace) lines.push(JSON.stringify({ type: 'step', ...step }));
  lines.push(JSON.stringify({ type: 'end', outcome: r.outcome, traceHash: r.traceHash }));
  return lines.join('\n') + '\n';
}
