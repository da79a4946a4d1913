import { describe, it, expect } from 'vitest';
import { biostack, biostackInProcess } from './cli.js';

interface Listed {
  scenarios: {
    name: string;
    defaultVariant: string;
    variants: { name: string; expectation: string; uses: string[]; defaults: Record<string, unknown>; evidence: { metric: string } | null }[];
    params: { name: string; type: string; default: unknown; min?: number; max?: number; allowed: string; usedBy: string[] }[];
  }[];
}

describe('list and describe', () => {
  it('list --json names ubd-pipe-fill with its four variants and its parameters', () => {
    const r = biostack('list', '--json');
    expect(r.status).toBe(0);
    const s = (JSON.parse(r.stdout) as Listed).scenarios.find((x) => x.name === 'ubd-pipe-fill')!;
    expect(s.variants.map((v) => v.name)).toEqual(['buggy', 'fix-sync-error', 'fix-credits', 'fix-nonblocking']);
    expect(s.defaultVariant).toBe('buggy');
    const buggy = s.variants[0];
    expect(buggy.expectation).toBe('may deadlock');
    expect(buggy.defaults).toEqual({ burst: 5 });
    expect(s.variants[1]).toMatchObject({ expectation: 'must completed', evidence: { metric: 'requeues' } });
    const params = Object.fromEntries(s.params.map((p) => [p.name, p]));
    expect(Object.keys(params)).toEqual(['pipe', 'ring', 'burst', 'latency', 'jitter']);
    expect(params.pipe).toMatchObject({ type: 'int', default: 2, min: 1, max: 65536, allowed: 'integer 1..65536' });
    expect(params.burst).toMatchObject({ default: 8, min: 1, max: 100000 });
    expect(params.latency).toMatchObject({ default: 0, min: 0 });
    expect(params.ring.usedBy).toEqual(['buggy', 'fix-sync-error', 'fix-credits']);
  });

  it('list prints a variant and a parameter table per scenario', async () => {
    const r = await biostackInProcess('list');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/fix-nonblocking\s+B-F4\s+must completed\s+pipe burst latency jitter/);
    expect(r.stdout).toMatch(/ring\s+int\s+2\s+integer 1\.\.65536\s+buggy, fix-sync-error, fix-credits/);
  });

  it('describe ubd-pipe-fill shows the seed, variants, contexts and resources of the default variant', () => {
    const r = biostack('describe', 'ubd-pipe-fill');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('001_f0963b53fce9cf7d.txt');
    expect(r.stdout).toContain('DOMAIN.md §1.B B-4');
    expect(r.stdout).toContain('fix-credits — B-F6, must completed');
    expect(r.stdout).toContain('evidence: restarts > 0');
    expect(r.stdout).toMatch(/ubd-irq\s+irq\s+uml0\s+ubd-irq/);
    expect(r.stdout).toMatch(/aio->ubd\s+pipe\s+2 records/);
    expect(r.stdout).toMatch(/aio\.ring\s+aio-ring\s+2 events/);
  });
});
