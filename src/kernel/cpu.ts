/**
 * A CPU with an interrupt priority level (NetBSD spl, Linux irqs on/off).
 *
 * Why it matters: an interrupt handler borrows the CPU of the context it
 * interrupts, and it can only be delivered while the CPU's level is below the
 * handler's. A thread that raised the level holds the CPU: no other thread
 * runs there and no handler at or below that level can drain anything. This
 * is the edge that closes the ubd pipe-fill cycle.
 *
 * What else holds a CPU depends on the kernel personality (personality.ts),
 * given as `CpuRules`:
 * - NetBSD keeps spl per thread: a thread that sleeps at a raised level
 *   leaves the CPU at spl0 (the idle loop's, or the next thread's level) and
 *   gets its own level back when it runs again (`sleep` / `dispatch`).
 *   Linux and UML keep the level on the CPU, as a parked holder.
 * - Non-preemptive mode: the thread running kernel code keeps the CPU
 *   (`curThread`) until it sleeps, waits for new work, exits or returns to
 *   user mode (context-switch.ts decides after each of its steps).
 * - NetBSD MP: one `KernelLock` for all CPUs; a CPU holds it while a thread
 *   runs kernel code there or a handler that took it is active.
 */
import { IPL_HIGH } from '../model/ipl.js';

/** What the personality says about holding a CPU. */
export interface CpuRules {
  /** A thread keeps its CPU until it sleeps, waits for work, exits or returns to user mode (NetBSD 2.x/3.x). */
  readonly nonPreemptive: boolean;
  /** spl is the thread's, saved across a sleep (NetBSD ltsleep/mi_switch); otherwise the CPU's. */
  readonly splPerThread: boolean;
  /** The big kernel lock shared by every CPU (NetBSD MP), if the kernel has one. */
  readonly kernelLock?: KernelLock;
}

/**
 * The handler levels that take kernel_lock: x86_intlock takes it when the
 * interrupted level (`if_ppl`) is below IPL_SCHED. NetBSD's IPL_SCHED sits
 * just below IPL_HIGH, and biostack's scale has no level between IPL_VM and
 * IPL_HIGH, so: every handler that did not interrupt code at IPL_HIGH.
 */
const IPL_SCHED = IPL_HIGH;

/** NetBSD's kernel_lock: at most one CPU runs kernel code (or a handler below IPL_SCHED) at a time. */
export class KernelLock {
  readonly cpus: Cpu[] = [];

  /** The CPU holding it, if one does (derived: who runs kernel code where). */
  holder(): Cpu | undefined {
    return this.cpus.find((c) => c.holdsKernelLock());
  }

  /** Whether `cpu` may run kernel code now: nobody else holds the lock (it is recursive on its holder). */
  freeFor(cpu: Cpu): boolean {
    const h = this.holder();
    return h === undefined || h === cpu;
  }
}

export class Cpu {
  /** Current priority level (0: everything enabled). */
  ipl = 0;
  /** Context index that raised `ipl` above 0 (it holds the CPU), or -1. */
  iplOwner = -1;
  /** Context index blocked in a host system call on this CPU (the whole CPU is stalled), or -1. */
  stalledBy = -1;
  /** Non-preemptive mode: the thread running kernel code here (NetBSD's curlwp), which keeps the CPU; or -1. */
  curThread = -1;
  /** Active interrupt handlers, innermost last, with the level to restore on iret. */
  readonly active: { ctx: number; savedIpl: number }[] = [];
  /** splPerThread: the level each thread that went to sleep at a raised spl gets back when it runs again. */
  private readonly sleptAt = new Map<number, number>();

  constructor(
    readonly name: string,
    readonly rules: CpuRules,
  ) {
    rules.kernelLock?.cpus.push(this);
  }

  /** The handler running now (it owns the CPU), or -1. */
  get activeHandler(): number {
    return this.active.length ? this.active[this.active.length - 1].ctx : -1;
  }

