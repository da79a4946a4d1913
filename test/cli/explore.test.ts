import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { biostack, scratchDir } from './cli.js';
import { biostackAwait, refused } from './async-cli.js';

interface FindingDoc {
  signature: string;
  outcome: string;
  seed: number;
  strategy: string;
  params: Record<string, number>;
  steps: number;
  explanation: string;
  token: string;
  count: number;
  file?: string;
  shrunk?: { steps: number; originalSteps: number; runs: number; schedule: string[] };
  shrunkToken?: string;
  critical?: { step: number; label: string; exact: boolean; continuations: number; note: string };
}
interface ExploreDoc {
  scenario: string;
  variant: string;
  strategy: string;
  schedules: number;
  shard: string | null;
  runs: number;
  outcomes: Record<string, number>;
  findings: FindingDoc[];
  workers?: number;
  wallMs?: number;
}

const PIPE_FILL = ['explore', 'ubd-pipe-fill', '--variant', 'buggy', '--strategy', 'random', '--set', 'pipe=4', '--set', 'ring=4', '--set', 'burst=10', '--schedules', '20'];
/** 60 swarm schedules of the portfolio: varied parameters, strategies and outcomes. */
const SWARM = ['explore', 'ubd-pipe-fill', '--swarm', '--schedules', '60', '--json'];

async function exploreJson(...args: string[]): Promise<ExploreDoc> {
  const r = await biostackAwait(...args);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as ExploreDoc;
}

/** What must not depend on how the exploration was split. */
function result(doc: ExploreDoc): ExploreDoc {
  const { wallMs: _w, workers: _k, shard: _s, ...rest } = doc;
  return rest as ExploreDoc;
}

