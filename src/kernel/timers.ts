import type { EventObject } from 'xstate';

/** A scheduled event for one frame of one context. */
export interface Timer {
  readonly due: number;
  /** Creation order: ties at the same deadline fire in creation order under fifo. */
  readonly seq: number;
  readonly ctx: number;
  /** Serial of the frame that scheduled it; a timer dies with its frame. */
  readonly frame: number;
  /** The XState delay id (`xstate.after.5.disk.busy`, or the `id` given to `raise`). */
  readonly id: string;
  readonly event: EventObject;
  /** Set when cancelled; cancelled timers are dropped lazily. */
  cancelled: boolean;
  /** When it became deliverable (the global pending order fifo follows); -1 until due. */
  pendingSeq: number;
  /** Schedule label, computed once by the kernel. */
  label?: string;
}

/**
 * Virtual time, modelled on Effect's TestClock: time moves to *each* deadline
 * in order, and only when nothing else can happen at the current instant.
 * Timers not yet due wait in a binary heap ordered by (due, seq); timers due
 * now are in `due`, each its own delivery channel (a disk finishing two
 * requests at the same tick may finish them in either order).
 */
export class TimerQueue {
  private heap: Timer[] = [];
  /** Due at the current instant, in the order they became due. */
  readonly due: Timer[] = [];
  private seq = 0;

  schedule(now: number, delay: number, ctx: number, frame: number, id: string, event: EventObject, pendingSeq: () => number): Timer {
    const t: Timer = { due: now + Math.max(0, delay), seq: this.seq++, ctx, frame, id, event, cancelled: false, pendingSeq: -1 };
    if (t.due <= now) {
      t.pendingSeq = pendingSeq();
      this.due.push(t);
    } else this.push(t);
    return t;
  }

  /** Cancel the live timer of `frame` with `id` (XState reuses ids per state entry). */
  cancel(ctx: number, frame: number, id: string): void {
    for (const t of this.due) if (t.ctx === ctx && t.frame === frame && t.id === id) t.cancelled = true;
    for (const t of this.heap) if (t.ctx === ctx && t.frame === frame && t.id === id) t.cancelled = true;
    this.compactDue();
  }

  /** Cancel every timer of a frame (the frame returned). */
  cancelFrame(ctx: number, frame: number): void {
    for (const t of this.due) if (t.ctx === ctx && t.frame === frame) t.cancelled = true;
    for (const t of this.heap) if (t.ctx === ctx && t.frame === frame) t.cancelled = true;
    this.compactDue();
  }

  /** Remove a due timer that is being delivered. */
  take(t: Timer): void {
    const i = this.due.indexOf(t);
    if (i >= 0) this.due.splice(i, 1);
  }

  /** Deadline of the next live timer, or undefined. */
  nextDeadline(): number | undefined {
    while (this.heap.length && this.heap[0].cancelled) this.pop();
    return this.heap.length ? this.heap[0].due : undefined;
  }

  /** Move every live timer due at `time` into `due`, in (due, seq) order. */
  advanceTo(time: number, pendingSeq: () => number): void {
    while (this.heap.length && this.heap[0].due <= time) {
      const t = this.pop();
      if (t.cancelled) continue;
      t.pendingSeq = pendingSeq();
      this.due.push(t);
    }
  }

  /** Live timers not yet due (any context). */
  get waiting(): number {
    let n = 0;
    for (const t of this.heap) if (!t.cancelled) n++;
    return n;
  }

  /** True if context `ctx` has a live timer in the future. */
  hasFutureFor(ctx: number): boolean {
    for (const t of this.heap) if (!t.cancelled && t.ctx === ctx) return true;
    return false;
  }

  /**
   * Become a copy of `src` (a fresh queue of a cloned world). A copy, not
   * save/restore: Timer objects are mutable (cancelled, pendingSeq, label),
   * so each is copied, but their events are immutable and shared, and the
   * heap keeps its layout, so nothing is re-sorted. Returns the copy of each
   * live timer, for whatever held on to the originals (the world's pending
   * candidates).
   */
  copyFrom(src: TimerQueue): (t: Timer) => Timer {
    const copies = new Map<Timer, Timer>();
    const copy = (t: Timer): Timer => {
      const c: Timer = { ...t };
      copies.set(t, c);
      return c;
    };
    this.heap = src.heap.map(copy);
    this.due.length = 0;
    for (const t of src.due) this.due.push(copy(t));
    this.seq = src.seq;
    return (t) => {
      const c = copies.get(t);
      if (c === undefined) throw new Error(`timers: timer ${t.id} of context ${t.ctx} is not in the queue copied`);
      return c;
    };
  }

  /** Canonical text for state hashing: timers relative to `now`. */
  fingerprint(now: number): string {
    const live = [...this.due, ...this.heap].filter((t) => !t.cancelled);
    live.sort((a, b) => a.due - b.due || a.seq - b.seq);
    return live.map((t) => `${t.due - now}:${t.ctx}:${t.id}`).join(',');
  }

  private compactDue(): void {
    for (let i = this.due.length - 1; i >= 0; i--) if (this.due[i].cancelled) this.due.splice(i, 1);
  }

  private push(t: Timer): void {
    const h = this.heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(h[p], t)) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = t;
  }

  private pop(): Timer {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && before(h[c + 1], h[c])) c++;
        if (before(last, h[c])) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
