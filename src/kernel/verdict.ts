/**
 * The verdict: the deadlock check, and the run's result in domain words —
 * outcome, explanation, where each open bio sits, metrics, final states.
 */
import { mentionsBio } from '../resources/resource.js';
import { explainTimedCycle, findDeadlock } from '../check/wait-for.js';
import type { Deadlock, NoProgress, Outcome } from '../check/outcome.js';
import type { World } from './world.js';
import type { RunResult, StuckBio } from './run-result.js';
import { stateText } from './xstate-adapter.js';
import { views } from './wait-view.js';
import { MIN_WINDOW_SECONDS, RETRIES_PER_WINDOW } from './progress.js';

export function checkDeadlock(w: World): void {
  const d = findDeadlock(views(w));
  if (d) {
    w.deadlock = d;
    w.stop('deadlock');
  }
}

/**
 * The window passed with bios open and none completing, and the deadlock
 * check found nothing: `no-progress`. When the window is virtual time (the
 * run had timed waits), look again with timed sleepers counted as waiting,
 * and a context between two retries as waiting for what it last timed out
 * on: a cycle that then appears and has a timed edge is what keeps the run
 * live but idle, and the verdict shows it. Any other finding of that second
 * look (an orphan, a cycle without a timed edge) explains nothing.
 */
export function reachNoProgress(w: World): void {
  const window = w.progress.window();
  const stuck = w.ledger.stuck();
  const open = `${stuck.length} bio(s) are open (first open: ${stuck.slice(0, 3).join(', ')})`;
  let np: NoProgress;
  const steps = w.progress.steps;
  if (window.unit === 'steps') {
    np = { window: window.size, unit: 'steps', longestPeriod: 0, text: `no-progress: ${window.size} steps without a bio completing while ${stuck.length} bio(s) are open, and no cycle or orphaned wait explains it (first open: ${stuck.slice(0, 3).join(', ')})` };
  } else {
    const longest = w.progress.longestPeriod;
    // The time window, or the step guard beside it (a busy loop at one instant: progress.ts).
    const byTime = w.clock.now - w.progress.lastProgressTime > window.size;
    const span = byTime
      ? `no bio completed for ${window.size} ticks (${windowReason(w, window.size, longest)}) while ${open}`
      : `no bio completed for ${steps} steps (the step guard: time moved less than the window of ${window.size} ticks) while ${open}`;
    const timedViews = views(w, { since: w.clock.now - window.size });
    const d = findDeadlock(timedViews);
    const base = byTime ? { window: window.size, unit: 'ticks' as const, longestPeriod: longest } : { window: steps, unit: 'steps' as const, longestPeriod: longest };
    if (d !== undefined && d.shape === 'cycle' && d.nodes.some((n) => n.timed !== undefined)) {
      np = { ...base, cycle: { nodes: d.nodes, stuckContexts: d.stuckContexts }, text: `no-progress: ${explainTimedCycle(d.nodes, timedViews)}; ${span}.` };
    } else {
      np = { ...base, text: `no-progress: ${span}, and no cycle or orphaned wait explains it.` };
    }
  }
  w.noProgress = np;
  w.stop('no-progress');
}

/** Why the window is as long as it is, in words. */
function windowReason(w: World, size: number, longest: number): string {
  if (size === RETRIES_PER_WINDOW * longest) return `${RETRIES_PER_WINDOW} x the longest retry period, ${longest} ticks`;
  if (w.progress.ticks !== undefined) return `noProgressTicks; the longest retry period is ${longest} ticks`;
  return `the shortest window, ${MIN_WINDOW_SECONDS} s at HZ ${w.personality.hz}; the longest retry period is ${longest} ticks`;
}