describe('explore', () => {
  it('finds the pipe-fill deadlock (spawned bin: exit 0), and its token replays it deterministically', async () => {
    const r = biostack(...PIPE_FILL, '--json', '--shrink-runs', '0');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as ExploreDoc;
    expect(doc).toMatchObject({ scenario: 'ubd-pipe-fill', variant: 'buggy', strategy: 'random', schedules: 20, shard: null, runs: 20, outcomes: { deadlock: 20 } });
    expect(Object.keys(doc).at(-1)).toBe('wallMs');
    expect(doc.findings).toHaveLength(1);
    const f = doc.findings[0];
    expect(f).toMatchObject({ outcome: 'deadlock', seed: 1, strategy: 'random', count: 20, params: { pipe: 4, ring: 4, burst: 10, latency: 0, jitter: 0 } });
    expect(f.signature).toBe('deadlock:cycle:@aio->ubd>ubd-irq>@cpu uml0>ubd');
    expect(f.explanation).toContain('waits for space in pipe aio->ubd (4/4 records');

    const replayed = await biostackAwait('replay', f.token, '--json');
    expect(replayed.status).toBe(0);
    const run = JSON.parse(replayed.stdout) as { outcome: string; steps: number; seed: number; replay: { deterministic: boolean; traceHashes: string[] } };
    expect(run).toMatchObject({ outcome: 'deadlock', steps: f.steps, seed: 1 });
    expect(run.replay.deterministic).toBe(true);
    expect(run.replay.traceHashes[0]).toBe(run.replay.traceHashes[1]);

    const story = await biostackAwait('replay', f.token);
    expect(story.status).toBe(0);
    expect(story.stdout).toMatch(/^DEADLOCK \(wait-for cycle\)/m);
    expect(story.stdout).toContain(`reproduce: biostack replay ${f.token}`);
    expect(story.stdout).toContain('or: biostack run ubd-pipe-fill --variant buggy --set pipe=4 --set ring=4 --set burst=10 --strategy random --seed 1');
    expect(story.stdout).toMatch(/^determinism: run twice, same trace hash \w+$/m);
  });

  it('tells a person the outcomes, each finding and how to replay it', async () => {
    const r = await biostackAwait(...PIPE_FILL, '--workers', '1', '--shrink-runs', '0');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ubd-pipe-fill \/ buggy: 20 schedules \(seeds 1\.\.20\), strategy random, 1 worker, \d+ ms$/m);
    expect(r.stdout).toMatch(/^deadlock\s+20\s+100%$/m);
    expect(r.stdout).toMatch(/^ {2}1\. DEADLOCK x20 — seed 1 \(random\), \d+ steps, pipe=4 ring=4 burst=10 latency=0 jitter=0$/m);
    expect(r.stdout).toMatch(/^ {5}replay {5}biostack replay bs1\.[\w-]+\.[0-9a-f]{8}$/m);
  });

  it('--fail-on-finding exits 1 when something was found, 0 when not', async () => {
    const found = await biostackAwait(...PIPE_FILL, '--workers', '1', '--fail-on-finding', '--shrink-runs', '0');
    expect(found.status).toBe(1);
    expect(found.stderr).toBe('biostack: 1 finding (--fail-on-finding)\n');
    const clean = await biostackAwait('explore', 'ubd-pipe-fill', '--variant', 'fix-credits', '--schedules', '8', '--workers', '1', '--fail-on-finding');
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain('no finding in 8 schedules');
  });

  it('--out writes each finding as a schedule file named with a nanoid, and its shrunk schedule; both replay', async () => {
    const dir = scratchDir();
    const doc = await exploreJson(...PIPE_FILL, '--workers', '1', '--json', '--out', dir);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^ubd-pipe-fill-buggy-deadlock-[\w-]{10}\.schedule\.json$/);
    expect(files[1]).toBe(files[0].replace('.schedule.json', '.shrunk.schedule.json'));
    expect(doc.findings[0].file).toBe(join(dir, files[0]));
    const r = await biostackAwait('replay', join(dir, files[0]), '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'deadlock', steps: doc.findings[0].steps, replay: { deterministic: true } });
    const shrunk = await biostackAwait('replay', join(dir, files[1]), '--json');
    expect(shrunk.status).toBe(0);
    expect(JSON.parse(shrunk.stdout)).toMatchObject({ outcome: 'deadlock', steps: doc.findings[0].shrunk!.steps, replay: { deterministic: true } });
  });

  it('--out names a directory to make in an existing one, as the README writes it (`--out findings/`): made when the first finding is written, never for a run that finds nothing', async () => {
    // Before, a fresh clone refused `explore --swarm --out findings/` (no such folder).
    const parent = scratchDir();
    const none = join(parent, 'clean/');
    const clean = await biostackAwait('explore', 'ubd-pipe-fill', '--variant', 'fix-credits', '--schedules', '4', '--workers', '1', '--out', none);
    expect(clean.status).toBe(0);
    expect(existsSync(none)).toBe(false);
    const dir = join(parent, 'findings/');
    const doc = await exploreJson(...PIPE_FILL, '--workers', '1', '--json', '--shrink-runs', '0', '--out', dir);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(doc.findings[0].file).toBe(join(dir, readdirSync(dir)[0]));
    refused(await biostackAwait(...PIPE_FILL, '--out', join(parent, 'no/such/')), `--out '${join(parent, 'no/such/')}' is not an existing directory, and its parent '${join(parent, 'no')}' does not exist to make it in`);
  });

  it('a random deadlock at pipe = ring = 4, burst 10 shrinks to within 1.2x of the BFS shortest (27 steps), its shrunk token replays, and the critical step is marked', async () => {
    // 27 is what `explore --strategy bfs` finds at these parameters (66,363 states, ~20 s of CPU:
    // too slow for npm test; test/explore/shrink.test.ts checks shrink == bfs on a smaller size).
    const doc = await exploreJson(...PIPE_FILL, '--workers', '1', '--json');
    const f = doc.findings[0];
    expect(f.outcome).toBe('deadlock');
    expect(f.shrunk!.originalSteps).toBe(f.steps);
    expect(f.shrunk!.steps).toBeLessThanOrEqual(Math.floor(1.2 * 27));
    expect(f.critical!.step).toBeGreaterThanOrEqual(0);
    expect(f.critical!.note).toMatch(/deadlock/);
    const r = await biostackAwait('replay', f.shrunkToken!, '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'deadlock', steps: f.shrunk!.steps });
  });

  describe('the same result however it is split', () => {
    let one: ExploreDoc;
    beforeAll(async () => {
      one = await exploreJson(...SWARM, '--workers', '1');
    });

    it('--workers 1 and --workers 2 give the same findings and counts', async () => {
      const two = await exploreJson(...SWARM, '--workers', '2');
      expect(one.workers).toBe(1);
      expect(two.workers).toBe(2);
      expect(one.runs).toBe(60);
      expect(Object.keys(one.outcomes).length).toBeGreaterThan(1);
      expect(one.findings.length).toBeGreaterThan(0);
      expect(two.findings).toEqual(one.findings);
      expect(two.outcomes).toEqual(one.outcomes);
      expect(result(two)).toEqual(result(one));
    });

    it('shards 1/3, 2/3, 3/3 are disjoint and merge into the unsharded result', async () => {
      const dir = scratchDir();
      const shards: ExploreDoc[] = [];
      for (const i of [1, 2, 3]) {
        const doc = await exploreJson(...SWARM, '--workers', '1', '--shard', `${i}/3`);
        expect(doc.shard).toBe(`${i}/3`);
        expect(doc.runs).toBe(20);
        shards.push(doc);
        writeFileSync(join(dir, `shard${i}.json`), JSON.stringify(doc));
      }
      // Disjoint: every finding's seed belongs to its own shard only.
      shards.forEach((doc, i) => doc.findings.forEach((f) => expect((f.seed - 1) % 3).toBe(i)));
      const merged = await biostackAwait('merge', ...[1, 2, 3].map((i) => join(dir, `shard${i}.json`)), '--json');
      expect(merged.status).toBe(0);
      const doc = JSON.parse(merged.stdout) as ExploreDoc;
      expect(doc.shard).toBeNull();
      expect(result(doc)).toEqual(result(one));
      expect(JSON.stringify(result(doc))).toBe(JSON.stringify(result(one)));

      const text = await biostackAwait('merge', join(dir, 'shard1.json'), join(dir, 'shard3.json'));
      expect(text.status).toBe(0);
      expect(text.stdout).toMatch(/seeds 1\.\.60, shard 1,3\/3: 40 of them/);
      expect(readFileSync(join(dir, 'shard1.json'), 'utf8')).toContain('"shard":"1/3"');
    });
  });
});
