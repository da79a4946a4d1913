/** How a run ends, checked in this order (DESIGN.md "Outcomes"). */
export const OUTCOMES = ['violation', 'stack-overflow', 'deadlock', 'no-progress', 'step-limit', 'completed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One node of a deadlock cycle or orphan chain, as DESIGN.md's JSON shape names it. */
export interface CycleNode {
  readonly kind: 'context' | 'resource';
  readonly id: string;
  /** Machine state of a context. */
  readonly state?: string;
  /** Domain words: `interrupts off`, `2/2 records`. */
  readonly detail: string;
  /** Relation to the next node. */
  readonly edge: 'waits-for' | 'held-by' | 'only-reader' | 'only-writer' | 'borrowed-cpu' | 'completes' | 'may-release' | 'writeback-of' | 'none';
  /** On a context whose wait is a timed sleep: its timeout in ticks, the period it retries with. */
  readonly timed?: number;
}

export interface Deadlock {
  /** `cycle`: the nodes close on themselves; `orphan`: the chain ends at a wait nobody live can satisfy. */
  readonly shape: 'cycle' | 'orphan';
  readonly nodes: readonly CycleNode[];
  /** Contexts that can never run again, in context order. */
  readonly stuckContexts: readonly string[];
  readonly text: string;
}

/**
 * What a `no-progress` verdict was judged over, and, when a wait-for cycle
 * through at least one timed wait explains it, that cycle: contexts that
 * wait for each other and stay live only because their sleeps time out and
 * retry (a cycle with no timed edge is a `deadlock` instead).
 */
export interface NoProgress {
  /** How long no bio completed while some were open: ticks once the run had a timed wait, else steps. */
  readonly window: number;
  readonly unit: 'ticks' | 'steps';
  /** Longest timeout of any timed wait of the run (0 if none): a time window is at least 4x it. */
  readonly longestPeriod: number;
  /** The timed cycle that explains it (each timed context node carries `timed`); absent when no cycle does. */
  readonly cycle?: { readonly nodes: readonly CycleNode[]; readonly stuckContexts: readonly string[] };
  readonly text: string;
}

export interface Violation {
  readonly invariant: string;
  readonly step: number;
  readonly contexts: readonly string[];
  readonly message: string;
}

export interface StackOverflow {
  readonly context: string;
  readonly limit: number;
  /** Machines on the stack, outermost first, the frame that overflowed last. */
  readonly chain: readonly string[];
}
