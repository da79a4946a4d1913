
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
 */

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

/** What makes the context atomic, in words; empty when it may sleep. */
export function atomicReasons(s: AtomicState): string[] {
  const out: string[] = [];
  if (s.inInterrupt !== undefined) out.push(`in an interrupt handler (level ${s.inInterrupt})`);
  for (const lock of s.spinLocks) out.push(`holding spin lock ${lock}`);
  if (s.interruptsOff) out.push(`interrupts off (ipl ${s.ipl})`);
  else if (s.ipl > 0) out.push(`interrupts masked up to ipl ${s.ipl}`);
  return out;
}

/** The violation sentence: `where` (`u1 in ubd-alloc.allocatingHeader`) made `call`, which may sleep, while atomic for `reasons`. */
export function sleepInAtomicMessage(where: string, call: string, reasons: readonly string[]): string {
  return `${where} calls ${call} in atomic context: ${reasons.join(', ')}; a call that may sleep is forbidden there even when it happens not to block (scheduling while atomic)`;
}
