/**
 * The critical step of a failing schedule (SimGrid's "critical transition"):
 * the first step after which the failure can no longer be avoided, whatever
 * the scheduler does next. Before it some continuation still ends well;
 * after it every continuation fails the same way. It is where a storage
 * engineer should look: the step that committed the stack to the deadlock.
 */
import { effectText } from '../report/trace-text.js';
import { Simulation } from '../kernel/simulation.js';
import type { SystemSpec } from '../kernel/system.js';
import { Prng } from '../kernel/prng.js';
import type { Outcome } from '../check/outcome.js';
import { isFinding } from './finding.js';
import { forEachTerminal } from './exhaustive.js';
import { replayTo } from './state-walk.js';

export interface CriticalOptions {
  /** States an exact probe may visit before falling back to sampling. Default 20,000. */
  readonly exactBudget?: number;
  /** Random continuations per sampled probe. Default 200. */
  readonly samples?: number;
  /** Seed of the sampled continuations. Default 1. */
  readonly seed?: number;
}

export interface CriticalStep {
  /** 1-based index of the step after which every continuation fails (0: failure is certain from the start). */
  readonly step: number;
  /** The schedule label of that step ('' for step 0). */
  readonly label: string;
  /** Every continuation after the step was enumerated (otherwise: `continuations` random ones were sampled). */
  readonly exact: boolean;
  /** Terminal states enumerated (exact) or random continuations run (sampled) after the step. */
  readonly continuations: number;
  /** One sentence for the report. */
  readonly note: string;
}

/** What one probe says about the state after the first k steps. */
interface Probe {
  /** Every continuation seen ends in the failing outcome. */
  readonly doomed: boolean;
  readonly exact: boolean;
  readonly count: number;
}

/**
 * Find the critical step of `schedule`, a failing run's labels (a prefix is
 * fine: the run is completed in fifo order, as replay does). "Doomed after k
 * steps" is monotone in k (the state after k + 1 steps is one continuation of
 * the state after k), so a binary search needs O(log n) probes. A probe
 * enumerates the continuations when that takes at most `exactBudget` states;
 * otherwise it samples random ones. An escape is certain however it was
 * found; a sampled "doomed" is not, which is why `exact` reports how the
 * answer's own probe was made. Outcomes compare by class: any deadlock
 * continues a deadlock, whatever its cycle.
 */
export function criticalStep(system: SystemSpec, schedule: readonly string[], opts: CriticalOptions = {}): CriticalStep {
  const run = new Simulation(system, { strategy: 'replay', schedule }).run();
  if (!isFinding(run.outcome)) throw new Error(`criticalStep: the schedule does not fail: it ends '${run.outcome}' after ${run.steps} steps`);
  const labels = run.schedule;
  const failing = run.outcome;
  const base = new Prng(opts.seed ?? 1);
  const probes = new Map<number, Probe>();
  const doomedAfter = (k: number): Probe => {
    let p = probes.get(k);
    if (!p) {
      p = probe(system, labels.slice(0, k), failing, opts.exactBudget ?? 20_000, opts.samples ?? 200, base.fork(`critical step ${k}`));
      probes.set(k, p);
    }
    return p;
  };

  // Smallest k in [0, n] doomed after k steps; after all n steps the run has already failed.
  let lo = 0;
  let hi = labels.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (doomedAfter(mid).doomed) hi = mid;
    else lo = mid + 1;
  }
  const k = hi;
  const p = doomedAfter(k);
  const label = k > 0 ? labels[k - 1] : '';
  const all = p.count === 1 ? 'the only continuation ends' : `all ${p.count} continuations end`;
  const how = p.exact ? `${all} in ${failing} (exact: every end state enumerated)` : `all ${p.count} sampled continuations end in ${failing} (sampled, not a proof)`;
  const note = k > 0 ? `step ${k} (${describeStep(system, labels, k)}) is the point of no return: ${how}` : `the run is doomed from the start: ${how}`;
  return { step: k, label, exact: p.exact, continuations: p.count, note };
}

/**
 * Is the state after `prefix` doomed? Enumerate its continuations, stopping at
 * the first that escapes (one is proof enough); if they do not fit in
 * `budget` states, run `samples` random ones from a clone of that state.
 */
function probe(system: SystemSpec, prefix: readonly string[], failing: Outcome, budget: number, samples: number, rng: Prng): Probe {
  let escaped = false;
  const walk = forEachTerminal(system, prefix, budget, (r) => {
    escaped = r.outcome !== failing;
    return escaped;
  });
  if (escaped) return { doomed: false, exact: true, count: walk.terminals };
  if (walk.exhausted) return { doomed: true, exact: true, count: walk.terminals };
  const at = replayTo(system, prefix);
  at.pending();
  for (let s = 0; s < samples; s++) {
    const sim = at.clone();
    for (let c = sim.pending(); c.length > 0; c = sim.pending()) sim.step(rng.int(c.length));
    if (sim.run().outcome !== failing) return { doomed: false, exact: false, count: s + 1 };
  }
  return { doomed: true, exact: false, count: samples };
}

/** `ubd.reply: get.ok, ubd fetchingRequest -> submitting (ioSubmit guest#5.0: eagain)`: what step k did. */
function describeStep(system: SystemSpec, labels: readonly string[], k: number): string {
  const sim = new Simulation(system, { strategy: 'replay', schedule: labels.slice(0, k), maxSteps: k, recordTrace: true });
  const s = sim.run().trace![k - 1];
  // A timer's label already names its event.
  const what = s.label.endsWith(s.event) ? s.label : `${s.label}: ${s.event}`;
  const effects = s.effects.length ? ` (${s.effects.map(effectText).join('; ')})` : '';
  return `${what}, ${s.ctx} ${s.from} -> ${s.to}${effects}`;
}
