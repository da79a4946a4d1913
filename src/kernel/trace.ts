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
  /** Effects performed in this step, as data (src/report/trace-text.ts renders `put aio->ubd: blocked`). */
  readonly effects: readonly TraceEffect[];
}

/** One effect a step performed, as the trace keeps it. */
export interface TraceEffect {
  /** The effect type: `put`, `ioSubmit`, `getblk`... */
  readonly effect: string;
  /** The resource it addressed, if any. */
  readonly resource?: string;
  /** What the text names after the effect, when not just the resource (`guest#2.0`, `kmalloc GFP_ATOMIC`). */
  readonly subject?: string;
  /** What happened: `ok`, `blocked`, `eagain`, `injected errno 11`, `depth 3`... */
  readonly status: string;
  /** The reply event the caller got at once, if any (`put.eagain`). */
  readonly reply?: string;
}

/**
 * Records steps: always a rolling hash (for determinism checks) and the last
 * few steps (for the story), the whole trace only when asked (it costs memory).
 */
export class TraceRecorder {
  private h = 0x811c9dc5;
  private ring: (TraceStep | undefined)[];
  private next = 0;
  full: TraceStep[] | undefined;

  constructor(keepLast: number, keepAll: boolean) {
    this.ring = new Array(Math.max(1, keepLast));
    this.full = keepAll ? [] : undefined;
  }

  record(s: TraceStep): void {
    let h = hashString(s.label, this.h);
    h = hashString(s.to, h);
    for (const e of s.effects) {
      // Over the data, field by field (an absent field hashes as '-', which no name is).
      h = hashString(e.effect, h);
      h = hashString(e.resource ?? '-', h);
      h = hashString(e.subject ?? '-', h);
      h = hashString(e.status, h);
      h = hashString(e.reply ?? '-', h);
    }
    this.h = h;
    this.ring[this.next % this.ring.length] = s;
    this.next++;
    this.full?.push(s);
  }

  /**
   * Become a copy of `src` (a fresh recorder of a cloned world). A copy, not
   * save/restore: recorded steps are immutable and shared, so a copy is two
   * array slices however long the full trace is. One exception: the step
   * just recorded still holds the world's live effect list (effects noted
   * after the step, as a timed sleep ends, land in it), so a step whose
   * effects are `open.was` is re-made over the copy's list `open.now`.
   */
  copyFrom(src: TraceRecorder, open?: { readonly was: readonly TraceEffect[]; readonly now: readonly TraceEffect[] }): void {
    this.h = src.h;
    this.next = src.next;
    let remade: TraceStep | undefined;
    const share = (s: TraceStep | undefined): TraceStep | undefined => {
      if (s === undefined || open === undefined || s.effects !== open.was) return s;
      return (remade ??= { ...s, effects: open.now });
    };
    this.ring = src.ring.map(share);
    this.full = src.full?.map((s) => share(s)!);
  }

  /** FNV-1a over every step's label, resulting state and effects (as data), as 8 hex digits. */
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
