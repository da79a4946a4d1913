import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { biostack, biostackInProcess, scratchDir } from './cli.js';

interface RunDoc {
  version: number;
  scenario: string;
  variant: string;
  params: Record<string, unknown>;
  strategy: string;
  outcome: string;
  expected: { kind: string; outcome: string };
  deadlock: { shape: string; nodes: { kind: string; id: string; state?: string; edge: string }[]; stuckContexts: string[] } | null;
  evidence: { metric: string; value: number } | null;
  traceHash: string;
  warnings: string[];
  wallMs?: number;
}

const DEADLOCK = ['run', 'ubd-pipe-fill', '--variant', 'buggy', '--set', 'burst=6'];

describe('run', () => {
  it('buggy with burst 6 deadlocks on the cycle ubd -> pipe aio->ubd -> ubd-irq', () => {
    const r = biostack(...DEADLOCK, '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as RunDoc;
    expect(doc).toMatchObject({ version: 1, scenario: 'ubd-pipe-fill', variant: 'buggy', outcome: 'deadlock', expected: { kind: 'may', outcome: 'deadlock' } });
    expect(doc.params).toEqual({ pipe: 2, ring: 2, burst: 6, latency: 0, jitter: 0 });
    expect(doc.deadlock!.shape).toBe('cycle');
    const nodes = doc.deadlock!.nodes;
    expect(nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['ubd', 'aio->ubd', 'ubd-irq']));
    expect(nodes[0]).toMatchObject({ kind: 'context', id: 'ubd', state: 'writingErrorReply', edge: 'waits-for' });
    expect(nodes[1]).toMatchObject({ kind: 'resource', id: 'aio->ubd', edge: 'only-reader' });
    expect(doc.warnings).toEqual([]);
    expect(Object.keys(doc).at(-1)).toBe('wallMs');
  });

  it('tells the story: the verdict in capitals, the cycle one node a line, how to reproduce', async () => {
    const r = await biostackInProcess(...DEADLOCK);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^DEADLOCK/m);
    expect(r.stdout).toMatch(/^\s+ubd \[writingErrorReply\] \(interrupts off/m);
    expect(r.stdout).toMatch(/^\s+--waits-for--> pipe aio->ubd \(2\/2 records/m);
    expect(r.stdout).toMatch(/^\s+--only-reader--> ubd-irq/m);
    expect(r.stdout).toContain('reproduce: biostack run ubd-pipe-fill --variant buggy --set burst=6 --strategy fifo --seed 1');
    expect(r.stdout).toContain('--save-schedule');
  });

  it('--expect completed on a deadlock exits 1 and says both', () => {
    const r = biostack(...DEADLOCK, '--expect', 'completed');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('expected outcome completed, got deadlock');
  });

  it('a fix variant reports its evidence', async () => {
    const r = await biostackInProcess('run', 'ubd-pipe-fill', '--variant', 'fix-credits', '--json', '--expect', 'completed');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as RunDoc;
    expect(doc.evidence!.metric).toBe('requeues');
    expect(doc.evidence!.value).toBeGreaterThan(0);
  });

  it('two processes with the same inputs print the same JSON but for wallMs', () => {
    const args = ['run', 'ubd-pipe-fill', '--strategy', 'random', '--seed', '7', '--json'];
    const [a, b] = [biostack(...args), biostack(...args)].map((r) => {
      expect(r.status).toBe(0);
      const doc = JSON.parse(r.stdout) as RunDoc;
      delete doc.wallMs;
      return doc;
    });
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(b.traceHash).toBe(a.traceHash);
  });

  it('--save-schedule then --schedule replays to the same outcome and trace hash', () => {
    const dir = scratchDir();
    const saved = join(dir, 'pipe-fill.schedule.json');
    const first = biostack('run', 'ubd-pipe-fill', '--set', 'burst=5', '--strategy', 'random', '--seed', '7', '--json', '--save-schedule', saved);
    expect(first.status).toBe(0);
    expect(readdirSync(dir)).toEqual(['pipe-fill.schedule.json']);
    const file = JSON.parse(readFileSync(saved, 'utf8')) as { biostack: string; version: number; seed: number; strategy: string; choices: string[]; traceHash: string };
    const original = JSON.parse(first.stdout) as RunDoc;
    expect(file).toMatchObject({ biostack: 'schedule', version: 1, seed: 7, strategy: 'random', traceHash: original.traceHash });
    expect(file.choices.length).toBeGreaterThan(0);

    const replay = biostack('run', '--schedule', saved, '--json');
    expect(replay.stderr).toBe('');
    expect(replay.status).toBe(0);
    const doc = JSON.parse(replay.stdout) as RunDoc;
    expect(doc).toMatchObject({ strategy: 'replay', params: { burst: 5 }, outcome: original.outcome, traceHash: original.traceHash });
  });

  it('a schedule that no longer fits the model exits 4 with where it diverged', () => {
    const dir = scratchDir();
    const saved = join(dir, 's.json');
    expect(biostack('run', 'ubd-pipe-fill', '--save-schedule', saved).status).toBe(0);
    const file = JSON.parse(readFileSync(saved, 'utf8')) as { choices: string[] };
    file.choices[3] = 'ubd-irq.irq';
    writeFileSync(saved, JSON.stringify(file));
    const r = biostack('run', '--schedule', saved);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain("schedule diverged at step 3: recorded 'ubd-irq.irq' is not deliverable");
  });

  it('--trace writes a header, one line per step and an end line', () => {
    const dir = scratchDir();
    const trace = join(dir, 'run.jsonl');
    const r = biostack(...DEADLOCK, '--json', '--trace', trace);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as RunDoc & { steps: number };
    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'header', scenario: 'ubd-pipe-fill', variant: 'buggy', seed: 1, strategy: 'fifo', params: { burst: 6 } });
    expect(lines[0].runId).toMatch(/^[\w-]{21}$/);
    const steps = lines.slice(1, -1);
    expect(steps).toHaveLength(doc.steps);
    expect(steps.every((s) => s.type === 'step')).toBe(true);
    expect(steps[0]).toMatchObject({ step: 0, ctx: expect.any(String), event: expect.any(String) });
    expect(lines.at(-1)).toEqual({ type: 'end', outcome: 'deadlock', traceHash: doc.traceHash });
    expect(readdirSync(dir)).toEqual(['run.jsonl']);
  });
});
