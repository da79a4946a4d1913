import type { CycleNode, Outcome } from '../check/outcome.js';
import type { RunResult } from '../kernel/simulation.js';

/** Outcomes that are findings: something went wrong. `step-limit` is inconclusive, `completed` is fine. */
export const FINDING_OUTCOMES: readonly Outcome[] = ['violation', 'stack-overflow', 'deadlock', 'no-progress'];

export function isFinding(outcome: Outcome): boolean {
  return FINDING_OUTCOMES.includes(outcome);
}

/**
 * What makes two findings "the same bug", independent of schedule length and
 * bio names: the outcome, and its shape — a deadlock's cycle (context and
 * resource ids, rotated to start at the smallest id) or orphan chain, the
 * violated invariant, the overflowing context. Shrinking must keep it.
 */
export function signatureOf(r: RunResult): string {
  switch (r.outcome) {
    case 'deadlock': {
      const d = r.deadlock!;
      if (d.shape === 'cycle' && d.nodes.length > 0) return `deadlock:cycle:${cycleKey(d.nodes)}`;
      return `deadlock:orphan:${d.nodes.map(nodeId).join('>')}`;
    }
    case 'no-progress': {
      // A livelock through timed waits is told apart by its cycle, as a deadlock is.
      const c = r.noProgress?.cycle;
      return c !== undefined && c.nodes.length > 0 ? `no-progress:cycle:${cycleKey(c.nodes)}` : 'no-progress';
    }
    case 'violation':
      return `violation:${r.violation!.invariant}`;
    case 'stack-overflow':
      return `stack-overflow:${r.stackOverflow!.context}`;
    default:
      return r.outcome;
  }
}

const nodeId = (n: CycleNode): string => `${n.kind === 'context' ? '' : '@'}${n.id}`;

/** A cycle's node ids from its smallest one: the same cycle entered anywhere gives the same key. */
function cycleKey(nodes: readonly CycleNode[]): string {
  const ids = nodes.map(nodeId);
  let best = 0;
  for (let i = 1; i < ids.length; i++) if (ids[i] < ids[best]) best = i;
  return [...ids.slice(best), ...ids.slice(0, best)].join('>');
}
