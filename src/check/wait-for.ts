import type { Releasers } from '../resources/resource.js';
import type { CycleNode, Deadlock } from './outcome.js';

/**
 * The wait-for graph (DESIGN.md principle 5). Nodes are contexts and the
 * things they wait for (resources, CPUs); a context waits for one node; a node
 * is released by the contexts that could let the waiter go (lock owner, the
 * only reader of a pipe, the holder of a CPU...).
 *
 * Deadlock is decided as a greatest fixpoint, not by "a cycle exists": a
 * waiter is doomed only when *every* context that could release it is doomed
 * too (a counted resource with two possible readers is not a deadlock while
 * one of them can still run). A resource the rest of the system can refill
 * (`anyone`) never dooms anybody. The explanation is then a cycle inside the
 * doomed set, or, when the chain runs out, an orphaned wait.
 */
export interface ContextView {
  readonly name: string;
  readonly state: string;
  /** Domain words about the context now: `interrupts off`, `in interrupt`, `blocked in host write`. */
  readonly detail: string;
  /** Can make progress on its own: something deliverable, or a timer of its own still to fire. */
  readonly live: boolean;
  /** Waiting in the middle of work (true), or idle waiting for new work (false). */
  readonly midWork: boolean;
  readonly wait?: WaitEdge;
}

export interface WaitEdge {
  /** Node id: a resource name, or `cpu <name>`. */
  readonly node: string;
  readonly nodeKind: 'resource';
  /** One-line state of the node: `pipe aio->ubd (2/2 records)`. */
  readonly nodeDetail: string;
  /** What the context waits for: `space`, `data`, `the CPU`. */
  readonly what: string;
  /** Who could let the waiter go; for a CPU, its holder (`held-by`) or the handler that borrowed it (`borrowed-cpu`). */
  readonly releasers: Releasers;
  /**
   * A timed sleep's timeout in ticks. The deadlock check never sees such an
   * edge (a timed waiter is live); only the view that explains a no-progress does.
   */
  readonly timed?: number;
}

/** Index of each doomed context (can never run again), or empty. */
export function doomedContexts(views: readonly ContextView[]): boolean[] {
  const byName = new Map(views.map((v, i) => [v.name, i]));
  const doomed = views.map((v) => !v.live && v.wait !== undefined);
  // A context that neither runs nor waits (it exited, or sleeps with nothing
  // that could wake it) is not doomed itself but can release nobody.
  const canRelease = views.map((v) => v.live);
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < views.length; i++) {
      if (!doomed[i]) continue;
      const r = views[i].wait!.releasers;
      const saved =
        r === 'anyone' ||
        r.some((rel) => {
          const j = byName.get(rel.ctx);
          return j !== undefined && (canRelease[j] || (views[j].wait !== undefined && !doomed[j]));
        });
      if (saved) {
        doomed[i] = false;
        changed = true;
      }
    }
  }
  return doomed;
}

/**
 * A deadlock if some context doomed in the middle of work exists, explained
 * from the first such context (in context order): follow waits-for and
 * releaser edges through doomed contexts until a node repeats (cycle) or the
 * chain ends (orphan).
 */
export function findDeadlock(views: readonly ContextView[]): Deadlock | undefined {
  const doomed = doomedContexts(views);
  const start = views.findIndex((v, i) => doomed[i] && v.midWork);
  if (start < 0) return undefined;
  const byName = new Map(views.map((v, i) => [v.name, i]));
  const nodes: CycleNode[] = [];
  const seenAt = new Map<number, number>();
  let i = start;
  for (;;) {
    if (seenAt.has(i)) {
      const from = seenAt.get(i)!;
      const cycle = nodes.slice(from);
      return build('cycle', cycle, views, doomed);
    }
    const v = views[i];
    seenAt.set(i, nodes.length);
    const w = v.wait!;
    nodes.push(w.timed === undefined ? { kind: 'context', id: v.name, state: v.state, detail: v.detail, edge: 'waits-for' } : { kind: 'context', id: v.name, state: v.state, detail: v.detail, edge: 'waits-for', timed: w.timed });
    const rel = w.releasers === 'anyone' ? [] : w.releasers;
    // Prefer a doomed releaser that leads on; a releaser that is not doomed would have saved us.
    const next = rel.find((r) => {
      const j = byName.get(r.ctx);
      return j !== undefined && doomed[j];
    });
    const idleNext = next ?? rel.find((r) => byName.has(r.ctx));
    if (!idleNext) {
      nodes.push({ kind: 'resource', id: w.node, detail: w.nodeDetail, edge: 'none' });
      return build('orphan', nodes, views, doomed);
    }
    nodes.push({ kind: 'resource', id: w.node, detail: w.nodeDetail, edge: idleNext.edge });
    const j = byName.get(idleNext.ctx)!;
    if (!doomed[j]) {
      // The releaser is neither live nor waiting: it exited or sleeps with nothing to wake it.
      nodes.push({ kind: 'context', id: views[j].name, state: views[j].state, detail: views[j].detail || 'will never run again', edge: 'none' });
      return build('orphan', nodes, views, doomed);
    }
    i = j;
  }
}

