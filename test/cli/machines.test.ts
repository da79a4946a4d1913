import { describe, it, expect } from 'vitest';
import { biostack, biostackInProcess } from './cli.js';

describe('machines', () => {
  it('lists every machine with its states, events and tagged states', () => {
    const r = biostack('machines');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ubd\s+\d+\s+\d+\s+.*blocked: writingErrorReply/m);
    for (const m of ['ubd-irq', 'aio-completion', 'disk', 'guest-workload', 'io-helper']) expect(r.stdout).toMatch(new RegExp(`^${m} `, 'm'));
  });

  it('--format mermaid ubd is a Mermaid state diagram', () => {
    const r = biostack('machines', '--format', 'mermaid', 'ubd');
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('stateDiagram-v2\n')).toBe(true);
    expect(r.stdout).toContain('writingErrorReply');
  });

  it('--format json ubd is the Stately JSON of the machine', () => {
    const r = biostack('machines', '--format', 'json', 'ubd');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { id: string; states: Record<string, unknown> };
    expect(json.id).toBe('ubd');
    expect(Object.keys(json.states)).toContain('writingErrorReply');
  });

  it('several machines in Mermaid are each headed by a %% comment', async () => {
    const r = await biostackInProcess('machines', '--format', 'mermaid', 'ubd', 'ubd-irq');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^%% ubd\nstateDiagram-v2\n/);
    expect(r.stdout).toContain('\n\n%% ubd-irq\nstateDiagram-v2\n');
  });
});
