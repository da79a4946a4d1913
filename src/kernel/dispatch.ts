/**
 * Dispatch: the one place that maps an effect to its handler (registry.ts
 * built the table) and acts on what the handler returned. A wake-up re-runs
 * the parked operation through the handler's `resume`, so no code here knows
 * what any operation replies.
 */
import type { Effect } from '../model/effects.js';
import type { Wakeup } from '../resources/resource.js';
import { atomicReasons, sleepInAtomicMessage } from '../check/sleep-in-atomic.js';
import type { EffectHandler, Performed, WakeUp } from './protocol.js';
import type { ExecContext, Rerun } from './exec-context.js';
import type { World } from './world.js';
import { ModelError } from './model-error.js';
import { reply, syncMailboxes } from './inbox.js';
import { atomicState, goingToSleep, interlockOf, retakeInterlock, sleepRules, where } from './sleeping.js';

/** What `settle` must do after an effect: nothing more, or push the frame of a call. */
export type Next = Extract<Performed, { status: 'call' }> | undefined;

function handlerFor(w: World, ctx: ExecContext, type: string): EffectHandler<Effect> {
  const h = w.table.handlers.get(type);
  if (h === undefined) throw new ModelError(`context '${ctx.name}' emitted unknown effect '${type}'`);
  return h as EffectHandler<Effect>;
}

/** Perform one effect of `ctx`: the sleep-in-atomic check on the call, then the handler. */
export function perform(w: World, ctx: ExecContext, e: Effect): Next {
  const h = handlerFor(w, ctx, e.type);
  if (h.warnings) for (const text of h.warnings(e)) w.warn(text);
  const call = h.mightSleep?.(e, (n) => w.resources.get(n));
  if (call !== undefined) {
    const reasons = atomicReasons(atomicState(w, ctx, interlockOf(e)), sleepRules(w));
    if (reasons.length > 0) {
      w.violate('sleep-in-atomic', [ctx.name], sleepInAtomicMessage(where(ctx), call, reasons));
      return undefined;
    }
  }
  const noted = w.stepEffects.length;
  const p = h.perform(e, w.env.at(ctx));
  switch (p.status) {
    case 'done':
      // The trace keeps the reply the caller got at once beside the effect's own note.
      // (The note is the handler's fresh object: completing it in place costs no copy on the hot path.)
      if (p.reply && w.stepEffects.length === noted + 1) (w.stepEffects[noted] as { reply?: string }).reply = p.reply.type;
      if (p.wakeups) wakeAll(w, p.wakeups);
      syncMailboxes(w);
      if (p.reply) reply(w, ctx, p.reply);
      return undefined;
    case 'parked':
      if (p.wakeups) wakeAll(w, p.wakeups);
      syncMailboxes(w);
      park(w, ctx, e, p);
      if (w.stopped === undefined) goingToSleep(w, ctx, e, p, true, (k) => wakeAll(w, k));
      return undefined;
    case 'call':
      return p;
    case 'violation':
      w.violate(p.invariant, p.contexts, p.message);
      return undefined;
    case 'choose':
      ctx.rerun = choicePoint(w, ctx, e, p);
      return undefined;
  }
}

/** The pending choice of `ctx` at `p`'s point, with one schedule label per option; a model error for a malformed one. */
function choicePoint(w: World, ctx: ExecContext, e: Effect, p: Extract<Performed, { status: 'choose' }>): Rerun {
  const where = `effect '${e.type}' of ${ctx.name}: choice point '${p.point}'`;
  if (p.options.length === 0) throw new ModelError(`${where} offers no option`);
  const labels = p.options.map((o) => `${ctx.name}.choose:${p.point}=${String(o)}`);
  if (new Set(labels).size !== labels.length) throw new ModelError(`${where} offers the same option twice (${p.options.join(', ')})`);
  if (p.weights !== undefined && (p.weights.length !== p.options.length || p.weights.some((x) => !(Number.isFinite(x) && x > 0)))) {
    throw new ModelError(`${where}: weights must be one finite number > 0 per option (${p.options.length}), got [${p.weights.join(', ')}]`);
  }
  w.pendingChoices++;
  return { kind: 'choose', effect: e, point: p.point, options: p.options, labels, weights: p.weights, carry: p.carry, seq: w.nextSeq() };
}

