import { describe, expect, it } from 'vitest';
import { SectorShadow, ordinal } from '../../src/check/write-order.js';

/** Queue writes `[bio, sector, count, barrier?]` in order, by context `g`. */
function shadow(...writes: [string, number, number, boolean?][]): SectorShadow {
  const s = new SectorShadow();
  for (const [bio, sector, count, barrier] of writes) s.queue(bio, 'g', { sector, count, barrier });
  return s;
}

describe('sector shadow: write ordering and contents', () => {
  it('overlapping writes applied in queue order: the sector holds the newest version', () => {
    const s = shadow(['r1', 100, 2], ['r2', 101, 2]);
    expect(s.apply('r1', 100, 2)).toBeUndefined();
    expect(s.apply('r2', 101, 2)).toBeUndefined();
    expect(s.contents(101)).toEqual({ bio: 'r2', version: 2 });
    expect(s.contents(100)).toEqual({ bio: 'r1', version: 1 });
    expect(s.hostOrderAt(101)).toEqual(['r1', 'r2']);
  });

  it('overlapping writes applied out of queue order: a violation naming both, the host order and the stale data', () => {
    const s = new SectorShadow();
    s.queue('u1#1', 'u1', { sector: 100, count: 1 });
    s.queue('u2#1', 'u2', { sector: 100, count: 1 });
    expect(s.apply('u2#1', 100)).toBeUndefined();
    const v = s.apply('u1#1', 100);
    expect(v!.contexts).toEqual(['u1', 'u2']);
    expect(v!.message).toBe(
      'overlapping writes reached the host out of order: u2#1 (queued 2nd, by u2) went to the host before u1#1 (queued 1st, by u1), both writing sector 100; ' +
        "host order at sector 100: u2#1, u1#1; the sector now holds version 1 (u1#1's data) where version 2 (u2#1's) belongs: the older data wins (silent corruption)",
    );
    expect(s.contents(100)).toEqual({ bio: 'u1#1', version: 1 });
  });

  it('writes that do not overlap and no barrier separates may reach the host in any order', () => {
    const s = shadow(['a', 1, 1], ['b', 2, 1], ['c', 3, 1]);
    expect(s.apply('c', 3)).toBeUndefined();
    expect(s.apply('a', 1)).toBeUndefined();
    expect(s.apply('b', 2)).toBeUndefined();
  });

  it('a barrier orders everything before it ahead of everything after it, overlapping or not', () => {
    const after = shadow(['a', 1, 1], ['B', 2, 1, true], ['c', 3, 1]);
    expect(after.apply('c', 3)).toBeUndefined();
    expect(after.apply('a', 1)!.message).toMatch(/writes ordered by a barrier reached the host out of order: c \(queued 3rd, by g\) went to the host before a \(queued 1st, by g\), although barrier B between them requires/);

    const overtaken = shadow(['a', 1, 1], ['B', 2, 1, true]);
    expect(overtaken.apply('B', 2)).toBeUndefined();
    expect(overtaken.apply('a', 1)!.message).toMatch(/B \(queued 2nd, by g, barrier\) went to the host before a .* although barrier write B requires/);

    const itself = shadow(['B', 1, 1, true], ['c', 2, 1]);
    expect(itself.apply('c', 2)).toBeUndefined();
    expect(itself.apply('B', 1)!.message).toMatch(/c \(queued 2nd, by g\) went to the host before B \(queued 1st, by g, barrier\), although barrier write B/);
  });

  it('writes before and after the barriers, kept on their sides, are fine', () => {
    const s = shadow(['a', 1, 1], ['b', 2, 1], ['B', 3, 1, true], ['c', 4, 1], ['d', 5, 1]);
    for (const [bio, sector] of [['b', 2], ['a', 1], ['B', 3], ['d', 5], ['c', 4]] as const) expect(s.apply(bio, sector)).toBeUndefined();
  });

  it('the chunks of one write may land in any order among themselves', () => {
    const s = shadow(['r', 100, 3]);
    expect(s.apply('r', 102)).toBeUndefined();
    expect(s.apply('r', 100)).toBeUndefined();
    expect(s.apply('r', 101)).toBeUndefined();
  });

  it('writes it was never told about are recorded in the host order but never judged', () => {
    const s = shadow(['r1', 100, 1]);
    expect(s.apply('r1', 100)).toBeUndefined();
    expect(s.apply('stray', 100)).toBeUndefined();
    expect(s.hostOrderAt(100)).toEqual(['r1', 'stray']);
    expect(s.queueOrder()).toEqual(['r1']);
  });

  it('ordinals read as English', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
  });
});
