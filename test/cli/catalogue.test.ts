import { describe, it, expect } from 'vitest';
import { biostack } from './cli.js';
import { CATALOGUE } from '../../src/catalogue.js';

interface Row {
  scenario: string;
  variant: string;
  expect: { kind: 'must' | 'may' };
  runs: number;
  pass: boolean;
  evidence: { min: number } | null;
}

const VARIANTS = CATALOGUE.reduce((n, s) => n + Object.keys(s.variants).length, 0);

describe('catalogue', () => {
  it('judges every ubd-pipe-fill variant with the default budget: a PASS table, exit 0 (what npm start runs for each scenario)', () => {
    const r = biostack('catalogue', 'ubd-pipe-fill');
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

  it('an unknown scenario name is refused, listing the catalogue', () => {
    const r = biostack('catalogue', 'no-such-scenario');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown scenario 'no-such-scenario' \(scenarios: ubd-pipe-fill, /);
  });

  it('--schedules 5 --json: each must variant runs fifo + 5 random schedules, evidence > 0 in all that declare it', () => {
    const r = biostack('catalogue', '--schedules', '5', '--json');
    const doc = JSON.parse(r.stdout) as { schedules: number; rows: Row[] };
    expect(doc.schedules).toBe(5);
    expect(doc.rows).toHaveLength(VARIANTS);
    const must = doc.rows.filter((x) => x.expect.kind === 'must');
    expect(must.filter((x) => x.scenario === 'ubd-pipe-fill').map((x) => x.variant)).toEqual(['fix-sync-error', 'fix-credits', 'fix-nonblocking']);
    for (const row of must) {
      expect(row, `${row.scenario}/${row.variant}`).toMatchObject({ runs: 6, pass: true });
      if (row.evidence) expect(row.evidence.min, `${row.scenario}/${row.variant}`).toBeGreaterThan(0);
    }
  });
});
