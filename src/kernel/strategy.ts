import { Prng, type PrngState } from './prng.js';

/**
 * One deliverable thing at the current instant: the head of a delivery
 * channel. Choosing only among heads keeps per-channel FIFO order whatever
 * the strategy does.
 */
export interface Candidate {
  /** Stable name of the channel, recorded in schedules: `ubd.reply`, `disk.timer:svc-ubd#1.0`, `ubd-irq.irq`. */
  readonly label: string;
  /** Index of the context it is delivered to. */
  readonly ctx: number;
  /** When it became pending (global order); fifo picks the smallest. */
  readonly seq: number;
  /**
   * An option of a choice point (a drawn service time, an allocator failure):
   * its relative probability among the options of that point. Random
   * strategies draw the option by it; fifo takes the first option.
   */
  readonly weight?: number;
}

/**
 * Picks which candidate is delivered next. `step` is the index of the step
 * about to run. Its state (a stream position, PCT's priorities, a replay's
 * place in the schedule) saves and restores as plain data, so a clone of a
 * run gets a strategy of its own that continues where the original's stands.
 */
export interface Strategy {
  readonly name: StrategyName;
  choose(candidates: readonly Candidate[], step: number): number;
  save(): StrategyState;
  /** Take the state `save` gave, of a strategy created from the same options. */
  restore(state: StrategyState): void;
}

/** A strategy's state as plain data. */
export interface StrategyState {
  readonly rng?: PrngState;
  /** PCT: each context's priority, in the order they were first seen. */
  readonly prio?: readonly (readonly [number, number])[];
  /** Replay: the next recorded label to follow. */
  readonly next?: number;
}

