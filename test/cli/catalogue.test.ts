import { describe, it, expect } from 'vitest';
import { biostack } from './cli.js';

interface Row {
  variant: string;
  runs: number;
  pass: boolean;
  evidence: { min: number } | null;
}

describe('catalogue', () => {
  it('judges every variant with the default budget: a PASS table, exit 0 (what npm start runs)', () => {
    const r = biostack('catalogue');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const header = r.stdout.split('\n')[0];
    expect(header.split(/\s{2,}/)).toEqual(['scenario', 'variant', 'expect', 'outcome', 'evidence', 'steps', 'wall ms', 'verdict']);
    for (const v of ['buggy', 'fix-sync-error', 'fix-credits', 'fix-nonblocking']) {
      expect(r.stdout).toMatch(new RegExp(`^ubd-pipe-fill\\s+${v}\\s.*PASS$`, 'm'));
    }
    expect(r.stdout).toMatch(/^ubd-pipe-fill\s+buggy\s+may deadlock\s+deadlock @seed \d+/m);
    expect(r.stdout).toMatch(/^ubd-pipe-fill\s+fix-credits\s+must completed\s+completed x201\s+requeues \d+/m);
    expect(r.stdout).toContain('4 variants, 4 PASS, 0 FAIL');
  });

  it('--schedules 5 --json: each must variant runs fifo + 5 random schedules, evidence > 0 in all', () => {
    const r = biostack('catalogue', '--schedules', '5', '--json');
    const doc = JSON.parse(r.stdout) as { schedules: number; rows: Row[] };
    expect(doc.schedules).toBe(5);
    const must = doc.rows.filter((x) => x.variant !== 'buggy');
    expect(must.map((x) => x.variant)).toEqual(['fix-sync-error', 'fix-credits', 'fix-nonblocking']);
    for (const row of must) {
      expect(row).toMatchObject({ runs: 6, pass: true });
      expect(row.evidence!.min).toBeGreaterThan(0);
    }
  });
});
