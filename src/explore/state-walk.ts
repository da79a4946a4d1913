/**
 * Moving a simulation through explicit states, for the exhaustive explorers.
 * A state is named by the labels that reach it: the scheduler is
 * deterministic, so replaying them on a fresh simulation re-enters it (the
 * searches branch with `Simulation.clone()`, and replay only to reach a
 * prefix or a queued state whose simulation was not kept). States are
 * compared by a digest of the kernel's canonical fingerprint.
 */
import { createHash } from 'node:crypto';
import { Simulation } from '../kernel/simulation.js';
import type { SystemSpec } from '../kernel/system.js';

/**
 * Deliver the pending candidate named `label`. Labels name delivery channels,
 * so at most one pending candidate carries a given label.
 */
export function stepLabel(sim: Simulation, label: string): void {
  const cands = sim.pending();
  for (let i = 0; i < cands.length; i++) {
    if (cands[i].label === label) {
      sim.step(i);
      return;
    }
  }
  throw new Error(`state walk: '${label}' is not pending at step ${sim.clock.step} (pending: ${cands.map((c) => c.label).join(', ') || 'none'}); the model is not deterministic`);
}

/**
 * A fresh simulation after `labels`. Call `pending()` on it once before
 * reading its fingerprint or stepping: that settles the state (time
 * advanced, verdict reached). Calling it exactly once per step, as a normal
 * run does, keeps the kernel's periodic-check counter in step with one.
 */
export function replayTo(system: SystemSpec, labels: readonly string[]): Simulation {
  const sim = new Simulation(system);
  for (const l of labels) stepLabel(sim, l);
  return sim;
}

/**
 * A 160-bit digest of the simulation's canonical state text. The text is
 * about 1 KB for ubd-pipe-fill; keeping digests instead lets a search hold
 * hundreds of thousands of states, and at that count a 160-bit collision is
 * not a practical concern (a 32-bit hash would collide almost surely).
 */
export function stateKey(sim: Simulation): string {
  return createHash('sha1').update(sim.fingerprint()).digest('base64');
}
