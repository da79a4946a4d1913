
/**
 * The sleep-in-atomic invariant (seed 001, B-1; Linux's "scheduling while
 * atomic" / might_sleep()): a call that *may* sleep, made while the caller
 * holds a spin lock, has interrupts off, or runs in an interrupt handler, is
 * a bug — even when this time it happens not to block. That is why the check
 * runs before the effect is performed, on the call, not on the outcome.
 *
 * What may sleep is a guest kernel primitive: kmalloc(GFP_KERNEL), a
 * mempool_alloc that may wait, down(), a sleep lock, a ticket wait, a
 * blocking get or put on a bounded guest channel. A host system call (an
 * effect with `host: true`) is not a guest sleep: while it blocks the whole
 * guest CPU is stalled (docs/kernel.md), which the wait-for graph models; it
 * is never flagged. Neither are spin locks, trylocks, GFP_ATOMIC, or a put
 * on an unbounded list (list_add under the lock cannot block).
 *
 * Which call may sleep is each effect handler's `mightSleep` (kernel/kinds/):
 * the kind that defines an effect knows; this file only says why a context
 * is atomic and words the finding.
 *
 * The rules differ by kernel (`SleepRules`, from the personality):
 * - Linux and UML (`__might_sleep`: in_atomic() || irqs_disabled()): any
 *   raised level is interrupts off, as Linux has no partial masking
 *   (spin_lock_irq, local_irq_disable), and a held spin lock counts.
 * - NetBSD 2.x: spl is per-thread state saved across the sleep (ltsleep,
 *   mi_switch), so sleeping at splbio is legal. There is no check on the
 *   call (assert_sleepable came with the 2007 locking work); what is a bug is
 *   to *switch* with a simple_lock held — LOCKDEBUG's simple_lock_switchcheck
 *   in mi_switch, kern_synch.c 1.101.2.4 and 1.166.2.3 — except the
 *   interlock ltsleep releases once the sleeper is on its sleep queue. So
 *   NetBSD's spin locks are judged when the thread really sleeps
 *   (`sleepHoldingSimpleLockMessage`), not on the call.
 * - Everywhere: a call that may sleep from an interrupt handler. (NetBSD 2.0
 *   does not check it either; it would put the interrupted thread to sleep.)
 * - The interlock of a sleeping call (ltsleep's, Linux's wait_event_lock_irq
 *   lock) is released by the sleep itself: it never makes that call atomic.
 */

/** How a kernel judges a call that may sleep (kernel/personality.ts says which kernel does what). */
export interface SleepRules {
  /** A raised interrupt level makes the caller atomic (Linux: there is no partial masking; NetBSD saves spl across the sleep). */
  readonly raisedLevelIsAtomic: boolean;
  /** A held spin lock makes the call atomic (Linux's in_atomic()); otherwise spin locks are judged when the caller really sleeps (NetBSD). */
  readonly spinLocksOnCall: boolean;
}

/** Why a context is atomic now, as the kernel sees it. */
export interface AtomicState {
  /** Running an interrupt handler (its level), or undefined. */
  readonly inInterrupt?: number;
  /** The interrupt level this context raised its CPU to, or 0. */
  readonly ipl: number;
  /** That level masks every interrupt (IPL_HIGH: local_irq_disable). */
  readonly interruptsOff: boolean;
  /** Spin locks it holds (acquired and not released). */
  readonly spinLocks: readonly string[];
}

/** What makes the context atomic for a call that may sleep, in words, under `rules`; empty when it may sleep. */
export function atomicReasons(s: AtomicState, rules: SleepRules): string[] {
  const out: string[] = [];
  if (s.inInterrupt !== undefined) out.push(`in an interrupt handler (level ${s.inInterrupt})`);
  if (rules.spinLocksOnCall) for (const lock of s.spinLocks) out.push(`holding spin lock ${lock}`);
  if (rules.raisedLevelIsAtomic && s.ipl > 0) out.push(s.interruptsOff ? `interrupts off (ipl ${s.ipl})` : `interrupts off (ipl ${s.ipl}: spin_lock_irq / local_irq_disable mask everything, there is no partial masking)`);
  return out;
}

/**
 * NetBSD's violation sentence: `where` went to sleep in `op` while holding
 * simple_locks `locks` (its interlock, if it named one, was released).
 */
export function sleepHoldingSimpleLockMessage(where: string, op: string, locks: readonly string[], interlock: string | undefined): string {
  const held = locks.map((l) => `simple_lock ${l}`).join(', ');
  const but = interlock === undefined ? 'only the interlock passed to ltsleep is released for the sleep, and it named none' : `only its interlock ${interlock} was released for the sleep`;
  return `${where} sleeps in ${op} holding ${held}: NetBSD must not switch with a simple_lock held (mi_switch, LOCKDEBUG simple_lock_switchcheck); ${but}`;
}

/** The violation sentence: `where` (`u1 in ubd-alloc.allocatingHeader`) made `call`, which may sleep, while atomic for `reasons`. */
export function sleepInAtomicMessage(where: string, call: string, reasons: readonly string[]): string {
  return `${where} calls ${call} in atomic context: ${reasons.join(', ')}; a call that may sleep is forbidden there even when it happens not to block (scheduling while atomic)`;
}
