/**
 * Exhaustive search of a small configuration's state space (DESIGN.md: "DFS/BFS
 * on small configurations"): every interleaving the scheduler allows, with
 * states merged by the kernel's canonical fingerprint, so "no deadlock" is a
 * proof for these parameters rather than the absence of a lucky seed.
 *
 * A child state is the parent's simulation cloned (`Simulation.clone()`)
 * and stepped once: about ten times cheaper than replaying the path on a
 * fresh simulation, which is what a stateless search would do.
 *
 * Verdicts are the kernel's own, under its default options: a deadlock is
 * found where an ordinary run finds it (when time would stall, or when
 * nothing is pending), so a schedule's length here is comparable with the
 * steps of a random run. A livelock (a cycle of states with no terminal) is
 * not a terminal and is not reported.
 */
import type { Outcome } from '../check/outcome.js';
import type { RunResult, Simulation } from '../kernel/simulation.js';
import type { SystemSpec } from '../kernel/system.js';
import { isFinding, signatureOf } from './finding.js';
import { replayTo, stateKey } from './state-walk.js';

export interface ExhaustiveOptions {
  readonly mode: 'dfs' | 'bfs';
  /** Stop (and say `exhausted: false`) after this many distinct states. Default 200,000. */
  readonly maxStates?: number;
  /** Do not expand states this many steps deep; any such state with pending work makes `exhausted` false. */
  readonly maxDepth?: number;
  /** Stop at the first finding. Default: true for bfs (it is a shortest), false for dfs. */
  readonly stopAtFirst?: boolean;
  /**
   * DFS memory: the frames on top of the path that keep their simulation
   * (default 64), and the spacing of checkpoints below them (default 64).
   * Smaller is leaner and replays more; the search visits the same states either way.
   */
  readonly checkpoints?: { readonly recent: number; readonly stride: number };
}

/** A terminal state whose outcome is a finding, and the schedule that reaches it. */
export interface ExhaustiveFinding {
  readonly outcome: Outcome;
  readonly signature: string;
  readonly schedule: string[];
  readonly steps: number;
  readonly explanation: string;
}

export interface ExhaustiveResult {
  readonly mode: 'dfs' | 'bfs';
  /** Distinct states (fingerprints) visited. */
  readonly states: number;
  /** Steps taken from a visited state, including those that led to an already visited state. */
  readonly transitions: number;
  /** Distinct terminal states (nothing pending: the run has a verdict). */
  readonly terminals: number;
  /** The whole reachable space was visited within the budgets (no state cut by maxStates or maxDepth, no early stop). */
  readonly exhausted: boolean;
  /** One per distinct signature, the first found; under bfs each is a shortest schedule for its signature. */
  readonly findings: ExhaustiveFinding[];
  /** Depth (steps from the start) of the deepest state visited. */
  readonly maxDepth: number;
  readonly ms: number;
  readonly statesPerSec: number;
}

export const DEFAULT_MAX_STATES = 200_000;

/** Search every interleaving of `system` depth-first or breadth-first; see the file comment. */
export function exhaust(system: SystemSpec, opts: ExhaustiveOptions): ExhaustiveResult {
  const t0 = performance.now();
  const stopAtFirst = opts.stopAtFirst ?? opts.mode === 'bfs';
  const findings: ExhaustiveFinding[] = [];
  const seen = new Set<string>();
  const onTerminal = (r: RunResult): boolean => {
    if (!isFinding(r.outcome)) return false;
    const signature = signatureOf(r);
    if (!seen.has(signature)) {
      seen.add(signature);
      findings.push({ outcome: r.outcome, signature, schedule: [...r.schedule], steps: r.steps, explanation: r.explanation });
    }
    return stopAtFirst;
  };
  const limits = { maxStates: opts.maxStates ?? DEFAULT_MAX_STATES, maxDepth: opts.maxDepth ?? Infinity };
  const walk = opts.mode === 'bfs' ? walkBfs(system, [], limits, onTerminal) : walkDfs(system, [], limits, onTerminal, opts.checkpoints);
  const ms = performance.now() - t0;
  return { mode: opts.mode, ...walk, findings, ms, statesPerSec: ms > 0 ? Math.round((walk.states * 1000) / ms) : 0 };
}

