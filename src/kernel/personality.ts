/**
 * Kernel personalities: what differs between the kernels biostack models in
 * what may sleep, when a thread may lose its CPU, and how long a tick is.
 *
 * - `linux`: preemptive; `spin_lock_irq` / `local_irq_disable` turn
 *   interrupts off and a call that may sleep there is a might_sleep bug;
 *   `schedule()` never keeps interrupts off. HZ 250 (the 2.6 default since
 *   2.6.13, kernel/Kconfig.hz).
 * - `netbsd` (2.x/3.x): non-preemptive under kernel_lock; spl is per-thread
 *   state saved across tsleep, so sleeping at splbio is legal and gives up the
 *   CPU; sleeping with a simple_lock held is a bug except the interlock passed
 *   to ltsleep. hz 100 (sys/conf/param.c, `HZ` default).
 * - `uml`: Linux inside one host process: host system calls stall the whole
 *   guest CPU. HZ 100 (arch/um's default).
 *
 * Virtual time is counted in ticks, one tick being one jiffy of the
 * personality: `5*HZ` is `5 * hz` ticks.
 */

export const PERSONALITIES = ['linux', 'netbsd', 'uml'] as const;
export type PersonalityName = (typeof PERSONALITIES)[number];

export const PREEMPTION_MODES = ['preemptive', 'non-preemptive'] as const;
export type PreemptionMode = (typeof PREEMPTION_MODES)[number];

/** What a system declares about its kernel (SystemSpec.kernel); every field but the personality has a default. */
export interface KernelSpec {
  readonly personality: PersonalityName;
  /** Ticks per second (the kernel's HZ). Default per personality. */
  readonly hz?: number;
  /** Default: non-preemptive for netbsd (2.x/3.x), preemptive otherwise. */
  readonly preemption?: PreemptionMode;
}

/** A personality with its defaults filled in. */
export interface Personality {
  readonly name: PersonalityName;
  readonly hz: number;
  readonly preemption: PreemptionMode;
}

export const DEFAULT_HZ: Readonly<Record<PersonalityName, number>> = { linux: 250, netbsd: 100, uml: 100 };

/** A system that declares no kernel keeps the behaviour biostack had before personalities: preemptive Linux. */
export const DEFAULT_KERNEL: KernelSpec = { personality: 'linux' };

/** The personality of `spec` with defaults; throws on a value outside the allowed ones (callers wrap it as a ModelError). */
export function personalityOf(spec: KernelSpec | undefined): Personality {
  const s = spec ?? DEFAULT_KERNEL;
  if (!PERSONALITIES.includes(s.personality)) throw new Error(`kernel.personality must be one of ${PERSONALITIES.join(', ')}, got '${String(s.personality)}'`);
  const hz = s.hz ?? DEFAULT_HZ[s.personality];
  if (!Number.isInteger(hz) || hz < 1) throw new Error(`kernel.hz must be a whole number >= 1 (ticks per second), got ${String(hz)}`);
  const preemption = s.preemption ?? (s.personality === 'netbsd' ? 'non-preemptive' : 'preemptive');
  if (!PREEMPTION_MODES.includes(preemption)) throw new Error(`kernel.preemption must be one of ${PREEMPTION_MODES.join(', ')}, got '${String(preemption)}'`);
  return { name: s.personality, hz, preemption };
}

/**
 * spl is per-thread state, saved across a sleep: ltsleep raises to splsched
 * and keeps the old level in a local (`SCHED_LOCK(s)`), mi_switch runs
 * another LWP or the idle loop at that one's own level, and `splx(s)` after
 * mi_switch returns puts the sleeper's level back (kern_synch.c ltsleep, in
 * both 1.101.2.4 (2001) and 1.166.2.3 (2006), which bracket NetBSD 2.0).
 * So a NetBSD thread may sleep at splbio (biowait, getblk, getnewbuf all do)
 * and gives up its CPU meanwhile. Linux has no such thing: local_irq_disable
 * / spin_lock_irq turn every interrupt off (no partial masking) and a sleep
 * there is a might_sleep bug; schedule() never keeps interrupts off.
 */
export function splSavedAcrossSleep(p: Personality): boolean {
  return p.name === 'netbsd';
}

/**
 * On MP, NetBSD 2.x/3.x runs kernel code under the big kernel_lock: a CPU
 * takes it to run a thread's kernel code, mi_switch releases it before a
 * sleep (KERNEL_LOCK_RELEASE_ALL / spinlock_release_all(&kernel_lock)) and
 * takes it back when the thread runs again, and interrupt handlers take it
 * too unless they interrupted code at or above IPL_SCHED (x86_intlock, x86
 * intr.c of 2003). Only with the non-preemptive mode it belongs to.
 */
export function hasKernelLock(p: Personality): boolean {
  return p.name === 'netbsd' && p.preemption === 'non-preemptive';
}

/** The mode and personality in words, as every witness states them. */
export function personalityText(p: Personality): string {
  return `${p.preemption} ${p.name} (HZ ${p.hz})`;
}
