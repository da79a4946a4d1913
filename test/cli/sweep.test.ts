import { describe, it, expect } from 'vitest';
import { biostackAwait } from './async-cli.js';

interface SweepDoc {
  axes: { param: string; from: number; to: number }[];
  outcomes: string[];
  points: { params: Record<string, number>; counts: Record<string, number>; fractions: Record<string, number> }[];
}

describe('sweep', () => {
  it('ubd-pipe-fill buggy, pipe 1..3 x burst 1..8, ring 2: no deadlock while burst <= max(pipe, ring), always from pipe + ring + 2', async () => {
    const r = await biostackAwait('sweep', 'ubd-pipe-fill', '--variant', 'buggy', '--param', 'pipe=1..3', '--param', 'burst=1..8', '--set', 'ring=2', '--schedules', '20', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as SweepDoc;
    expect(doc.axes).toEqual([{ param: 'pipe', from: 1, to: 3 }, { param: 'burst', from: 1, to: 8 }]);
    expect(doc.points).toHaveLength(24);
    let between = 0;
    for (const p of doc.points) {
      const { pipe, ring, burst } = p.params;
      expect(ring).toBe(2);
      const deadlock = p.fractions.deadlock ?? 0;
      expect(p.fractions.deadlock + p.fractions.completed).toBeCloseTo(1);
      if (burst <= Math.max(pipe, ring)) expect(deadlock, `pipe=${pipe} burst=${burst}`).toBe(0);
      else if (burst >= pipe + ring + 2) expect(deadlock, `pipe=${pipe} burst=${burst}`).toBe(1);
      else if (deadlock > 0 && deadlock < 1) between++;
    }
    // In between it depends on the interleaving: some points show both outcomes.
    expect(between).toBeGreaterThan(0);
  });

  it('prints the grid as a table of fractions, one row per point', async () => {
    const r = await biostackAwait('sweep', 'ubd-pipe-fill', '--param', 'burst=2..3', '--set', 'pipe=1', '--set', 'ring=1', '--schedules', '5', '--workers', '1');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ubd-pipe-fill \/ buggy: fraction of 5 schedules \(random seeds 1\.\.5\) per outcome at 2 points; pipe=1 ring=1; 1 worker/);
    expect(r.stdout).toMatch(/^burst\s+deadlock\s+completed$/m);
    expect(r.stdout).toMatch(/^\s+2\s+\S+\s+\S+$/m);
  });
});