export interface Continuations {
  /** Every state reachable after the prefix was visited within `maxStates`. */
  readonly exhausted: boolean;
  /** Distinct terminal states reached (not schedules: schedules that merge into one state count once). */
  readonly terminals: number;
  /** Terminal states whose outcome is a finding. */
  readonly failing: number;
  /** Terminal states per signature (`completed` included). */
  readonly signatures: Record<string, number>;
}

/**
 * Every terminal state reachable after `prefix` (DFS, states merged by
 * fingerprint), counted as distinct terminal *states*: two schedules that
 * end in the same state count once.
 */
export function continuations(system: SystemSpec, prefix: readonly string[], opts: { readonly maxStates: number }): Continuations {
  let failing = 0;
  const signatures: Record<string, number> = {};
  const walk = forEachTerminal(system, prefix, opts.maxStates, (r) => {
    if (isFinding(r.outcome)) failing++;
    const sig = signatureOf(r);
    signatures[sig] = (signatures[sig] ?? 0) + 1;
    return false;
  });
  return { exhausted: walk.exhausted, terminals: walk.terminals, failing, signatures };
}

/**
 * Depth-first over the states reachable after `prefix`, calling `onTerminal`
 * once per distinct terminal state until it returns true (which ends the walk
 * with `exhausted: false`). The critical-step search uses it to stop at the
 * first continuation that escapes.
 */
export function forEachTerminal(system: SystemSpec, prefix: readonly string[], maxStates: number, onTerminal: (result: RunResult) => boolean): { exhausted: boolean; terminals: number } {
  const walk = walkDfs(system, prefix, { maxStates, maxDepth: Infinity }, onTerminal);
  return { exhausted: walk.exhausted, terminals: walk.terminals };
}

// ---------------------------------------------------------------- the two walks

interface Limits {
  readonly maxStates: number;
  readonly maxDepth: number;
}

interface WalkStats {
  states: number;
  transitions: number;
  terminals: number;
  exhausted: boolean;
  maxDepth: number;
}

/** Called once per distinct terminal state; returning true stops the walk. */
type OnTerminal = (result: RunResult) => boolean;

/** What arriving in a state (already `pending()`-settled) means for the walk. */
type Arrival = 'expand' | 'leaf' | 'stop';

/**
 * Book-keeping shared by both walks: the visited set, the counters, and the
 * decision for a state just reached at `depth` from the prefix.
 */
class Visits {
  /** State key -> the shallowest depth it was reached at. */
  private readonly depthOf = new Map<string, number>();
  readonly stats: WalkStats = { states: 0, transitions: 0, terminals: 0, exhausted: true, maxDepth: 0 };

  constructor(
    private readonly limits: Limits,
    private readonly onTerminal: OnTerminal,
  ) {}

  arrive(sim: Simulation, depth: number, terminal: boolean): Arrival {
    const key = stateKey(sim);
    const known = this.depthOf.get(key);
    // Under a depth bound a state first met deep may have been cut off; met
    // shallower, it is expanded again (the usual fix for depth-bounded DFS).
    if (known !== undefined && (known <= depth || this.limits.maxDepth === Infinity)) return 'leaf';
    if (known === undefined && this.depthOf.size >= this.limits.maxStates) return this.stop();
    this.depthOf.set(key, depth);
    this.stats.states = this.depthOf.size;
    if (depth > this.stats.maxDepth) this.stats.maxDepth = depth;
    if (terminal) {
      if (known !== undefined) return 'leaf';
      this.stats.terminals++;
      return this.onTerminal(sim.run()) ? this.stop() : 'leaf';
    }
    if (depth >= this.limits.maxDepth) {
      this.stats.exhausted = false;
      return 'leaf';
    }
    return 'expand';
  }

  private stop(): Arrival {
    this.stats.exhausted = false;
    return 'stop';
  }
}

/** Frames nearest the top of the DFS path that keep their simulation, and the checkpoint spacing below them. */
const DFS_CHECKPOINTS = { recent: 64, stride: 64 } as const;

/**
 * Depth-first, children in candidate order. A child is a clone of its
 * parent's simulation stepped once (the last child takes the parent's own
 * simulation, which is no longer needed). Memory stays bounded on deep paths
 * (a 19,577-step vnd run): only the `recent` frames on top and one
 * checkpoint every `stride` frames keep a simulation; a frame without one
 * is rebuilt, when the search backtracks to it, by cloning the nearest
 * checkpoint below and replaying the path's choices from there (the
 * scheduler is deterministic, so the rebuilt state is the same).
 */
