/**
 * The scenario catalogue: the only place under src/ that imports scenarios.
 * Order here is the order of `biostack list` and of the verdict table.
 */
import type { Scenario } from './scenario/scenario.js';
import { InputError } from './input-error.js';
import { ubdPipeFill } from '../scenarios/ubd-pipe-fill.js';
import { ubdAtomicAlloc } from '../scenarios/ubd-atomic-alloc.js';
import { ubdReorder } from '../scenarios/ubd-reorder.js';
import { vndSelfDeadlock } from '../scenarios/vnd-self-deadlock.js';
import { vndRecursion } from '../scenarios/vnd-recursion.js';
import { vndBufferMemory } from '../scenarios/vnd-buffer-memory.js';
import { vndRandomWrites } from '../scenarios/vnd-random-writes.js';

export const CATALOGUE: readonly Scenario[] = [ubdPipeFill, ubdAtomicAlloc, ubdReorder, vndSelfDeadlock, vndRecursion, vndBufferMemory, vndRandomWrites];

export function findScenario(name: string): Scenario {
  const s = CATALOGUE.find((x) => x.name === name);
  if (!s) throw new InputError(`unknown scenario '${name}' (scenarios: ${CATALOGUE.map((x) => x.name).join(', ')})`);
  return s;
}

/** The scenarios named (all of them when none is named), in catalogue order; an unknown name is bad input. */
export function selectScenarios(names: readonly string[]): readonly Scenario[] {
  if (names.length === 0) return CATALOGUE;
  const wanted = new Set(names.map((n) => findScenario(n).name));
  return CATALOGUE.filter((s) => wanted.has(s.name));
}
