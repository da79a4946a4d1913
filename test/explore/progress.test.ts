import { describe, it, expect } from 'vitest';
import { ProgressLine } from '../../src/explore/progress.js';

describe('the progress line', () => {
  it('rewrites one stderr line: schedules done/N, rate, findings, ETA; the last update always shows; clear erases it', () => {
    let text = '';
    const p = new ProgressLine((t) => void (text += t), true);
    p.update('explore x/buggy', 1, 10, 0);
    p.update('explore x/buggy', 2, 10, 1); // within 100 ms of the last: skipped
    p.update('explore x/buggy', 10, 10, 3);
    const lines = text.split('\r\x1b[K').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^explore x\/buggy {2}1\/10 {2}\d+\/s {2}findings 0( {2}ETA \d+s)?$/);
    expect(lines[1]).toMatch(/^explore x\/buggy {2}10\/10 {2}\d+\/s {2}findings 3$/);
    p.clear();
    expect(text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('writes nothing when disabled (not a TTY, or --json)', () => {
    let text = '';
    const p = new ProgressLine((t) => void (text += t), false);
    p.update('x', 5, 5, 1);
    p.clear();
    expect(text).toBe('');
  });
});
