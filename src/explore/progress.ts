/**
 * The progress line of a long exploration, rewritten in place on stderr:
 * `explore ubd-pipe-fill/buggy  420/1000  312/s  findings 3  ETA 2s`. Only
 * when a person watches (stderr is a TTY) and not in --json mode; at most
 * ten updates a second, so printing never costs more than the runs.
 */
import { performance } from 'node:perf_hooks';

export class ProgressLine {
  private started = performance.now();
  private label = '';
  private last = -Infinity;
  private shown = false;

  /** `write` is stderr; a disabled line writes nothing at all. */
  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
  ) {}

  /** `done` of `total` schedules under `label` (a new label restarts the rate); `findings` when the count means something. */
  update(label: string, done: number, total: number, findings?: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (label !== this.label) {
      this.label = label;
      this.started = now;
      this.last = -Infinity;
    }
    if (done < total && now - this.last < 100) return;
    this.last = now;
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? Math.ceil((total - done) / rate) : undefined;
    const parts = [label, `${done}/${total}`, `${Math.round(rate)}/s`];
    if (findings !== undefined) parts.push(`findings ${findings}`);
    if (eta !== undefined && done < total) parts.push(`ETA ${eta}s`);
    this.write(`\r\x1b[K${parts.join('  ')}`);
    this.shown = true;
  }

  /** Erase the line, before the result is printed. */
  clear(): void {
    if (this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }
}
