import { describe, it, expect } from 'vitest';
import { biostackAwait } from './async-cli.js';

/** The report's JSON shape is pinned through the exported verify() (test/explore/verify.test.ts); this is the command. */
describe('verify', () => {
  it('ubd-pipe-fill meets every declaration with 10 schedules: verdict and fix-validation tables, exit 0', async () => {
    const r = await biostackAwait('verify', 'ubd-pipe-fill', '--schedules', '10', '--max-states', '0', '--workers', '2');
    // Not a terminal: one progress line per variant and per fix table on stderr, nothing else.
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => /^verify ubd-pipe-fill\/[\w-]+: as declared \((must|may) \w[\w-]*\); [\d.]+ s so far$/.test(l))).toHaveLength(4);
    expect(lines[lines.length - 1]).toMatch(/^verify ubd-pipe-fill fixes: as declared; [\d.]+ s so far$/);
    expect(lines).toHaveLength(5);
    expect(r.stdout).toMatch(/^\d+ variants, (\d+) PASS, 0 FAIL/m);
    expect(r.stdout).toContain('exhaustive: skipped (--max-states 0)');
    expect(r.stdout).toContain("fix validation: ubd-pipe-fill, random seeds 1..10 on buggy's workload (pipe=2 ring=2 burst=5 latency=0");
    expect(r.stdout).toMatch(/^\s+variant\s+deadlock\s+completed\s+mean steps\s+Δ steps\s+mean time\s+Δ time\s+evidence \(mean\)$/m);
    expect(r.stdout).toMatch(/^\s+buggy\s+0\.\d\d\s+0\.\d\d\s+[\d.]+\s+—/m);
    for (const fix of ['fix-sync-error', 'fix-credits', 'fix-nonblocking']) expect(r.stdout).toMatch(new RegExp(`^\\s+${fix}\\s+0\\s+1\\s+[\\d.]+\\s+[+-][\\d.]+\\s`, 'm'));
    expect(r.stdout).toMatch(/^verify: PASS/m);
    expect(r.status).toBe(0);
  });
});
