/**
 * The whole schedule tree of a small system, by brute force over
 * `Simulation.clone()` + `pending()` + `step(i)`, with no state merging:
 * every complete schedule, with the result it ends in. For tests that count
 * or compare interleavings exactly (exhaustive DFS merges equal states).
 */
import type { RunResult, Simulation } from '../src/index.js';

export interface Leaf {
  readonly schedule: readonly string[];
  readonly result: RunResult;
}

/** Every leaf below `sim`'s current state, in candidate order. */
export function scheduleLeaves(sim: Simulation, path: readonly string[] = [], out: Leaf[] = []): Leaf[] {
  const cands = sim.pending();
  if (cands.length === 0) {
    out.push({ schedule: path, result: sim.run() });
    return out;
  }
  for (let i = 0; i < cands.length; i++) {
    const child = sim.clone();
    child.step(i);
    scheduleLeaves(child, [...path, cands[i].label], out);
  }
  return out;
}

/** Every complete schedule below `sim`'s current state. */
export function allSchedules(sim: Simulation): string[][] {
  return scheduleLeaves(sim).map((l) => [...l.schedule]);
}
