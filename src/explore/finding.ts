import type { Outcome } from '../check/outcome.js';
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
      const ids = d.nodes.map((n) => `${n.kind === 'context' ? '' : '@'}${n.id}`);
      if (d.shape === 'cycle' && ids.length > 0) {
        let best = 0;
        for (let i = 1; i < ids.length; i++) if (ids[i] < ids[best]) best = i;
        return `deadlock:cycle:${[...ids.slice(best), ...ids.slice(0, best)].join('>')}`;
      }
      return `deadlock:orphan:${ids.join('>')}`;
    }
    case 'violation':
      return `violation:${r.violation!.invariant}`;
    case 'stack-overflow':
      return `stack-overflow:${r.stackOverflow!.context}`;
    default:
      return r.outcome;
  }
}