  /** splx(level) by thread `ctx`. */
  setIpl(ctx: number, level: number): void {
    if (this.active.length) {
      // Inside a handler the level is the handler's business; restore on iret.
      this.ipl = level;
      return;
    }
    this.ipl = level;
    this.iplOwner = level > 0 ? ctx : -1;
  }

  enterHandler(ctx: number, level: number): void {
    this.active.push({ ctx, savedIpl: this.ipl });
    this.ipl = Math.max(this.ipl, level);
  }

  leaveHandler(ctx: number): void {
    const top = this.active.pop();
    if (!top || top.ctx !== ctx) throw new Error(`cpu ${this.name}: iret by context ${ctx} which is not the active handler`);
    this.ipl = top.savedIpl;
  }

  /**
   * Thread `ctx`, running here, goes to sleep. With spl per thread its level
   * goes with it and the CPU drops to spl0 for whoever runs next (mi_switch).
   * Otherwise nothing changes: a Linux thread parked with interrupts off
   * keeps the CPU, which the might_sleep check reports before it can happen
   * with a guest sleep.
   */
  sleep(ctx: number): void {
    if (!this.rules.splPerThread || this.iplOwner !== ctx) return;
    this.sleptAt.set(ctx, this.ipl);
    this.ipl = 0;
    this.iplOwner = -1;
  }

  /** Thread `ctx` is about to run here: a level it slept at comes back (the `splx(s)` after mi_switch returns). */
  dispatch(ctx: number): void {
    const level = this.sleptAt.get(ctx);
    if (level === undefined) return;
    this.sleptAt.delete(ctx);
    this.setIpl(ctx, level);
  }

  /** This CPU runs kernel code: a thread that keeps it, or an active handler that took kernel_lock. */
  holdsKernelLock(): boolean {
    return this.curThread >= 0 || this.active.some((a) => a.savedIpl < IPL_SCHED);
  }

  /** Whether a handler entering now (over the current level) would take kernel_lock. */
  handlerTakesKernelLock(): boolean {
    return this.ipl < IPL_SCHED;
  }

  /**
   * The mutable state as plain data (save/restore rather than a copy: it is
   * a few small fields, and plain data is what a checkpoint can store). The
   * handler entries are copied: `active` is a stack this CPU pushes and pops.
   */
  save(): CpuState {
    return {
      ipl: this.ipl,
      iplOwner: this.iplOwner,
      stalledBy: this.stalledBy,
      curThread: this.curThread,
      active: this.active.map((a) => ({ ctx: a.ctx, savedIpl: a.savedIpl })),
      sleptAt: [...this.sleptAt].sort((a, b) => a[0] - b[0]),
    };
  }

  /** Become the CPU that saved `state` (copied, never adopted: a state may be restored many times). */
  restore(state: CpuState): void {
    this.ipl = state.ipl;
    this.iplOwner = state.iplOwner;
    this.stalledBy = state.stalledBy;
    this.curThread = state.curThread;
    this.active.length = 0;
    for (const a of state.active) this.active.push({ ctx: a.ctx, savedIpl: a.savedIpl });
    this.sleptAt.clear();
    for (const [ctx, level] of state.sleptAt) this.sleptAt.set(ctx, level);
  }

  fingerprint(): string {
    const slept = [...this.sleptAt].sort((a, b) => a[0] - b[0]).map(([c, l]) => `${c}@${l}`).join('.');
    return `${this.ipl}/${this.iplOwner}/${this.stalledBy}/${this.active.map((a) => a.ctx).join('.')}/${this.curThread}/${slept}`;
  }
}

/** A CPU's mutable state (`Cpu.save`): its level, who holds or stalls it, the handler stack, the levels sleeping threads saved. */
export interface CpuState {
  readonly ipl: number;
  readonly iplOwner: number;
  readonly stalledBy: number;
  readonly curThread: number;
  readonly active: readonly { readonly ctx: number; readonly savedIpl: number }[];
  readonly sleptAt: readonly (readonly [number, number])[];
}
