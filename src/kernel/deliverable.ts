/**
 * Deliverability: which of a context's delivery channels (a reply, its
 * deferred effects, a due timer, its interrupt, its mailbox) may be chosen
 * now, under the CPU rules. A query over the world; the only writes are the
 * bookkeeping of *when* something became pending (an asserted line's number
 * in the pending order, a timer's interned label).
 */
import type { Candidate } from './strategy.js';
import type { ExecContext } from './exec-context.js';
import type { Timer } from './timers.js';
import type { World } from './world.js';
import type { Cpu } from './cpu.js';
import { spinsForInterlock } from './context-switch.js';

export interface Cand extends Candidate {
  readonly kind: 'reply' | 'resume' | 'irq' | 'timer' | 'mailbox' | 'retry' | 'choose';
  readonly timer?: Timer;
  /** For `choose`: the index of the option this candidate takes. */
  readonly option?: number;
}

/**
 * Heads of every delivery channel deliverable now, in context order
 * (deterministic). A pending choice point comes first and alone: a draw
 * happens inside the operation that makes it (kmalloc's attempt, the disk
 * taking a request), so nothing else may run between the operation and its
 * draw — the scheduler's only choice is the option.
 */
export function collect(w: World, out: Cand[]): void {
  out.length = 0;
  if (w.pendingChoices > 0 && choiceFirst(w, out)) return;
  for (const ctx of w.contexts) {
    if (ctx.exited || ctx.blocked) continue;
    if (ctx.isHandler && !ctx.irqActive && ctx.irqPendingSeq < 0 && ctx.irqAsserted) ctx.irqPendingSeq = w.nextSeq();
    if (!canRun(ctx) || spinsForInterlock(w, ctx)) continue;
    const rerun = ctx.rerun;
    if (rerun !== null) {
      // Nothing else reaches a context whose operation is unfinished, as with deferred effects.
      // (A choice that cannot be taken yet, its CPU held, waits here like a retry.)
      if (rerun.kind === 'retry') out.push({ kind: 'retry', label: ctx.labels.retry, ctx: ctx.index, seq: rerun.seq });
      continue;
    }
    if (ctx.effects.length) {
      out.push({ kind: 'resume', label: ctx.labels.resume, ctx: ctx.index, seq: ctx.resumeSeq });
      continue;
    }
    if (ctx.isHandler && !ctx.irqActive) {
      if (ctx.irqPendingSeq >= 0) out.push({ kind: 'irq', label: ctx.labels.irq, ctx: ctx.index, seq: ctx.irqPendingSeq });
      continue;
    }
    if (ctx.replies.length) out.push({ kind: 'reply', label: ctx.labels.reply, ctx: ctx.index, seq: ctx.replies[0].seq });
    if (ctx.mailboxSeqs.length) out.push({ kind: 'mailbox', label: ctx.labels.mailbox, ctx: ctx.index, seq: ctx.mailboxSeqs[0] });
  }
  for (const t of w.timers.due) {
    const ctx = w.contexts[t.ctx];
    if (ctx.blocked || ctx.rerun || ctx.effects.length || ctx.exited || !canRun(ctx) || spinsForInterlock(w, ctx)) continue;
    if (ctx.isHandler && !ctx.irqActive) continue;
    out.push({ kind: 'timer', label: t.label ?? (t.label = ctx.timerLabel(t.id)), ctx: t.ctx, seq: t.pendingSeq, timer: t });
  }
}

/** The options of the first choice point that can be taken now, alone; false if there is none. */
function choiceFirst(w: World, out: Cand[]): boolean {
  for (const ctx of w.contexts) {
    const r = ctx.rerun;
    if (r === null || r.kind !== 'choose' || ctx.exited || !canRun(ctx) || spinsForInterlock(w, ctx)) continue;
    for (let i = 0; i < r.labels!.length; i++) out.push({ kind: 'choose', label: r.labels![i], ctx: ctx.index, seq: r.seq, option: i, weight: r.weights?.[i] ?? 1 });
    return true;
  }
  return false;
}

/**
 * CPU rules (principle 4): a handler may start only above the CPU's level
 * and never while a host call stalls the CPU; while a handler runs, the
 * threads it interrupted cannot; a thread that raised the level (or is
 * stuck in a host call, or in non-preemptive mode keeps the CPU for its
 * kernel work) holds the CPU against every other thread. Under kernel_lock
 * (NetBSD MP) nothing that needs the lock starts while another CPU holds it.
 */
export function canRun(ctx: ExecContext): boolean {
  return heldBy(ctx) === undefined;
}

/**
 * What keeps `ctx` from running now, or undefined: its CPU is `borrowed` by
 * a handler, `stalled` by a host call, held at a raised `ipl`, kept by a
 * `thread` (non-preemptive), or `kernel_lock` is held by another CPU.
 */
export type Hold = 'borrowed' | 'stalled' | 'ipl' | 'thread' | 'kernel_lock';

export function heldBy(ctx: ExecContext): Hold | undefined {
  const cpu = ctx.cpu;
  if (!cpu) return undefined;
  if (ctx.isHandler) {
    if (ctx.irqActive) return cpu.activeHandler === ctx.index ? undefined : 'borrowed';
    if (cpu.stalledBy >= 0) return 'stalled';
    if (ctx.irqLevel <= cpu.ipl) return cpu.active.length ? 'borrowed' : 'ipl';
    return cpu.handlerTakesKernelLock() && kernelLockElsewhere(cpu) ? 'kernel_lock' : undefined;
  }
  if (cpu.active.length) return 'borrowed';
  if (cpu.iplOwner >= 0) {
    if (cpu.iplOwner !== ctx.index) return 'ipl';
  } else if (cpu.stalledBy >= 0) {
    if (cpu.stalledBy !== ctx.index) return 'stalled';
  } else if (cpu.curThread >= 0 && cpu.curThread !== ctx.index) return 'thread';
  return kernelLockElsewhere(cpu) ? 'kernel_lock' : undefined;
}

/** The context behind `hold` on `cpu` (the CPU of the context held), or -1 when none is (a level nobody holds). */
export function holderOf(cpu: Cpu, hold: Hold): number {
  switch (hold) {
    case 'borrowed':
      return cpu.activeHandler;
    case 'stalled':
      return cpu.stalledBy;
    case 'ipl':
      return cpu.iplOwner;
    case 'thread':
      return cpu.curThread;
    case 'kernel_lock': {
      const other = cpu.rules.kernelLock?.holder();
      if (other === undefined) return -1;
      return other.curThread >= 0 ? other.curThread : other.activeHandler;
    }
  }
}

function kernelLockElsewhere(cpu: Cpu): boolean {
  const lock = cpu.rules.kernelLock;
  return lock !== undefined && !lock.freeFor(cpu);
}
