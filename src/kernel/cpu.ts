/**
 * A CPU with an interrupt priority level (NetBSD spl, Linux irqs on/off).
 *
 * Why it matters: an interrupt handler borrows the CPU of the context it
 * interrupts, and it can only be delivered while the CPU's level is below the
 * handler's. A thread that raised the level holds the CPU: no other thread
 * runs there and no handler at or below that level can drain anything. This
 * is the edge that closes the ubd pipe-fill cycle.
 */
export class Cpu {
  /** Current priority level (0: everything enabled). */
  ipl = 0;
  /** Context index that raised `ipl` above 0 (it holds the CPU), or -1. */
  iplOwner = -1;
  /** Context index blocked in a host system call on this CPU (the whole CPU is stalled), or -1. */
  stalledBy = -1;
  /** Active interrupt handlers, innermost last, with the level to restore on iret. */
  readonly active: { ctx: number; savedIpl: number }[] = [];

  constructor(readonly name: string) {}

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
   * The mutable state as plain data (save/restore rather than a copy: it is
   * four small fields, and plain data is what a checkpoint can store). The
   * handler entries are copied: `active` is a stack this CPU pushes and pops.
   */
  save(): CpuState {
    return { ipl: this.ipl, iplOwner: this.iplOwner, stalledBy: this.stalledBy, active: this.active.map((a) => ({ ctx: a.ctx, savedIpl: a.savedIpl })) };
  }

  /** Become the CPU that saved `state` (copied, never adopted: a state may be restored many times). */
  restore(state: CpuState): void {
    this.ipl = state.ipl;
    this.iplOwner = state.iplOwner;
    this.stalledBy = state.stalledBy;
    this.active.length = 0;
    for (const a of state.active) this.active.push({ ctx: a.ctx, savedIpl: a.savedIpl });
  }

  fingerprint(): string {
    return `${this.ipl}/${this.iplOwner}/${this.stalledBy}/${this.active.map((a) => a.ctx).join('.')}`;
  }
}

/** A CPU's mutable state (`Cpu.save`): its level, who holds or stalls it, and the handler stack. */
export interface CpuState {
  readonly ipl: number;
  readonly iplOwner: number;
  readonly stalledBy: number;
  readonly active: readonly { readonly ctx: number; readonly savedIpl: number }[];
}