function walkDfs(system: SystemSpec, prefix: readonly string[], limits: Limits, onTerminal: OnTerminal, checkpoints: ExhaustiveOptions['checkpoints'] = DFS_CHECKPOINTS): WalkStats {
  const { recent, stride } = checkpoints;
  const visits = new Visits(limits, onTerminal);
  const stack: { sim: Simulation | undefined; labels: readonly string[]; next: number }[] = [];

  const arrive = (sim: Simulation): Arrival => {
    const cands = sim.pending();
    const a = visits.arrive(sim, stack.length, cands.length === 0);
    if (a === 'expand') {
      stack.push({ sim, labels: cands.map((c) => c.label), next: 0 });
      const old = stack.length - 1 - recent;
      if (old > 0 && old % stride !== 0) stack[old].sim = undefined;
    }
    return a;
  };
  const rebuild = (k: number): Simulation => {
    let j = k - 1;
    while (j >= 0 && stack[j].sim === undefined) j--;
    const base = j >= 0 ? stack[j].sim : undefined;
    const sim = base !== undefined ? base.clone() : replayTo(system, prefix);
    if (base === undefined) sim.pending();
    for (let m = Math.max(j, 0); m < k; m++) {
      sim.step(stack[m].next - 1);
      sim.pending();
    }
    return sim;
  };

  if (arrive(replayTo(system, prefix)) === 'stop') return visits.stats;
  while (stack.length) {
    const k = stack.length - 1;
    const top = stack[k];
    if (top.next === top.labels.length) {
      stack.pop();
      continue;
    }
    const parent = top.sim ?? (top.sim = rebuild(k));
    const i = top.next++;
    const child = top.next === top.labels.length ? parent : parent.clone();
    if (child === parent) top.sim = undefined;
    child.step(i);
    visits.stats.transitions++;
    if (arrive(child) === 'stop') break;
  }
  return visits.stats;
}

/** Simulations kept for states waiting in the BFS queue (~15 KB each); beyond it, a state is replayed when its turn comes. */
const BFS_KEPT = 20_000;

/**
 * Breadth-first: every state at depth d is reached before any at d + 1, so
 * the first finding met is a shortest schedule. A queued state keeps its
 * simulation while fewer than BFS_KEPT are kept; otherwise it keeps only its
 * parent and label, and is re-entered by replaying its path.
 */
function walkBfs(system: SystemSpec, prefix: readonly string[], limits: Limits, onTerminal: OnTerminal): WalkStats {
  const visits = new Visits(limits, onTerminal);
  interface Node {
    readonly parent: number;
    readonly label: string;
    readonly depth: number;
    readonly labels: readonly string[];
    sim: Simulation | undefined;
  }
  // Nodes are created in breadth-first order, so the node list is the queue.
  const nodes: Node[] = [];
  let kept = 0;
  const pathOf = (n: number): string[] => {
    const p: string[] = [];
    for (let i = n; i > 0; i = nodes[i].parent) p.push(nodes[i].label);
    return [...prefix, ...p.reverse()];
  };
  const arrive = (sim: Simulation, parent: number, label: string, depth: number): Arrival => {
    const cands = sim.pending();
    const a = visits.arrive(sim, depth, cands.length === 0);
    if (a === 'expand') {
      const keep = kept < BFS_KEPT;
      if (keep) kept++;
      nodes.push({ parent, label, depth, labels: cands.map((c) => c.label), sim: keep ? sim : undefined });
    }
    return a;
  };

  if (arrive(replayTo(system, prefix), -1, '', 0) === 'stop') return visits.stats;
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n];
    let sim = node.sim;
    if (sim) {
      node.sim = undefined;
      kept--;
    } else {
      sim = replayTo(system, pathOf(n));
      sim.pending();
    }
    for (let i = 0; i < node.labels.length; i++) {
      const child = i === node.labels.length - 1 ? sim : sim.clone();
      child.step(i);
      visits.stats.transitions++;
      if (arrive(child, n, node.labels[i], node.depth + 1) === 'stop') return visits.stats;
    }
  }
  return visits.stats;
}
