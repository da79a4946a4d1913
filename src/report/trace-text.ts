/** The trace as text: one line per step, effects in the words the kernel's notes used. */
import type { TraceEffect, TraceStep } from '../kernel/trace.js';

/** `put aio->ubd: blocked`, `ioSubmit guest#2.0: eagain`, `iret: ok`, `draws svc=3 for ubd#4.0`. */
export function effectText(e: TraceEffect): string {
  if (e.effect === 'draw' && e.subject !== undefined) return `draws ${choiceText(e.subject)}`;
  const subject = e.subject ?? e.resource;
  return subject === undefined ? `${e.effect}: ${e.status}` : `${e.effect} ${subject}: ${e.status}`;
}

/**
 * `#12 t=3 ubd: ioSubmit.eagain  submitting -> writingErrorReply  [put aio->ubd: blocked]`;
 * a choice point taken reads as what the context drew: `#5 t=0 disk draws svc=3 for ubd#4.0  serving`.
 */
export function formatStep(s: TraceStep): string {
  const move = s.from === s.to ? s.to : `${s.from} -> ${s.to}`;
  const who = `#${s.step} t=${s.time} ${s.ctx}${s.depth > 1 ? `@${s.depth}` : ''}`;
  if (s.event.startsWith(CHOOSE_EVENT)) {
    // The draw's own note says the same as the step: only the effects after it are listed.
    const rest = s.effects.filter((e) => e.effect !== 'draw');
    return `${who} draws ${choiceText(s.event.slice(CHOOSE_EVENT.length))}  ${move}${effectsText(rest)}`;
  }
  return `${who}: ${s.event}  ${move}${effectsText(s.effects)}`;
}

/**
 * A schedule label of a choice point in words, or undefined for any other
 * label: `disk.choose:svc:ubd#4.0=3` -> `disk draws svc=3 for ubd#4.0`.
 */
export function drawText(label: string): string | undefined {
  const at = label.indexOf(CHOOSE_LABEL);
  if (at <= 0) return undefined;
  return `${label.slice(0, at)} draws ${choiceText(label.slice(at + CHOOSE_LABEL.length))}`;
}

/** The event of a step that took a choice point (kernel/frames.ts): `choose svc:ubd#4.0=3`. */
const CHOOSE_EVENT = 'choose ';
/** What a choice point's schedule label has between the context and `point=value` (kernel/dispatch.ts). */
const CHOOSE_LABEL = '.choose:';

/**
 * `point=value` in words. A point named `name:what` is a draw of `name` for
 * `what` (the disk names its service-time point after the request:
 * `svc:ubd#4.0=3` -> `svc=3 for ubd#4.0`); any other reads as it is.
 */
function choiceText(pointValue: string): string {
  const eq = pointValue.lastIndexOf('=');
  const point = eq < 0 ? pointValue : pointValue.slice(0, eq);
  const value = eq < 0 ? '' : pointValue.slice(eq);
  const colon = point.indexOf(':');
  return colon <= 0 ? `${point}${value}` : `${point.slice(0, colon)}${value} for ${point.slice(colon + 1)}`;
}

function effectsText(effects: readonly TraceEffect[]): string {
  return effects.length ? `  [${effects.map(effectText).join('; ')}]` : '';
}
