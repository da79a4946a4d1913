/**
 * Context switches: who has a CPU between steps, under the personality's
 * rules (cpu.ts keeps the state, deliverable.ts `canRun` reads it).
 *
 * - A thread about to run gets its CPU as it left it: NetBSD gives back the
 *   spl it slept at (`switchIn`).
 * - A thread that goes to sleep leaves its CPU (`sleepOnCpu`, from park): its
 *   NetBSD spl goes with it. Spinning on a spin lock is not sleeping.
 * - Non-preemptive mode (NetBSD 2.x/3.x): after each of its steps a thread
 *   keeps its CPU while it has more to do in the kernel, and leaves it only
 *   when it sleeps, waits for new work, exits, or is back in user mode
 *   (`switchOut`). No other thread runs there meanwhile; an interrupt handler
 *   still does (above the level) and returns to the same thread. Under
 *   kernel_lock (NetBSD MP) the CPU that keeps a thread holds the lock, so
 *   no other CPU runs kernel code until that thread sleeps.
 */
import { Lock } from '../resources/lock.js';
import type { Resource } from '../resources/resource.js';
import type { ExecContext } from './exec-context.js';
import type { World } from './world.js';

/**
 * `ctx` is about to get a delivery: a thread takes back what it left on its
 * CPU, and a woken sleeper the interlock its sleep released (free: `collect`
 * offers it only then).
 */
export function switchIn(w: World, ctx: ExecContext): void {
  if (ctx.cpu && !ctx.isHandler) ctx.cpu.dispatch(ctx.index);
  if (ctx.relock === undefined) return;
  const lock = interlockOf(w, ctx);
  if (lock.acquire(ctx.name, { wait: false }).status !== 'ok') throw new Error(`kernel: ${ctx.name} ran to take back interlock ${lock.name}, which is ${lock.describe()}`);
  w.touched.add(lock);
  w.stepEffects.push({ effect: 'lock', resource: lock.name, subject: `${lock.name} (the interlock its sleep released)`, status: 'ok' });
  ctx.relock = undefined;
}

/** A woken sleeper that must take its interlock back while another context holds it: it spins until then. */
export function spinsForInterlock(w: World, ctx: ExecContext): boolean {
  if (ctx.relock === undefined) return false;
  const owner = interlockOf(w, ctx).owner;
  return owner !== undefined && owner !== ctx.name;
}

/** The interlock a woken sleeper must take back (a spin lock: dispatch.ts checked it when it slept). */
export function interlockOf(w: World, ctx: ExecContext): Lock {
  return w.resources.get(ctx.relock!) as Lock;
}

/** After a step of `ctx`: in non-preemptive mode, a thread with more kernel work keeps its CPU. */
export function switchOut(w: World, ctx: ExecContext): void {
  const cpu = ctx.cpu;
  if (!cpu || ctx.isHandler || !cpu.rules.nonPreemptive) return;
  cpu.curThread = keepsCpu(w, ctx) ? ctx.index : -1;
}

/** Thread `ctx` parked on `on` (not a host call): unless it spins, it sleeps and leaves its CPU. */
export function sleepOnCpu(ctx: ExecContext, on: Resource): void {
  const cpu = ctx.cpu;
  if (!cpu || ctx.isHandler || spins(on)) return;
  cpu.sleep(ctx.index);
  if (cpu.curThread === ctx.index) cpu.curThread = -1;
}

/** A wait on a spin lock keeps the waiter on its CPU, spinning: it is not a sleep (mi_switch is never called). */
export function spins(on: Resource): boolean {
  return on instanceof Lock && on.flavour === 'spin';
}

/**
 * Whether `ctx` stays on its CPU after its step: not exited, not asleep
 * (spinning keeps it), not in user mode (a user process at its base frame
 * has returned from its system call: the preemption point of userret), and
 * something left to deliver to it now (a reply, deferred effects, a mailbox
 * item, a due timer). A thread with nothing to deliver waits for new work:
 * in the kernel it would be asleep in tsleep.
 */
function keepsCpu(w: World, ctx: ExecContext): boolean {
  if (ctx.exited) return false;
  if (ctx.blocked) return !ctx.blocked.host && spins(ctx.blocked.resource);
  if (ctx.user && ctx.frames.length <= 1) return false;
  if (ctx.rerun !== null || ctx.effects.length > 0 || ctx.replies.length > 0 || ctx.mailboxSeqs.length > 0) return true;
  for (const t of w.timers.due) if (t.ctx === ctx.index) return true;
  return false;
}