export const STRATEGIES = ['fifo', 'random', 'pct', 'replay'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/** PCT bug depth used when none is given. */
export const DEFAULT_PCT_DEPTH = 3;

export interface StrategyOptions {
  readonly name: StrategyName;
  readonly seed: number;
  /** PCT bug depth d: d - 1 priority change points. */
  readonly pctDepth?: number;
  /** PCT: expected run length in steps, the range change points are drawn from. */
  readonly pctSteps?: number;
  /** Replay: the recorded labels, one per step. */
  readonly schedule?: readonly string[];
  /**
   * Replay leniently: skip recorded labels that are not pending (instead of
   * failing with ReplayDivergence). Shrinking replays edited schedules this way.
   */
  readonly lenient?: boolean;
}

/** A replayed schedule asked for a delivery that is not pending: the model or inputs changed. */
export class ReplayDivergence extends Error {
  constructor(
    readonly step: number,
    readonly wanted: string,
    readonly available: readonly string[],
  ) {
    super(`schedule diverged at step ${step}: recorded '${wanted}' is not deliverable; pending: ${available.join(', ') || '(nothing)'}`);
  }
}

export function createStrategy(opts: StrategyOptions): Strategy {
  switch (opts.name) {
    case 'fifo':
      return fifo;
    case 'random':
      return randomStrategy(opts.seed);
    case 'pct':
      return pctStrategy(opts.seed, opts.pctDepth ?? DEFAULT_PCT_DEPTH, opts.pctSteps ?? 1000);
    case 'replay':
      return replayStrategy(opts.schedule ?? [], opts.lenient ?? false);
  }
}

function fifoIndex(cands: readonly Candidate[]): number {
  let best = 0;
  for (let i = 1; i < cands.length; i++) if (cands[i].seq < cands[best].seq) best = i;
  return best;
}

/** Deliveries in the order they became pending. */
const fifo: Strategy = { name: 'fifo', choose: (c) => fifoIndex(c), save: () => ({}), restore: () => undefined };

/** Uniform among the pending channel heads, from a seeded stream. */
function randomStrategy(seed: number): Strategy {
  const rng = new Prng(seed);
  return {
    name: 'random',
    choose: (c) => (c.length === 1 ? 0 : pickWeighted(c, rng)),
    save: () => ({ rng: rng.save() }),
    restore: (s) => rng.restore(s.rng!),
  };
}

/**
 * Uniform among the candidates, except that the options of a choice point
 * share one candidate's share by their weights: a context at a choice point
 * is as likely to run as any other, and its option is drawn as declared.
 * Without choice points this is `rng.int(n)`, the draw runs always made.
 */
function pickWeighted(c: readonly Candidate[], rng: Prng): number {
  let weighted = false;
  for (const x of c) if (x.weight !== undefined) weighted = true;
  if (!weighted) return rng.int(c.length);
  // One slot per context channel: the options of one choice point (same ctx, same seq) count as one.
  const slots: number[] = [];
  for (let i = 0; i < c.length; i++) if (c[i].weight === undefined || !(i > 0 && c[i - 1].weight !== undefined && c[i - 1].ctx === c[i].ctx && c[i - 1].seq === c[i].seq)) slots.push(i);
  const first = slots[rng.int(slots.length)];
  return c[first].weight === undefined ? first : drawOption(c, first, rng);
}

/** Among the options of the choice point candidate `at` belongs to, draw one by weight. */
function drawOption(c: readonly Candidate[], at: number, rng: Prng): number {
  const { ctx, seq } = c[at];
  let total = 0;
  for (const x of c) if (x.ctx === ctx && x.seq === seq && x.weight !== undefined) total += x.weight;
  let r = rng.next() * total;
  let last = at;
  for (let i = 0; i < c.length; i++) {
    const x = c[i];
    if (x.ctx !== ctx || x.seq !== seq || x.weight === undefined) continue;
    last = i;
    r -= x.weight;
    if (r < 0) return i;
  }
  return last;
}

/**
 * PCT (Burckhardt et al., ASPLOS 2010), with contexts as the threads: each
 * context gets a random initial priority above d; at d - 1 random change
 * points the context that would run next drops to priority i (below every
 * initial one). The highest-priority pending context runs; its own channels
 * go in fifo order.
 */
function pctStrategy(seed: number, depth: number, steps: number): Strategy {
  const rng = new Prng(seed);
  const prio = new Map<number, number>();
  const changeAt = new Map<number, number>();
  for (let i = 1; i < depth; i++) changeAt.set(rng.int(Math.max(1, steps)), i);
  const priorityOf = (ctx: number): number => {
    let p = prio.get(ctx);
    if (p === undefined) {
      p = depth + rng.next();
      prio.set(ctx, p);
    }
    return p;
  };
  const pick = (c: readonly Candidate[]): number => {
    let best = 0;
    for (let i = 1; i < c.length; i++) {
      const pi = priorityOf(c[i].ctx);
      const pb = priorityOf(c[best].ctx);
      if (pi > pb || (pi === pb && c[i].seq < c[best].seq)) best = i;
    }
    return best;
  };
  return {
    name: 'pct',
    choose(c, step) {
      // Contexts get their priority the first time they are seen, in candidate order (deterministic).
      for (const cand of c) priorityOf(cand.ctx);
      let best = pick(c);
      const change = changeAt.get(step);
      if (change !== undefined) {
        prio.set(c[best].ctx, change - 1 + 0.5 * (1 / (change + 1)));
        best = pick(c);
      }
      // A context at a choice point: its options are drawn by their weights, not taken in order.
      return c[best].weight === undefined ? best : drawOption(c, best, rng);
    },
    // The change points are drawn at creation from the seed: the same for a strategy made from the same options.
    save: () => ({ rng: rng.save(), prio: [...prio] }),
    restore(s) {
      rng.restore(s.rng!);
      prio.clear();
      for (const [ctx, p] of s.prio ?? []) prio.set(ctx, p);
    },
  };
}

/**
 * Follow a recorded schedule label by label; when it runs out, continue in
 * fifo order. Strict replay fails on a label that is not pending; lenient
 * replay skips it and tries the next recorded label.
 */
function replayStrategy(schedule: readonly string[], lenient: boolean): Strategy {
  let next = 0;
  return {
    name: 'replay',
    choose(c, step) {
      while (next < schedule.length) {
        const wanted = schedule[next++];
        for (let i = 0; i < c.length; i++) if (c[i].label === wanted) return i;
        if (!lenient) throw new ReplayDivergence(step, wanted, c.map((x) => x.label));
      }
      return fifoIndex(c);
    },
    save: () => ({ next }),
    restore: (s) => void (next = s.next ?? 0),
  };
}
