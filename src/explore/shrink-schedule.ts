/**
 * Shrinking a failing schedule (PEERS.md §5 item 5): delta debugging over
 * the recorded delivery labels (Zeller & Hildebrandt's ddmin), plus two
 * reorders: one context runs ahead of or yields to the others from a step
 * on, and one label is delivered as soon as it was pending. Every candidate
 * is replayed leniently (labels that are not pending are skipped, fifo after
 * the list) and kept only if the caller's predicate still holds.
 *
 * What we minimise is the replayed run's step count. The list we return is
 * what that run delivered, so its length is the step count too; the list a
 * candidate was made of may be shorter (fifo filled the rest), which is why
 * its length is no measure of the trace a person will read.
 */
import { Simulation, type RunResult } from '../kernel/simulation.js';
import type { SystemSpec } from '../kernel/system.js';
import type { Candidate } from '../kernel/strategy.js';
import { signatureOf } from './finding.js';

export interface ShrinkOptions {
  /** Most simulations to spend: candidate replays, and the partial runs that build reorders. Default 5,000. */
  readonly maxRuns?: number;
}

export interface ShrunkSchedule {
  /** Labels the best run delivered: replays strictly (not leniently) to it. */
  readonly schedule: string[];
  /** Steps of the best run. */
  readonly steps: number;
  /** Steps of the given schedule, replayed. */
  readonly originalSteps: number;
  /** Runs spent, the original replay included. */
  readonly runs: number;
}

export const DEFAULT_MAX_RUNS = 5_000;

/** The predicate shrinking keeps: same outcome and same signature (cycle shape, invariant, context) as `original`. */
export function sameFinding(original: RunResult): (r: RunResult) => boolean {
  const signature = signatureOf(original);
  return (r) => r.outcome === original.outcome && signatureOf(r) === signature;
}

/** The schedule handed to a shrinker does not reproduce the finding (nothing to shrink). */
export class FindingNotReproduced extends Error {
  override readonly name = 'FindingNotReproduced';
}

/**
 * Shrink `schedule` on `system` while `keep` holds. Throws
 * FindingNotReproduced if the schedule, replayed, does not keep.
 */
export function shrinkSchedule(
  system: SystemSpec,
  schedule: readonly string[],
  keep: (r: RunResult) => boolean,
  opts: ShrinkOptions = {},
): ShrunkSchedule {
  const search = new ScheduleSearch(system, keep, opts.maxRuns ?? DEFAULT_MAX_RUNS);
  const original = search.start(schedule);
  if (!keep(original)) {
    throw new FindingNotReproduced(
      `the schedule (${schedule.length} labels) does not reproduce the finding: replayed, it ends in ` +
        `${signatureOf(original)} after ${original.steps} steps (${original.explanation}). ` +
        'Nothing to shrink: check the scenario, variant and parameters it was recorded with.',
    );
  }
  search.run();
  return { schedule: [...search.best.schedule], steps: search.best.steps, originalSteps: original.steps, runs: search.runs };
}

/**
 * Hill climbing: a candidate replaces the best run only if it keeps the
 * finding in strictly fewer steps, so the search ends without the budget.
 * (The list that produced the best run may be shorter than the run — fifo
 * filled the rest — but every pass below starts from the delivered labels,
 * whose length is the step count, so fewer steps is also a shorter list.)
 */
class ScheduleSearch {
  runs = 0;
  best!: RunResult;
  /** Candidates already replayed: passes often propose the same list again. */
  private readonly tried = new Set<string>();

  constructor(
    private readonly system: SystemSpec,
    private readonly keep: (r: RunResult) => boolean,
    private readonly maxRuns: number,
  ) {}

  start(schedule: readonly string[]): RunResult {
    this.runs++;
    this.best = new Simulation(this.system, { strategy: 'replay', schedule, lenient: true }).run();
    this.tried.add(this.best.schedule.join('\n'));
    return this.best;
  }

  /** Repeat the passes until a round improves nothing (or the budget is spent). */
  run(): void {
    for (;;) {
      const before = this.best.steps;
      this.reschedule();
      this.ddmin();
      this.moveEarlier();
      if (this.spent || this.best.steps === before) return;
    }
  }

  private get spent(): boolean {
    return this.runs >= this.maxRuns;
  }

  /** Count one more simulation against the budget; false once it is spent. */
  private take(): boolean {
    if (this.spent) return false;
    this.runs++;
    return true;
  }

  /** Replay `cand` leniently; adopt it if it keeps the finding in fewer steps. */
  private attempt(cand: readonly string[]): boolean {
    const key = cand.join('\n');
    if (this.tried.has(key) || !this.take()) return false;
    this.tried.add(key);
    // A run that would need more steps than the best cannot win: cut it there (step-limit, which keep() rejects).
    const r = new Simulation(this.system, { strategy: 'replay', schedule: cand, lenient: true, maxSteps: this.best.steps }).run();
    // What it delivered, as a list, would replay to the same run: never try that again either.
    this.tried.add(r.schedule.join('\n'));
    if (!this.keep(r) || r.steps >= this.best.steps) return false;
    this.best = r;
    return true;
  }

