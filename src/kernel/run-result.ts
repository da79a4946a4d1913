/** What a run is asked for (RunOptions) and what it answers (RunResult). Types only. */
import type { EventObject } from 'xstate';
import type { Deadlock, NoProgress, Outcome, StackOverflow, Violation } from '../check/outcome.js';
import type { StrategyName } from './strategy.js';
import type { TraceStep } from './trace.js';
import type { PersonalityName, PreemptionMode } from './personality.js';

export interface RunOptions {
  /** Seed of every random choice (strategy, faults, allocators). Default 1. */
  readonly seed?: number;
  readonly strategy?: StrategyName;
  readonly pctDepth?: number;
  readonly pctSteps?: number;
  /** For `replay`: the recorded labels. */
  readonly schedule?: readonly string[];
  /** For `replay`: skip recorded labels that are not pending instead of failing. */
  readonly lenient?: boolean;
  /** Budget of steps before `step-limit`. Default 1,000,000. */
  readonly maxSteps?: number;
  /**
   * Steps without a bio completion (while bios are open) before `no-progress`,
   * while the run has had no timed wait. Default 100,000.
   */
  readonly noProgressSteps?: number;
  /**
   * Once the run has had a timed wait: virtual time (ticks) without progress
   * before `no-progress`. The window is the longer of this and 4 x the longest
   * timeout any timed wait declared (kernel/progress.ts). Default: 10 seconds
   * of the personality (10 x HZ ticks) in place of this.
   */
  readonly noProgressTicks?: number;
  /** Keep every step (for `--trace`); otherwise only the last `storySteps`. */
  readonly recordTrace?: boolean;
  readonly storySteps?: number;
  /** Run the wait-for check every this many steps even if time never stalls. Default 512. */
  readonly checkEvery?: number;
  /** Keep every (context, event) delivered to a machine, for benchmarks that replay them bare. */
  readonly recordDeliveries?: boolean;
}

/** One XState delivery: which context's top frame got which event. */
export interface Delivery {
  readonly ctx: number;
  readonly event: EventObject;
}

export interface StuckBio {
  readonly bio: string;
  /** Where it is: `channel ubd.queue`, `aio-ring ring (in flight)`, or `unknown`. */
  readonly where: string;
}

export interface RunResult {
  readonly outcome: Outcome;
  /** The verdict in domain words, one paragraph. */
  readonly explanation: string;
  readonly deadlock?: Deadlock;
  /**
   * With outcome `no-progress`: the window it was judged over and, when a
   * wait-for cycle through at least one timed wait explains it, that cycle
   * (`noProgress.cycle.nodes`, DESIGN.md's node shape, each timed context node
   * with `timed: <period>`). `deadlock` stays undefined: such a cycle is live.
   */
  readonly noProgress?: NoProgress;
  readonly violation?: Violation;
  readonly stackOverflow?: StackOverflow;
  readonly steps: number;
  /** Virtual time at the end. */
  readonly time: number;
  /** XState transitions performed (deliveries to machines). */
  readonly deliveries: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** Lint-like warnings (`GFP_ATOMIC must be used alone`), each once, in first-seen order; never an outcome. */
  readonly warnings: readonly string[];
  readonly bios: { readonly submitted: number; readonly completed: number; readonly failed: number; readonly stuck: readonly StuckBio[] };
  readonly traceHash: string;
  /** Every delivery chosen, in order: replaying it reproduces the run. */
  readonly schedule: readonly string[];
  /** How many steps had more than one candidate (real choices). */
  readonly choicePoints: number;
  readonly lastSteps: readonly TraceStep[];
  readonly trace?: readonly TraceStep[];
  /** With `recordDeliveries`: every delivery, in order. */
  readonly deliveryLog?: readonly Delivery[];
  /** Final state of each context, and each resource's description. */
  readonly finalStates: Readonly<Record<string, string>>;
  readonly resources: Readonly<Record<string, string>>;
  /** The kernel it ran on (SystemSpec.kernel with defaults): every witness states its mode. */
  readonly kernel: { readonly personality: PersonalityName; readonly hz: number; readonly preemption: PreemptionMode };
}
