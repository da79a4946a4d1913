/**
 * Wake-all with re-check (issue 9, item 2): a resource may let its sleepers
 * go without handing them anything; each re-runs its operation when the
 * scheduler next runs it, so a third party can take the resource in between
 * and the loser sleeps again. NetBSD's brelse does this to B_WANTED getblk
 * sleepers (`wakeup(bp)`, then getblk's `goto start`). Fails on the kernel
 * before re-runs: brelse handed the buffer to the oldest sleeper, so no
 * schedule let anyone barge in and no wake-up was ever futile.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, type Effect, type SystemSpec } from '../../src/index.js';
import { scripted } from './fixtures.js';
import { scheduleLeaves } from '../schedule-tree.js';

const C = 'bc';
const getblk: Effect = { type: 'getblk', cache: C, vnode: 'F', blkno: 1 };
const brelse: Effect = { type: 'brelse', cache: C, buf: 'F:1' };

function system(): SystemSpec {
  const ctx = (name: string) => ({
    name,
    kind: 'thread' as const,
    machine: scripted,
    input: { effects: [{ type: 'bioSubmit', bio: `${name}#1` } as Effect, getblk], awaits: 'getblk.ok', then: [brelse, { type: 'bioComplete', bio: `${name}#1` } as Effect] },
  });
  return { cpus: [], resources: [{ kind: 'buffer-cache', name: C, hiwater: 4, memory: 4 }], contexts: [ctx('P'), ctx('V'), ctx('X')] };
}


describe('B_WANTED: brelse wakes every getblk sleeper to re-check', () => {
  // P holds F:1 from boot; V and X sleep on it in getblk (B_WANTED).
  const all = scheduleLeaves(new Simulation(system())).map((l) => l.result);

  it('every schedule completes: the loser of a re-check sleeps again and the next brelse wakes it', () => {
    expect(all.map((r) => r.outcome)).toEqual(['completed', 'completed', 'completed', 'completed']);
  });

  it('the woken sleepers race: whoever re-runs getblk first takes the buffer; the other finds it B_BUSY again, a futile wake-up', () => {
    const bySchedule = Object.fromEntries(all.map((r) => [r.schedule.join(' '), r.metrics[`${C}.futileWakeups`]]));
    expect(bySchedule).toEqual({
      // V re-checks first and wins; X's re-check loses, sleeps, and is woken again by V's brelse.
      'P.reply V.retry X.retry V.reply X.retry X.reply': 1,
      'P.reply X.retry V.retry X.reply V.retry V.reply': 1,
      // The winner releases before the other re-checks: no wake-up was in vain.
      'P.reply V.retry V.reply X.retry X.reply': 0,
      'P.reply X.retry X.reply V.retry V.reply': 0,
    });
  });
});