function park(w: World, ctx: ExecContext, e: Effect, p: Extract<Performed, { status: 'parked' }>): void {
  const host = p.host === true;
  // A handler may give only the deadline: its period is then the time left.
  const period = p.deadline === undefined ? undefined : (p.period ?? p.deadline - w.clock.now);
  ctx.blocked = { resource: p.on, op: p.op, effect: e, host, inHand: p.inHand === true, since: w.clock.step, deadline: p.deadline, period };
  if (period !== undefined) w.progress.noteTimedWait(period);
  if (host && ctx.cpu) ctx.cpu.stalledBy = ctx.index;
}

export function wakeAll(w: World, wakeups: readonly Wakeup[]): void {
  for (const k of wakeups) {
    if (w.stopped !== undefined) return;
    wake(w, k.ctx, { reason: 'released', value: k.value }, k.recheck === true);
  }
}

/**
 * A resource let a parked context go (or its deadline passed): unpark it. A
 * hand-off re-runs its operation at once (it was given what it waited for);
 * a wake-up with re-check and a timeout leave it a `retry` the scheduler runs
 * later, so others may run (and take the resource) before it re-tests.
 */
export function wake(w: World, name: string, why: WakeUp, recheck = false): void {
  const ctx = w.byName.get(name);
  if (!ctx || !ctx.blocked) throw new Error(`kernel: wakeup for '${name}', which is not blocked`);
  const b = ctx.blocked;
  ctx.blocked = null;
  // Handed what it waited for: its earlier timed waits are over (no-progress explanations, wait-view.ts).
  if (why.reason === 'released' && !recheck) ctx.lastTimedWait = undefined;
  if (b.host && ctx.cpu && ctx.cpu.stalledBy === ctx.index) ctx.cpu.stalledBy = -1;
  if (recheck || why.reason === 'timed-out') {
    ctx.rerun = { kind: 'retry', effect: b.effect, why, seq: w.nextSeq() };
    return;
  }
  resumeWith(w, ctx, b.effect, why);
}

/** Re-run the pending retry or choice of `ctx` (option `option` of a choice), in the step that delivers it. */
export function rerun(w: World, ctx: ExecContext, option: number | undefined): void {
  const r = ctx.rerun!;
  ctx.rerun = null;
  if (r.kind === 'choose') w.pendingChoices--;
  const why: WakeUp = r.kind === 'retry' ? r.why! : { reason: 'chosen', value: r.options![option!], carry: r.carry };
  resumeWith(w, ctx, r.effect, why);
}

/** Run a woken operation's `resume` and act on what it returns. */
function resumeWith(w: World, ctx: ExecContext, effect: Effect, why: WakeUp): void {
  const h = handlerFor(w, ctx, effect.type);
  if (h.resume === undefined) throw new ModelError(`effect '${effect.type}' parked ${ctx.name} but its handler has no resume`);
  const p = h.resume(effect, why, w.env.at(ctx));
  switch (p.status) {
    case 'done':
      // The operation got what it waited for (not a timeout reply): no longer between timed retries.
      if (why.reason !== 'timed-out') ctx.lastTimedWait = undefined;
      if (p.reply) reply(w, ctx, p.reply);
      if (p.wakeups) wakeAll(w, p.wakeups);
      retakeInterlock(ctx, effect);
      break;
    case 'parked':
      if (p.wakeups) wakeAll(w, p.wakeups);
      park(w, ctx, effect, p);
      if (w.stopped === undefined) goingToSleep(w, ctx, effect, p, false, (k) => wakeAll(w, k));
      return;
    case 'call':
      throw new ModelError(`effect '${effect.type}' answered a wake-up with a call`);
    case 'violation':
      w.violate(p.invariant, p.contexts, p.message);
      return;
    case 'choose':
      ctx.rerun = choicePoint(w, ctx, effect, p);
      return;
  }
  if (ctx.effects.length) ctx.resumeSeq = w.nextSeq();
}
