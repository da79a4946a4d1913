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

/**
 * Every leaf below `sim`'s current state, in candidate order. `sim` is
 * consumed (its last branch runs on it, saving a clone). More than `limit`
 * leaves is an error: the system is too big to enumerate path by path.
 */
export function scheduleLeaves(sim: Simulation, limit = 20_000): Leaf[] {
  const out: Leaf[] = [];
  const walk = (s: Simulation, path: readonly string[]): void => {
    const cands = s.pending();
    if (cands.length === 0) {
      out.push({ schedule: path, result: s.run() });
      if (out.length > limit) throw new Error(`more than ${limit} schedules: too big to enumerate`);
      return;
    }
    const labels = cands.map((c) => c.label);
    for (let i = 0; i < labels.length; i++) {
      const child = i === labels.length - 1 ? s : s.clone();
      child.step(i);
      walk(child, [...path, labels[i]]);
    }
  };
  walk(sim, []);
  return out;
}

/** Every complete schedule below `sim`'s current state (`sim` is consumed). */
export function allSchedules(sim: Simulation): string[][] {
  return scheduleLeaves(sim).map((l) => [...l.schedule]);
}
