/**
 * Going to sleep, by the personality's rules: what may sleep where (Linux
 * and UML judge the call, NetBSD judges simple_locks at the switch), the
 * interlock ltsleep releases and takes back, and what makes a context atomic.
 * Dispatch calls it when an operation parks and when a woken one re-parks.
 */
import type { Effect } from '../model/effects.js';
import type { Wakeup } from '../resources/resource.js';
import { sleepHoldingSimpleLockMessage, type AtomicState, type SleepRules } from '../check/sleep-in-atomic.js';
import type { Performed } from './protocol.js';
import type { ExecContext } from './exec-context.js';
import type { World } from './world.js';
import { IPL_HIGH } from '../model/ipl.js';
import { stateText } from './xstate-adapter.js';
import { ModelError } from './model-error.js';
import { sleepOnCpu, spins } from './context-switch.js';
import { splSavedAcrossSleep } from './personality.js';
import { Lock } from '../resources/lock.js';

/**
 * A context that just parked (not in a host call) goes to sleep, unless it
 * spins on a spin lock: ltsleep releases the interlock the call names (on
 * its first sleep; a woken sleeper that sleeps again without running gave
 * it up already), NetBSD's mi_switch refuses any other simple_lock still
 * held, and the sleeper leaves its CPU (its NetBSD spl goes with it).
 */
export function goingToSleep(w: World, ctx: ExecContext, e: Effect, p: Extract<Performed, { status: 'parked' }>, first: boolean, wakeAll: (wakeups: readonly Wakeup[]) => void): void {
  if (p.host === true || spins(p.on)) return;
  const il = interlockOf(e);
  if (il !== undefined) {
    const lock = interlock(w, ctx, e, il);
    if (lock.owner === ctx.name) wakeAll(lock.release(ctx.name).wakeups);
    else if (first) throw new ModelError(`${e.type} by ${ctx.name}: interlock '${il}' must be a spin lock the caller holds when it sleeps (ltsleep releases it), but it is ${lock.owner === undefined ? 'free' : `held by ${lock.owner}`}`);
    if (w.stopped !== undefined) return;
  }
  if (!sleepRules(w).spinLocksOnCall) {
    const held = atomicState(w, ctx, il).spinLocks;
    if (held.length > 0) {
      w.violate('sleep-in-atomic', [ctx.name], sleepHoldingSimpleLockMessage(where(ctx), `${p.op} on ${p.on.name}`, held, il));
      return;
    }
  }
  sleepOnCpu(ctx, p.on);
}

/** The lock an effect names as its `interlock`: a spin lock (a simple_lock), or a model error naming the field. */
function interlock(w: World, ctx: ExecContext, e: Effect, name: string): Lock {
  const lock = w.typed(name, Lock, `${e.type} by ${ctx.name}: interlock`, 'a lock');
  if (lock.flavour !== 'spin') throw new ModelError(`${e.type} by ${ctx.name}: interlock '${name}' must be a spin lock (a simple_lock, flavour 'spin'), not a ${lock.flavour} lock`);
  return lock;
}

/** The `interlock` field of a sleeping effect (down, get, put), if it names one. */
export function interlockOf(e: Effect): string | undefined {
  return 'interlock' in e ? e.interlock : undefined;
}

/**
 * A woken sleeper takes its interlock back before it returns (ltsleep:
 * `if (relock && interlock != NULL) simple_lock(interlock)`, once it runs
 * again): it is deliverable only while the interlock is free, and takes it
 * as it runs (context-switch.ts `switchIn`).
 */
export function retakeInterlock(ctx: ExecContext, e: Effect): void {
  const il = interlockOf(e);
  if (il !== undefined) ctx.relock = il;
}

/** How this kernel judges sleeping calls (personality.ts): Linux/UML on the call, NetBSD's spin locks when it sleeps. */
export function sleepRules(w: World): SleepRules {
  const netbsd = splSavedAcrossSleep(w.personality);
  return netbsd ? NETBSD_SLEEP_RULES : LINUX_SLEEP_RULES;
}
const LINUX_SLEEP_RULES: SleepRules = { raisedLevelIsAtomic: true, spinLocksOnCall: true };
const NETBSD_SLEEP_RULES: SleepRules = { raisedLevelIsAtomic: false, spinLocksOnCall: false };

/** The context in words for a finding: name, kind, machine and state. */
export function where(ctx: ExecContext): string {
  return `${ctx.name} (${ctx.kind}, in ${ctx.top.host.machine.id} ${stateText(ctx.top.snapshot)})`;
}

/**
 * What could make `ctx` atomic now: its handler, the level it raised its CPU
 * to, what it holds (spin locks) — but not `interlock`, which the sleeping
 * call it is passed to releases.
 */
export function atomicState(w: World, ctx: ExecContext, interlock?: string): AtomicState {
  const cpu = ctx.cpu;
  const ipl = cpu && cpu.iplOwner === ctx.index ? cpu.ipl : 0;
  const spinLocks: string[] = [];
  for (const [r, kind] of w.kindOf) if (kind.atomicHolds) for (const l of kind.atomicHolds(r, ctx.name)) if (l !== interlock) spinLocks.push(l);
  return { inInterrupt: ctx.irqActive ? ctx.irqLevel : undefined, ipl, interruptsOff: ipl >= IPL_HIGH, spinLocks };
}
