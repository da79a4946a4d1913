import { describe, it, expect } from 'vitest';
import { checkScenario } from '../../src/index.js';
import { verify } from '../../src/cli/verify.js';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';

/** ubd-pipe-fill with a buggy variant that claims, wrongly, always to complete with burst 6. */
const overclaimed = checkScenario({
  ...ubdPipeFill,
  name: 'ubd-pipe-fill-overclaimed',
  variants: {
    ...ubdPipeFill.variants,
    buggy: { ...ubdPipeFill.variants.buggy, expect: { kind: 'must', outcome: 'completed' }, defaults: { burst: 6 } },
  },
});

/** A fix that declares no evidence metric: nothing would show it was ever stressed. */
const unproven = checkScenario({
  ...ubdPipeFill,
  name: 'ubd-pipe-fill-unproven',
  variants: { buggy: ubdPipeFill.variants.buggy, 'fix-credits': { ...ubdPipeFill.variants['fix-credits'], evidence: undefined } },
});

/** A "fix" that declares it may still deadlock (it trades one bug for the next, as ubd-atomic-alloc's fix-drop-lock trades it for no progress). */
const partial = checkScenario({
  ...ubdPipeFill,
  name: 'ubd-pipe-fill-partial',
  variants: { buggy: ubdPipeFill.variants.buggy, 'fix-partial': { ...ubdPipeFill.variants.buggy, summary: 'a partial fix' } },
  build: (variant, params) => ubdPipeFill.build(variant === 'fix-partial' ? 'buggy' : variant, params),
});


describe('verify (the exported function, on scenarios given to it)', () => {
  it('ubd-pipe-fill as declared passes: every judgement, its fix table, no surprise', async () => {
    const r = await verify([ubdPipeFill], { schedules: 10, workers: 1, maxStates: 0 });
    expect(r.surprises).toEqual([]);
    expect(r.pass).toBe(true);
    expect(r.variants.map((v) => [v.judgement.variant, v.judgement.pass, v.exhaustive])).toEqual([
      ['buggy', true, null],
      ['fix-sync-error', true, null],
      ['fix-credits', true, null],
      ['fix-nonblocking', true, null],
    ]);
    expect(r.fixes[0].rows[0].params).toEqual({ pipe: 2, ring: 2, burst: 5, latency: 0, jitter: 0 });
    expect(r.fixes[0].rows[3].params).toEqual({ pipe: 2, burst: 5, latency: 0, jitter: 0 });
  });

  it('a wrong must expectation fails: not pass, and the surprise names the variant and the seed that broke it', async () => {
    const r = await verify([overclaimed], { schedules: 5, workers: 1, maxStates: 0 });
    expect(r.pass).toBe(false);
    expect(r.variants.find((v) => v.judgement.variant === 'buggy')!.judgement.pass).toBe(false);
    expect(r.surprises[0]).toMatch(/^ubd-pipe-fill-overclaimed\/buggy: declared must completed: fifo seed 1 gave deadlock/);
    // The fixes still hold and get their table, on buggy's (burst 6) workload.
    expect(r.fixes).toHaveLength(1);
    expect(r.fixes[0].rows.map((row) => row.variant)).toEqual(['buggy', 'fix-sync-error', 'fix-credits', 'fix-nonblocking']);
    expect(r.fixes[0].rows[0]).toMatchObject({ fractions: { deadlock: 1 }, delta: null });
    for (const row of r.fixes[0].rows.slice(1)) {
      expect(row.fractions).toEqual({ completed: 1 });
      expect(row.evidence!.mean).toBeGreaterThan(0);
      expect(row.delta!.steps).toBeGreaterThan(0);
    }
    expect(r.surprises).toHaveLength(1);
  });

  it('a fix without an evidence metric is a surprise', async () => {
    const r = await verify([unproven], { schedules: 10, workers: 1, maxStates: 0 });
    expect(r.pass).toBe(false);
    expect(r.surprises).toEqual([expect.stringContaining('ubd-pipe-fill-unproven/fix-credits on buggy\'s workload (random seeds 1..10): the fix declares no evidence metric')]);
  });

  it('a fix that declares a finding is shown in the table but not held to "no finding"', async () => {
    const r = await verify([partial], { schedules: 10, workers: 1, maxStates: 0 });
    expect(r.surprises).toEqual([]);
    expect(r.fixes[0].rows[1]).toMatchObject({ variant: 'fix-partial', evidence: null });
    expect(r.fixes[0].rows[1].findings).toBeGreaterThan(0);
  });

  it('the exhaustive hook refutes the wrong must: dfs reaches a deadlock', async () => {
    const r = await verify([overclaimed], { schedules: 2, workers: 1, maxStates: 100 });
    const buggy = r.variants.find((v) => v.judgement.variant === 'buggy')!;
    expect(buggy.exhaustive).toMatchObject({ verdict: 'refuted' });
    expect(r.surprises.some((s) => s.includes('exhaustive search: a schedule of') && s.includes('gives deadlock'))).toBe(true);
  });
});