export function result(w: World): RunResult {
  let outcome: Outcome;
  if (w.violation) outcome = 'violation';
  else if (w.overflow) outcome = 'stack-overflow';
  else if (w.deadlock) outcome = 'deadlock';
  else if (w.clock.step >= w.opts.maxSteps) outcome = 'step-limit';
  else if (w.noProgress) outcome = 'no-progress';
  else if (w.ledger.outstanding > 0) {
    // Quiescent with open bios and no doomed context in mid-work: an orphaned wait.
    w.deadlock = orphanedBios(w);
    outcome = 'deadlock';
  } else outcome = 'completed';

  const stuck = w.ledger.stuck().map((bio) => ({ bio, where: locate(w, bio) }));
  const finalStates: Record<string, string> = {};
  for (const c of w.contexts) finalStates[c.name] = c.exited ? 'exited' : c.frames.length === 0 ? 'not started (the run ended during boot)' : stateText(c.top.snapshot);
  const resources: Record<string, string> = {};
  for (const [n, r] of w.resources) resources[n] = r.describe();
  return {
    outcome,
    explanation: explain(w, outcome, stuck),
    deadlock: w.deadlock,
    noProgress: w.noProgress,
    violation: w.violation,
    stackOverflow: w.overflow,
    steps: w.clock.step,
    time: w.clock.now,
    deliveries: w.deliveries,
    metrics: collectMetrics(w),
    warnings: w.warnings.slice(),
    bios: { submitted: w.ledger.submitted, completed: w.ledger.completed, failed: w.ledger.failed, stuck },
    traceHash: w.trace.hash,
    schedule: w.schedule,
    choicePoints: w.choicePoints,
    lastSteps: w.trace.last(),
    trace: w.trace.full,
    deliveryLog: w.deliveryLog,
    finalStates,
    resources,
    kernel: { personality: w.personality.name, hz: w.personality.hz, preemption: w.personality.preemption },
  };
}

function orphanedBios(w: World): Deadlock {
  const stuck = w.ledger.stuck();
  const waiting = views(w).filter((v) => v.wait);
  const nodes = waiting.slice(0, 1).flatMap((v) => [
    { kind: 'context' as const, id: v.name, state: v.state, detail: v.detail, edge: 'waits-for' as const },
    { kind: 'resource' as const, id: v.wait!.node, detail: v.wait!.nodeDetail, edge: 'none' as const },
  ]);
  const where = stuck.slice(0, 3).map((b) => `${b} (${locate(w, b)})`).join(', ');
  const who = waiting.map((v) => `${v.name} waits for ${v.wait!.what} in ${v.wait!.nodeDetail}`).join('; ');
  return {
    shape: 'orphan',
    nodes,
    stuckContexts: waiting.map((v) => v.name),
    text: `deadlock: orphaned wait: nothing can run, yet ${stuck.length} bio${stuck.length === 1 ? ' is' : 's are'} open: ${where}${stuck.length > 3 ? ', ...' : ''}; ${who || 'no context waits for anything'}; no live context will ever move them.`,
  };
}

/** Where an open bio sits: the resource whose items name it exactly, else the context holding it. */
export function locate(w: World, bio: string): string {
  for (const r of w.resources.values()) if (r.holds(bio)) return `${r.kind} ${r.name}`;
  for (const c of w.contexts) {
    if (c.effects.some((e) => mentionsBio(e, bio))) return `held by ${c.name}`;
    for (const f of c.frames) if (mentionsBio(f.snapshot.context, bio)) return `in hand of ${c.name} (${stateText(f.snapshot)})`;
  }
  return 'held by a context (not in any queue)';
}

function collectMetrics(w: World): Record<string, number> {
  const m: Record<string, number> = { ...w.metrics };
  for (const [name, r] of w.resources) for (const [k, v] of Object.entries(r.metrics())) m[`${name}.${k}`] = v;
  for (const [at, n] of Object.entries(w.faults.injected)) m[`faults.${at}`] = n;
  for (const c of w.contexts) if (c.maxDepth > 1) m[`${c.name}.maxDepth`] = c.maxDepth;
  return m;
}

function explain(w: World, outcome: Outcome, stuck: readonly StuckBio[]): string {
  switch (outcome) {
    case 'violation':
      return `violation of ${w.violation!.invariant} at step ${w.violation!.step}: ${w.violation!.message}`;
    case 'stack-overflow': {
      const o = w.overflow!;
      return `stack-overflow on ${o.context}: ${o.chain.length} frames > limit ${o.limit}; call chain: ${o.chain.join(' -> ')}`;
    }
    case 'deadlock':
      return w.deadlock!.text;
    case 'no-progress':
      return w.noProgress!.text;
    case 'step-limit':
      return `step-limit: ${w.opts.maxSteps} steps ran out without a verdict (${stuck.length} bio(s) open)`;
    case 'completed':
      return `completed: ${w.ledger.completed} bio(s) completed${w.ledger.failed ? ` (${w.ledger.failed} with an error)` : ''}, every invariant held`;
  }
}
