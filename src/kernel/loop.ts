/**
 * One turn of the scheduler loop, split in two so that `pending()` is a pure
 * query: `execute` delivers the chosen candidate; `prepare` (run at boot and
 * at the end of every step) collects the next candidates, moving virtual time
 * to the next deadline while nothing is deliverable, and runs the periodic
 * checks. A verdict is state (`World.stopped`), never an exception.
 */
import type { World } from './world.js';
import { collect, type Cand } from './deliverable.js';
import { deliver, pushFrame, rerunStep, resume } from './frames.js';
import { takeMailbox } from './inbox.js';
import { wake } from './dispatch.js';
import { switchIn, switchOut } from './context-switch.js';
import { anyBlocked } from './wait-view.js';
import { checkDeadlock, reachNoProgress } from './verdict.js';
import { ModelError } from './model-error.js';
import { findLostWakeup } from '../check/lost-wakeup.js';
import type { KernelEvent } from '../model/effects.js';

export function boot(w: World): void {
  w.booted = true;
  for (const ctx of w.contexts) {
    const spec = w.system.contexts[ctx.index];
    pushFrame(w, ctx, spec.machine, spec.input, 'boot');
    if (w.stopped !== undefined) return;
  }
  checkTouched(w);
}

/** Fill `w.cands` with what may be chosen next, or reach a verdict (and leave it empty). */
export function prepare(w: World): void {
  const cands = w.cands;
  for (;;) {
    if (w.stopped !== undefined) {
      cands.length = 0;
      return;
    }
    w.progress.noteProgress(w.ledger.completed, w.ledger.outstanding, w.clock.now);
    collect(w, cands);
    if (cands.length === 0) {
      if (anyBlocked(w)) checkDeadlock(w);
      if (w.stopped !== undefined) continue;
      const next = nextDeadline(w);
      // Quiescent: the verdict (verdict.ts) decides between completed and an orphaned wait.
      if (next === undefined) {
        w.stop('completed');
        continue;
      }
      w.clock.now = next;
      w.timers.advanceTo(next, () => w.nextSeq());
      expireTimedWaits(w);
      continue;
    }
    if (w.clock.step >= w.opts.maxSteps) {
      w.stop('step-limit');
      continue;
    }
    if (++w.sinceCheck >= w.opts.checkEvery) {
      w.sinceCheck = 0;
      if (anyBlocked(w)) checkDeadlock(w);
      if (w.stopped !== undefined) continue;
    }
    // Judged in virtual time once the run had a timed wait, else in steps (progress.ts says why).
    if (w.ledger.outstanding > 0 && w.progress.stalled(w.clock.now, w.clock.step, w.ledger.lastCompletionStep)) {
      checkDeadlock(w);
      if (w.stopped === undefined) reachNoProgress(w);
      continue;
    }
    return;
  }
}

/** Deliver candidate `c` (one step), then check the resources it used. */
export function execute(w: World, c: Cand): void {
  const ctx = w.contexts[c.ctx];
  w.stepEffects = [];
  switchIn(w, ctx);
  switch (c.kind) {
    case 'resume':
      resume(w, c.label, ctx);
      break;
    case 'retry':
    case 'choose':
      rerunStep(w, c.label, ctx, c.option);
      break;
    case 'reply':
      deliver(w, c.label, ctx, ctx.replies.shift()!.event);
      break;
    case 'timer':
      w.timers.take(c.timer!);
      deliver(w, c.label, ctx, c.timer!.event);
      break;
    case 'mailbox':
      deliver(w, c.label, ctx, takeMailbox(w, ctx));
      break;
    case 'irq': {
      ctx.irqPendingSeq = -1;
      ctx.irqRaised = false;
      ctx.irqActive = true;
      ctx.cpu!.enterHandler(ctx.index, ctx.irqLevel);
      const irq: KernelEvent = { type: 'irq', handler: ctx.name };
      deliver(w, c.label, ctx, irq);
      break;
    }
  }
  switchOut(w, ctx);
  if (w.stopped === undefined) checkTouched(w);
}

/** Resource conservation and lost wake-ups after every step, for the resources the step touched. */
function checkTouched(w: World): void {
  for (const r of w.touched) {
    const v = r.checkConservation();
    if (v) {
      w.violate('resource conservation', [], v);
      break;
    }
  }
  const lost = w.stopped === undefined ? findLostWakeup(w.touched) : undefined;
  if (lost) w.violate('lost wake-up', lost.contexts, lost.message);
  w.touched.clear();
}

/** The next instant something happens by itself: a timer, or the end of a timed sleep. */
function nextDeadline(w: World): number | undefined {
  let next = w.timers.nextDeadline();
  for (const c of w.contexts) {
    const d = c.blocked?.deadline;
    if (d !== undefined && (next === undefined || d < next)) next = d;
  }
  return next;
}

/**
 * Timed sleeps whose deadline passed leave their resource and re-run their
 * operation as timed out. Each remembers what it was waiting for (and who
 * could have released it, asked before it leaves the queue) for the
 * no-progress explanation: until it sleeps again it is between two retries.
 */
function expireTimedWaits(w: World): void {
  for (const c of w.contexts) {
    const b = c.blocked;
    if (b?.deadline === undefined || b.deadline > w.clock.now) continue;
    const r = b.resource;
    const waiter = r.waiters().find((x) => x.ctx === c.name) ?? { ctx: c.name, what: b.op, since: b.since };
    const timedOut = { resource: r.name, what: waiter.what, releasers: r.releasers(waiter), period: b.period!, at: w.clock.now };
    if (!r.withdraw(c.name)) throw new ModelError(`${r.kind} ${r.name} parked ${c.name} with a deadline but cannot withdraw a waiter (no timed waits on this kind)`);
    c.lastTimedWait = timedOut;
    wake(w, c.name, { reason: 'timed-out' });
  }
}
