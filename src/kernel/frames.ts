/**
 * The actor side of a context: deliver an event to its top frame by a pure
 * XState transition, perform the effects it emitted until one parks, push a
 * frame for a call and pop it when it reaches a final state (the caller
 * resumes with `call.return`). A verdict reached on the way stops it: the
 * step is then not recorded, as the run ends inside it.
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import type { KernelEvent } from '../model/effects.js';
import type { ExecContext, Frame } from './exec-context.js';
import type { World } from './world.js';
import { MachineHost, isDone, outputOf, stateText, type MachineStep } from './xstate-adapter.js';
import { ModelError } from './model-error.js';
import { perform, rerun } from './dispatch.js';
import { syncMailboxes } from './inbox.js';

export function deliver(w: World, label: string, ctx: ExecContext, event: EventObject): void {
  const frame = ctx.top;
  const from = stateText(frame.snapshot);
  let step: MachineStep;
  try {
    step = frame.host.transition(frame.snapshot, event);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`machine '${frame.host.machine.id}' on context '${ctx.name}' failed on event '${event.type}' in state ${from}: ${(e as Error).message}`);
  }
  w.deliveries++;
  w.deliveryLog?.push({ ctx: ctx.index, event });
  frame.snapshot = step.snapshot;
  applyTimers(w, ctx, frame, step);
  for (const e of step.effects) ctx.effects.push(e);
  settle(w, ctx);
  if (w.stopped === undefined) record(w, label, ctx, frame, event.type, from, stateText(step.snapshot));
}

/** Run the deferred effects of a context a resource let go (no event: the machine already moved on). */
export function resume(w: World, label: string, ctx: ExecContext): void {
  const frame = ctx.top;
  const state = stateText(frame.snapshot);
  ctx.resumeSeq = -1;
  settle(w, ctx);
  if (w.stopped === undefined) record(w, label, ctx, frame, 'resume', state, state);
}

/**
 * Re-run the context's pending retry (it re-tests after a wake-up or a
 * timeout) or choice (option `option`), then its deferred effects: the
 * context runs now, so what it emitted after the operation follows at once.
 */
export function rerunStep(w: World, label: string, ctx: ExecContext, option: number | undefined): void {
  const frame = ctx.top;
  const state = stateText(frame.snapshot);
  const r = ctx.rerun!;
  rerun(w, ctx, option);
  if (w.stopped !== undefined) return;
  syncMailboxes(w);
  if (!ctx.blocked && ctx.rerun === null) {
    ctx.resumeSeq = -1;
    settle(w, ctx);
  }
  const event = r.kind === 'retry' ? `retry (${r.why!.reason})` : `choose ${r.point}=${String(r.options![option!])}`;
  if (w.stopped === undefined) record(w, label, ctx, frame, event, state, stateText(ctx.top.snapshot));
}

function record(w: World, label: string, ctx: ExecContext, frame: Frame, event: string, from: string, to: string): void {
  w.trace.record({ step: w.clock.step, time: w.clock.now, label, ctx: ctx.name, machine: frame.host.machine.id, depth: ctx.frames.length, event, from, to, effects: w.stepEffects });
}

function applyTimers(w: World, ctx: ExecContext, frame: Frame, step: MachineStep): void {
  for (const id of step.cancels) w.timers.cancel(ctx.index, frame.serial, id);
  for (const t of step.timers) w.timers.schedule(w.clock.now, t.delay, ctx.index, frame.serial, t.id, t.event, () => w.nextSeq());
}

/**
 * Perform the context's pending effects until one parks; pop frames that
 * reached their final state (returning to the caller with `call.return`).
 */
function settle(w: World, ctx: ExecContext): void {
  for (;;) {
    while (ctx.effects.length && !ctx.blocked && ctx.rerun === null && !ctx.exited) {
      const call = perform(w, ctx, ctx.effects.shift()!);
      if (w.stopped !== undefined) return;
      if (call !== undefined) {
        pushFrame(w, ctx, call.machine, call.input, `call from ${ctx.top.host.machine.id}`);
        if (w.stopped !== undefined) return;
      }
    }
    if (ctx.blocked || ctx.rerun !== null || ctx.exited) return;
    if (ctx.effects.length) continue;
    const top = ctx.top;
    if (!top || !isDone(top.snapshot)) return;
    popFrame(w, ctx);
    if (ctx.exited) return;
  }
}

export function pushFrame(w: World, ctx: ExecContext, machine: AnyStateMachine, input: unknown, why: string): void {
  const host = MachineHost.for(machine);
  if (ctx.frames.length + 1 > ctx.stackLimit) {
    w.overflow = { context: ctx.name, limit: ctx.stackLimit, chain: [...ctx.frames.map((f) => f.host.machine.id), machine.id] };
    w.stop('stack-overflow');
    return;
  }
  let step: MachineStep;
  try {
    step = host.initial(input);
  } catch (e) {
    throw new ModelError(`machine '${machine.id}' could not start on context '${ctx.name}' (${why}): ${(e as Error).message}`);
  }
  const frame: Frame = { serial: w.frameSerial++, host, snapshot: step.snapshot, callerRest: ctx.effects };
  ctx.effects = [];
  ctx.frames.push(frame);
  if (ctx.frames.length > ctx.maxDepth) ctx.maxDepth = ctx.frames.length;
  applyTimers(w, ctx, frame, step);
  for (const e of step.effects) ctx.effects.push(e);
  settle(w, ctx);
}

function popFrame(w: World, ctx: ExecContext): void {
  const frame = ctx.frames.pop()!;
  w.timers.cancelFrame(ctx.index, frame.serial);
  if (ctx.frames.length === 0) {
    ctx.exited = true;
    return;
  }
  // The caller resumes after its `call`: first the effects it emitted after the call, then the return event.
  ctx.effects = frame.callerRest;
  const ret: KernelEvent = { type: 'call.return', machine: frame.host.machine.id, output: outputOf(frame.snapshot) };
  ctx.replies.unshift({ event: ret, seq: w.nextSeq() });
}