function build(shape: Deadlock['shape'], nodes: CycleNode[], views: readonly ContextView[], doomed: boolean[]): Deadlock {
  const stuckContexts = views.filter((_, i) => doomed[i]).map((v) => v.name);
  return { shape, nodes, stuckContexts, text: explain(shape, nodes, views) };
}

/** The cycle in domain words, one clause per edge. */
export function explain(shape: Deadlock['shape'], nodes: readonly CycleNode[], views: readonly ContextView[]): string {
  const body = clauses(shape, nodes, views);
  if (shape === 'cycle') return `deadlock: ${cycleOf(nodes)}: ${body}; which closes the cycle.`;
  return `deadlock: orphaned wait: ${body}.`;
}

/** A cycle through timed waits, for a no-progress: the same clauses, the timed edges with their period. */
export function explainTimedCycle(nodes: readonly CycleNode[], views: readonly ContextView[]): string {
  return `${cycleOf(nodes)}, live only through timed retries: ${clauses('cycle', nodes, views)}; which closes the cycle`;
}

function cycleOf(nodes: readonly CycleNode[]): string {
  const ctxs = nodes.filter((n) => n.kind === 'context').length;
  return `cycle of ${ctxs} context${ctxs === 1 ? '' : 's'}`;
}

function clauses(shape: Deadlock['shape'], nodes: readonly CycleNode[], views: readonly ContextView[]): string {
  const waitOf = new Map(views.map((v) => [v.name, v.wait]));
  const parts: string[] = [];
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k];
    const next = nodes[(k + 1) % nodes.length];
    if (n.kind === 'context') {
      const w = waitOf.get(n.id);
      if (n.edge === 'none') {
        parts.push(`${n.id} (${n.state}) ${n.detail}`);
        continue;
      }
      const about = [n.detail, n.timed === undefined ? '' : `retries every ${n.timed} ticks`].filter((s) => s !== '').join(', ');
      const who = about ? `${n.id} (${about})` : n.id;
      parts.push(`${who} waits for ${w?.what ?? 'something'} in ${next.kind === 'resource' ? next.detail : next.id}`);
    } else {
      const target = nodes[k + 1] ?? (shape === 'cycle' ? nodes[0] : undefined);
      switch (n.edge) {
        case 'only-reader':
          parts.push(`only ${target!.id} reads it`);
          break;
        case 'only-writer':
          parts.push(`only ${target!.id} writes it`);
          break;
        case 'held-by':
          parts.push(`held by ${target!.id}`);
          break;
        case 'borrowed-cpu':
          parts.push(`borrowed by interrupt handler ${target!.id}`);
          break;
        case 'completes':
          parts.push(`only ${target!.id} completes it`);
          break;
        case 'may-release':
          parts.push(`only ${target!.id} could release it`);
          break;
        case 'writeback-of': {
          // The device is on the releaser the waiter's resource named (the context node just before).
          const waiter = k > 0 ? waitOf.get(nodes[k - 1].id) : undefined;
          const rel = waiter && waiter.releasers !== 'anyone' ? waiter.releasers.find((r) => r.ctx === target!.id && r.edge === 'writeback-of') : undefined;
          parts.push(`only the writeback of ${rel?.device ?? 'its device'} by ${target!.id} could free it`);
          break;
        }
        case 'none':
          parts.push('no live context can ever provide it');
          break;
        default:
          parts.push(`-> ${target?.id ?? '?'}`);
      }
    }
  }
  return parts.join('; ');
}
