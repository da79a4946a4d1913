/**
 * The no-progress window (DESIGN.md "Outcomes"): how long a run may go with
 * bios open and none completing before its verdict is `no-progress`.
 *
 * Once a timed wait has parked, the window is virtual time: the longer of
 * `RunOptions.noProgressTicks` (default: MIN_WINDOW_SECONDS of the
 * personality) and 4 x the longest timeout any timed wait of
 * the run declared, so a retry loop (mempool_alloc's io_schedule_timeout(5*HZ),
 * a down_timeout) gets four retries to make progress before it is judged.
 * The step window (`noProgressSteps`) stays as well, as before timed sleeps
 * existed: a busy loop at one instant (a poll, a reply ping-pong) never moves
 * time, and only the step count sees it spin.
 */
import { ModelError } from './model-error.js';

/** How many retry periods the time window spans at least (the "at least 4x"). */
export const RETRIES_PER_WINDOW = 4;

/**
 * The shortest time window, in seconds of the personality (HZ ticks each).
 * A short retry (congestion_wait's HZ/50) would otherwise make the window a
 * few ticks, and an allocator that fails at random would be judged stuck
 * after an unlucky streak of four: ten seconds is hundreds of such retries,
 * still far below the hung-task detector's 120.
 */
export const MIN_WINDOW_SECONDS = 10;

/** The window a no-progress is judged over now: ticks once a timed wait was seen, else steps. */
export type ProgressWindow = { readonly unit: 'ticks'; readonly size: number } | { readonly unit: 'steps'; readonly size: number };

/** What a run remembers of progress, as plain numbers (a clone copies them). */
export class ProgressWatch {
  /** Longest timeout (ticks) of any timed wait parked so far in the run; 0 while none has. */
  longestPeriod = 0;
  /** Virtual time of the last progress: a bio completing, or no bio being open at all. */
  lastProgressTime = 0;
  private completionsSeen = 0;

  constructor(
    /** `RunOptions.noProgressTicks`, if given. */
    readonly ticks: number | undefined,
    /** `RunOptions.noProgressSteps` (with its default). */
    readonly steps: number,
    /** The personality's HZ: ticks per second, for the shortest window. */
    readonly hz: number,
  ) {
    if (ticks !== undefined && (!Number.isInteger(ticks) || ticks < 1)) {
      throw new ModelError(`noProgressTicks must be a whole number of ticks >= 1, got ${String(ticks)}`);
    }
  }

  /** A timed wait parked with this timeout (its retry period). */
  noteTimedWait(period: number): void {
    if (period > this.longestPeriod) this.longestPeriod = period;
  }

  /** After every step (and every move of time): a completion, or nothing open, is progress at `now`. */
  noteProgress(completed: number, outstanding: number, now: number): void {
    if (completed !== this.completionsSeen || outstanding === 0) {
      this.completionsSeen = completed;
      this.lastProgressTime = now;
    }
  }

  window(): ProgressWindow {
    if (this.longestPeriod === 0) return { unit: 'steps', size: this.steps };
    return { unit: 'ticks', size: Math.max(this.ticks ?? MIN_WINDOW_SECONDS * this.hz, RETRIES_PER_WINDOW * this.longestPeriod) };
  }

  /**
   * Whether the window has passed without progress (bios open: the caller
   * asks only then). The step window stays a guard beside the time window:
   * a busy loop at one instant never moves time, timed waits or not.
   */
  stalled(now: number, step: number, lastCompletionStep: number): boolean {
    const w = this.window();
    if (step - lastCompletionStep > this.steps) return true;
    return w.unit === 'ticks' && now - this.lastProgressTime > w.size;
  }

  copyFrom(src: ProgressWatch): void {
    this.longestPeriod = src.longestPeriod;
    this.lastProgressTime = src.lastProgressTime;
    this.completionsSeen = src.completionsSeen;
  }
}
