/** The trace as text: one line per step, effects in the words the kernel's notes used. */
import type { TraceEffect, TraceStep } from '../kernel/trace.js';

/** `put aio->ubd: blocked`, `ioSubmit guest#2.0: eagain`, `iret: ok`. */
export function effectText(e: TraceEffect): string {
  const subject = e.subject ?? e.resource;
  return subject === undefined ? `${e.effect}: ${e.status}` : `${e.effect} ${subject}: ${e.status}`;
}

/** `#12 t=3 ubd: ioSubmit.eagain  submitting -> writingErrorReply  [put aio->ubd: blocked]` */
export function formatStep(s: TraceStep): string {
  const fx = s.effects.length ? `  [${s.effects.map(effectText).join('; ')}]` : '';
  const move = s.from === s.to ? s.to : `${s.from} -> ${s.to}`;
  return `#${s.step} t=${s.time} ${s.ctx}${s.depth > 1 ? `@${s.depth}` : ''}: ${s.event}  ${move}${fx}`;
}
