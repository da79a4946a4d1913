import { hashString } from './prng.js';

/** One step as the trace shows it (DESIGN.md principle 8). */
export interface TraceStep {
  readonly step: number;
  /** Virtual time. */
  readonly time: number;
  /** The delivery chosen (the schedule entry). */
  readonly label: string;
  readonly ctx: string;
  /** Machine of the frame that took the step, and the stack depth. */
  readonly machine: string;
  readonly depth: number;
  /** Event delivered (`resume` when only deferred effects ran). */
  readonly event: string;
  readonly from: string;
  readonly to: string;
  /** Effects performed in this step, with their result: `put aio->ubd: blocked`. */
  readonly effects: readonly string[];
}

/**
 * Records steps: always a rolling hash (for determinism checks) and the last
 * few steps (for the story), the whole trace only when asked (it costs memory).
 */
export class TraceRecorder {
  private h = 0x811c9dc5;
  private readonly ring: (TraceStep | undefined)[];
  private next = 0;
  readonly full: TraceStep[] | undefined;

  constructor(keepLast: number, keepAll: boolean) {
    this.ring = new Array(Math.max(1, keepLast));
    this.full = keepAll ? [] : undefined;
  }

  record(s: TraceStep): void {
    let h = hashString(s.label, this.h);
    h = hashString(s.to, h);
    for (const e of s.effects) h = hashString(e, h);
    this.h = h;
    this.ring[this.next % this.ring.length] = s;
    this.next++;
    this.full?.push(s);
  }

  /** FNV-1a over every step's label, resulting state and effect results, as 8 hex digits. */
  get hash(): string {
    return this.h.toString(16).padStart(8, '0');
  }

  /** The last steps, oldest first. */
  last(): TraceStep[] {
    const n = Math.min(this.next, this.ring.length);
    const out: TraceStep[] = [];
    for (let k = this.next - n; k < this.next; k++) out.push(this.ring[k % this.ring.length]!);
    return out;
  }
}

/** `12 t=3 ubd: ioSubmit.eagain  submitting -> writingErrorReply  [put aio->ubd: blocked]` */
export function formatStep(s: TraceStep): string {
  const fx = s.effects.length ? `  [${s.effects.join('; ')}]` : '';
  const move = s.from === s.to ? s.to : `${s.from} -> ${s.to}`;
  return `#${s.step} t=${s.time} ${s.ctx}${s.depth > 1 ? `@${s.depth}` : ''}: ${s.event}  ${move}${fx}`;
}
