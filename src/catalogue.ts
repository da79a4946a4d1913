/**
 * The scenario catalogue: the only place under src/ that imports scenarios.
 * Order here is the order of `biostack list` and of the verdict table.
 */
import type { Scenario } from './scenario/scenario.js';
import { InputError } from './input-error.js';
import { ubdPipeFill } from '../scenarios/ubd-pipe-fill.js';

export const CATALOGUE: readonly Scenario[] = [ubdPipeFill];

export function findScenario(name: string): Scenario {
  const s = CATALOGUE.find((x) => x.name === name);
  if (!s) throw new InputError(`unknown scenario '${name}' (scenarios: ${CATALOGUE.map((x) => x.name).join(', ')})`);
  return s;
}
