/**
 * The wait-for view of each context (check/wait-for.ts builds the graph from
 * it): live, or waiting for a named node (a resource, a CPU, an interrupt
 * line) that named contexts could release. Pure queries over the world.
 */
import type { Waiter } from '../resources/resource.js';
import type { ContextView } from '../check/wait-for.js';
import type { ExecContext } from './exec-context.js';
import type { World } from './world.js';
import { stateText } from './xstate-adapter.js';
import { heldBy, holderOf, type Hold } from './deliverable.js';
import type { Cpu } from './cpu.js';
import { interlockOf, spinsForInterlock } from './context-switch.js';

/**
 * How a view treats timed sleeps when it explains a no-progress rather than
 * looks for a deadlock: a timed sleeper counts as waiting (its edge marked
 * with its period), and so does a context whose last timed sleep timed out
 * at `since` or later and that is not parked now (it is between two retries).
 */
export interface TimedAsWaiting {
  readonly since: number;
}

/**
 * The wait-for view of every context. Without `timed`, as the deadlock check
 * reads it: a timed sleeper is live (it ends by itself).
 */
export function views(w: World, timed?: TimedAsWaiting): ContextView[] {
  return w.contexts.map((ctx) => view(w, ctx, timed));
}

/**
 * Whether a deadlock could start now: some context is parked in the middle
 * of work (not in an idle-tagged wait for new work, or stuck with an item
 * in hand, or in a host call), or some CPU is held (a context waiting for
 * it is mid-work). Contexts idle in a `get` between requests cannot start a
 * deadlock report, so a stack full of them (the pipeline between bios) is
 * not re-checked at every tick. The final check at quiescence is unaffected.
 */
export function anyBlocked(w: World): boolean {
  for (const cpu of w.cpus.values()) if (cpu.ipl > 0 || cpu.stalledBy >= 0 || cpu.active.length) return true;
  for (const c of w.contexts) {
    const b = c.blocked;
    if (!b) continue;
    if (b.host || b.inHand || c.effects.length > 0 || !c.top.snapshot.hasTag('idle')) return true;
  }
  return false;
}

function view(w: World, ctx: ExecContext, timed: TimedAsWaiting | undefined): ContextView {
  const state = ctx.exited ? 'exited' : stateText(ctx.top.snapshot);
  const detail = contextDetail(ctx);
  const midWork = !ctx.exited && !ctx.top.snapshot.hasTag('idle');
  if (ctx.exited) return { name: ctx.name, state, detail, live: false, midWork: false };
  if (ctx.blocked) {
    const b = ctx.blocked;
    // A timed sleep ends by itself: live, whatever it waits for (a wait bounded by a timeout is not a deadlock).
    if (b.deadline !== undefined && timed === undefined) return { name: ctx.name, state, detail, live: true, midWork };
    const r = b.resource;
    // A plain blocking put has no reply: the machine already moved on (often into an idle state),
    // but the context is stuck with the item in hand, in the middle of work.
    const waiter = r.waiters().find((x) => x.ctx === ctx.name) ?? { ctx: ctx.name, what: b.op, since: b.since };
    const edge = { node: r.name, nodeKind: 'resource' as const, nodeDetail: r.describe(), what: waiter.what, releasers: r.releasers(waiter) };
    return { name: ctx.name, state, detail, live: false, midWork: midWork || b.inHand, wait: b.period === undefined ? edge : { ...edge, timed: b.period } };
  }
  const last = timed === undefined ? undefined : ctx.lastTimedWait;
  if (last !== undefined && last.at >= timed!.since) {
    // Between two retries: it got its timeout reply (or is about to) and will sleep on the same thing again.
    const r = w.resources.get(last.resource)!;
    return { name: ctx.name, state, detail, live: false, midWork, wait: { node: r.name, nodeKind: 'resource', nodeDetail: r.describe(), what: last.what, releasers: last.releasers, timed: last.period } };
  }
  const pending =
    ctx.rerun !== null ||
    ctx.effects.length > 0 ||
    ctx.replies.length > 0 ||
    ctx.mailboxSeqs.length > 0 ||
    w.timers.due.some((t) => t.ctx === ctx.index) ||
    (ctx.isHandler && !ctx.irqActive && ctx.irqAsserted);
  if (pending) {
    if (spinsForInterlock(w, ctx)) {
      const lock = interlockOf(w, ctx);
      const waiter: Waiter = { ctx: ctx.name, what: 'its interlock', since: w.clock.step };
      return { name: ctx.name, state, detail, live: false, midWork: true, wait: { node: lock.name, nodeKind: 'resource', nodeDetail: lock.describe(), what: 'its interlock back (to return from its sleep)', releasers: lock.releasers(waiter) } };
    }
    const hold = heldBy(ctx);
    if (hold === undefined) return { name: ctx.name, state, detail, live: true, midWork };
    return { name: ctx.name, state, detail, live: false, midWork: true, wait: cpuWait(w, ctx.cpu!, hold) };
  }
  if (w.timers.hasFutureFor(ctx.index)) return { name: ctx.name, state, detail, live: true, midWork };
  if (ctx.isHandler && !ctx.irqActive && ctx.irqLine) {
    const line = ctx.irqLine;
    const waiter: Waiter = { ctx: ctx.name, what: 'data', since: 0 };
    return { name: ctx.name, state, detail, live: false, midWork: false, wait: { node: line.name, nodeKind: 'resource', nodeDetail: line.describe(), what: 'data (its interrupt line)', releasers: line.releasers(waiter) } };
  }
  return { name: ctx.name, state, detail, live: false, midWork: false };
}

/** The wait of a context that cannot get its CPU (or kernel_lock), and who holds it. */
function cpuWait(w: World, cpu: Cpu, hold: Hold): NonNullable<ContextView['wait']> {
  const holder = holderOf(cpu, hold);
  const holderName = holder >= 0 ? w.contexts[holder].name : undefined;
  const releasers = holderName ? [{ ctx: holderName, edge: hold === 'borrowed' ? ('borrowed-cpu' as const) : ('held-by' as const) }] : [];
  if (hold === 'kernel_lock') {
    const other = cpu.rules.kernelLock?.holder();
    return { node: 'kernel_lock', nodeKind: 'resource', nodeDetail: `kernel_lock (held by cpu ${other?.name ?? '?'}${holderName ? `, running ${holderName}` : ''})`, what: 'kernel_lock', releasers };
  }
  const why =
    hold === 'stalled'
      ? `ipl ${cpu.ipl}, stalled by ${holderName}'s host system call`
      : hold === 'borrowed'
        ? `in interrupt handler ${holderName}`
        : hold === 'thread'
          ? `kept by ${holderName}, which runs kernel code and is not preempted`
          : `ipl ${cpu.ipl}`;
  return { node: `cpu ${cpu.name}`, nodeKind: 'resource', nodeDetail: `cpu ${cpu.name} (${why})`, what: 'the CPU', releasers };
}

function contextDetail(ctx: ExecContext): string {
  const parts: string[] = [];
  const cpu = ctx.cpu;
  if (cpu && cpu.iplOwner === ctx.index && cpu.ipl > 0) parts.push('interrupts off');
  if (ctx.irqActive) parts.push('in interrupt');
  if (ctx.blocked?.host) parts.push('blocked in a host system call');
  if (ctx.frames.length > 1) parts.push(`stack depth ${ctx.frames.length}`);
  return parts.join(', ');
}