  /**
   * ddmin, complements only: remove chunks of 1/n of the delivered labels,
   * n doubling to single labels. With lenient replay, removing a label
   * postpones that delivery to where the channel next appears (or to the
   * fifo tail). After a success the pass goes on over the new best run, and
   * the next pass uses coarser chunks again.
   */
  private ddmin(): void {
    let list = this.best.schedule;
    let n = 2;
    while (list.length >= 2 && !this.spent) {
      const size = Math.ceil(list.length / n);
      let removed = false;
      for (let at = 0; at < list.length && !this.spent; at += size) {
        if (this.attempt([...list.slice(0, at), ...list.slice(at + size)])) {
          removed = true;
          list = this.best.schedule;
        }
      }
      if (removed) n = Math.max(n - 1, 2);
      else if (size === 1) return;
      else n = Math.min(n * 2, list.length);
    }
  }

  /**
   * At each step of the best run, deliver something else: the context that
   * ran yields to every other for as long as they can run, or another
   * pending context runs ahead for as long as it can; then the rest of the
   * recorded deliveries follow. This is the reorder that matters for
   * deadlocks: in ubd-pipe-fill the shortest one has the driver submit
   * until EAGAIN, the disk and the AIO thread fill the pipe, and only then
   * the driver see its EAGAIN; neither removing labels nor moving one label
   * at a time reaches it from a fifo or a random run.
   */
  private reschedule(): void {
    let sched = this.best.schedule;
    let pending = this.pendingAt(sched);
    for (let i = 0; i < sched.length && !this.spent; i++) {
      const ran = pending[i].find((c) => c.label === sched[i])!.ctx;
      const others = [...new Set(pending[i].map((c) => c.ctx))].filter((c) => c !== ran);
      if (others.length === 0) continue;
      const policies = [{ ctx: ran, ahead: false }, ...others.map((ctx) => ({ ctx, ahead: true }))];
      for (const p of policies) {
        const cand = this.policyCandidate(sched, i, p.ctx, p.ahead);
        if (cand && this.attempt(cand)) {
          sched = this.best.schedule;
          pending = this.pendingAt(sched);
          break;
        }
      }
    }
  }

  /**
   * `sched[0..i)`, then context `ctx` first (ahead) or last (held back), in
   * fifo order, for as long as that is a choice; then the remaining recorded
   * labels minus those just delivered. Undefined if that cannot beat the best.
   */
  private policyCandidate(sched: readonly string[], i: number, ctx: number, ahead: boolean): string[] | undefined {
    if (!this.take()) return undefined;
    const sim = new Simulation(this.system, { maxSteps: this.best.steps });
    for (let s = 0; s < i; s++) sim.step(sim.pending().findIndex((c) => c.label === sched[s]));
    const moved: string[] = [];
    for (let c = sim.pending(); c.length > 0; c = sim.pending()) {
      if (i + moved.length >= this.best.steps) return undefined;
      let pick = -1;
      for (let k = 0; k < c.length; k++) {
        if ((c[k].ctx === ctx) === ahead && (pick < 0 || c[k].seq < c[pick].seq)) pick = k;
      }
      if (pick < 0) break;
      moved.push(c[pick].label);
      sim.step(pick);
    }
    const rest = sched.slice(i);
    for (const label of moved) {
      const at = rest.indexOf(label);
      if (at >= 0) rest.splice(at, 1);
    }
    return [...sched.slice(0, i), ...moved, ...rest];
  }

  /**
   * Deliver one label as early as it was pending: since just after the
   * previous delivery of the same channel, or since it became pending. This
   * reorders within one context (a device's service timers), which the
   * context-level reorder above keeps in fifo order.
   */
  private moveEarlier(): void {
    let sched = this.best.schedule;
    let pending = this.pendingAt(sched);
    for (let i = 1; i < sched.length && !this.spent; i++) {
      const label = sched[i];
      let j = i;
      while (j > 0 && sched[j - 1] !== label && pending[j - 1].some((c) => c.label === label)) j--;
      if (j === i) continue;
      if (this.attempt([...sched.slice(0, j), label, ...sched.slice(j, i), ...sched.slice(i + 1)])) {
        sched = this.best.schedule;
        pending = this.pendingAt(sched);
        i = j;
      }
    }
  }

  /** What was pending before each step of `sched` (one strict replay); nothing once the budget is spent. */
  private pendingAt(sched: readonly string[]): (readonly Candidate[])[] {
    if (!this.take()) return [];
    const sim = new Simulation(this.system);
    const out: Candidate[][] = [];
    for (let c = sim.pending(); c.length > 0; c = sim.pending()) {
      out.push([...c]);
      sim.step(c.findIndex((x) => x.label === sched[out.length - 1]));
    }
    return out;
  }
}
