import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { biostack, biostackInProcess, scratchDir, type CliResult } from './cli.js';

/**
 * Every kind of bad input: exit 2, one line on stderr naming the field and
 * what is allowed, nothing on stdout, and no output file left behind. The
 * first cases spawn the bin, to pin the real exit status; the rest call its
 * built entry point in-process (same code, a fraction of the time).
 */
let dir: string;
let inputs: string[];
const file = (name: string) => join(dir, name);

/** A schedule file in the shape --save-schedule writes, with fields overridden. */
function scheduleFile(name: string, fields: Record<string, unknown> = {}): string {
  const doc = {
    biostack: 'schedule',
    version: 1,
    scenario: 'ubd-pipe-fill',
    variant: 'buggy',
    params: { pipe: 2, ring: 2, burst: 4, latency: 0, jitter: 0 },
    seed: 1,
    strategy: 'fifo',
    modelHash: '0000000000000000',
    outcome: 'completed',
    traceHash: '00000000',
    choices: ['ubd.reply'],
    ...fields,
  };
  writeFileSync(file(name), JSON.stringify(doc));
  return file(name);
}

beforeAll(() => {
  dir = scratchDir();
  scheduleFile('good.json');
  scheduleFile('other-scenario.json', { scenario: 'ubd-other' });
  scheduleFile('bad-seed.json', { seed: 'seven' });
  writeFileSync(file('not-json.json'), '{ "biostack": "schedule",');
  inputs = readdirSync(dir).sort();
});

/** Run with both output files requested, so every case also checks that nothing was written. */
async function runRefused(...args: string[]): Promise<CliResult> {
  const r = await biostackInProcess(...args, '--trace', file('out.jsonl'), '--save-schedule', file('out.json'));
  expect(readdirSync(dir).sort()).toEqual(inputs);
  return r;
}

function expectRefused(r: CliResult, ...fragments: string[]) {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  for (const f of fragments) expect(r.stderr).toContain(f);
}

describe('bad input exits 2 and names what is wrong and what is allowed', () => {
  it('unknown command lists the commands (spawned: the real exit status)', () => {
    expectRefused(biostack('frobnicate'), "unknown command 'frobnicate'", 'list, describe, run, machines, catalogue');
  });

  it('missing command lists the commands', async () => {
    expectRefused(await biostackInProcess(), 'missing command', 'list, describe, run, machines, catalogue');
  });

  it('unknown option is named with the command and its options (spawned: the real exit status)', () => {
    const r = biostack('run', 'ubd-pipe-fill', '--foo', '--save-schedule', file('out.json'));
    expectRefused(r, "unknown option '--foo' for 'run'", '--seed <n>', '--strategy <name>');
    expect(readdirSync(dir).sort()).toEqual(inputs);
  });

  it('an option missing its value', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--seed'), "'--seed'", 'missing its value <n>');
  });

  it('an option whose value was forgotten before the next option', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--variant', '--json'), "'--variant'", 'missing its value');
  });

  it('a flag given a value', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--json=yes'), "'--json'", 'takes no value');
  });

  it('unknown scenario lists the scenarios', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-drain'), "unknown scenario 'ubd-pipe-drain'", 'ubd-pipe-fill');
  });

  it('unknown variant lists the variants', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--variant', 'fix-magic'), "no variant 'fix-magic'", 'buggy, fix-sync-error, fix-credits, fix-nonblocking');
  });

  it('--set without = asks for name=value', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--set', 'burst'), "--set 'burst'", 'name=value', 'pipe, ring, burst, latency, jitter');
  });

  it('--set of the same parameter twice', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--set', 'burst=3', '--set', 'burst=4'), "'burst' is given twice");
  });

  it('unknown parameter lists the parameters', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--set', 'queue=3'), "no parameter 'queue'", 'pipe, ring, burst, latency, jitter');
  });

  it('a parameter of the wrong type', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--set', 'burst=many'), "'burst'", 'integer 1..100000', "'many'");
  });

  it('a parameter out of range', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--set', 'pipe=0'), "'pipe'", 'integer 1..65536', "'0'");
  });

  it('a parameter the variant does not use: fix-nonblocking has no ring', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--variant', 'fix-nonblocking', '--set', 'ring=1'), "'ring' is not used by variant 'fix-nonblocking'", 'pipe, burst, latency, jitter');
  });

  it('unknown strategy lists the strategies', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--strategy', 'dfs'), '--strategy', 'fifo, random, pct, replay', "'dfs'");
  });

  it.each([['-1'], ['1.5'], ['seven'], ['9007199254740993']])('--seed=%s is not a non-negative safe integer', async (seed) => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', `--seed=${seed}`), '--seed', 'non-negative integer', `'${seed}'`);
  });

  it('--pct-depth below 1', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--strategy', 'pct', '--pct-depth', '0'), '--pct-depth', 'integer >= 1', "'0'");
  });

  it('--pct-depth without --strategy pct', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--pct-depth', '2'), '--pct-depth applies to --strategy pct');
  });

  it('--max-steps not a positive integer', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--max-steps', '0'), '--max-steps', 'positive integer', "'0'");
  });

  it('--expect not an outcome lists the outcomes', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--expect', 'hang'), '--expect', 'deadlock', 'completed', 'no-progress', "'hang'");
  });

  it('--strategy replay without --schedule', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--strategy', 'replay'), 'replay needs --schedule');
  });

  it('--schedule file missing', async () => {
    expectRefused(await runRefused('run', '--schedule', file('absent.json')), '--schedule', 'absent.json', 'no such file');
  });

  it('--schedule file not JSON', async () => {
    expectRefused(await runRefused('run', '--schedule', file('not-json.json')), 'not-json.json', 'not JSON');
  });

  it('--schedule file of the wrong shape names the field', async () => {
    expectRefused(await runRefused('run', '--schedule', file('bad-seed.json')), 'bad-seed.json', "field 'seed'", 'non-negative integer', '"seven"');
  });

  it('--schedule file recorded for another scenario', async () => {
    expectRefused(await runRefused('run', 'ubd-pipe-fill', '--schedule', file('other-scenario.json')), 'recorded for scenario ubd-other, not ubd-pipe-fill');
  });

  it('--schedule file naming an unknown scenario', async () => {
    expectRefused(await runRefused('run', '--schedule', file('other-scenario.json')), 'other-scenario.json', "unknown scenario 'ubd-other'", 'ubd-pipe-fill');
  });

  it('--variant that contradicts the schedule file', async () => {
    expectRefused(await runRefused('run', '--schedule', file('good.json'), '--variant', 'fix-credits'), '--variant fix-credits', 'recorded with variant buggy');
  });

  it('--set that contradicts the schedule file', async () => {
    expectRefused(await runRefused('run', '--schedule', file('good.json'), '--set', 'burst=5'), '--set burst=5', 'recorded with burst=4');
  });

  it('an output file in a directory that does not exist', async () => {
    const r = await biostackInProcess('run', 'ubd-pipe-fill', '--save-schedule', file('no/such/dir/s.json'));
    expectRefused(r, '--save-schedule', 'does not exist');
    expect(readdirSync(dir).sort()).toEqual(inputs);
  });

  it('--format not json or mermaid', async () => {
    expectRefused(await biostackInProcess('machines', '--format', 'svg', 'ubd'), '--format', 'json, mermaid', "'svg'");
  });

  it('unknown machine lists the machines', async () => {
    expectRefused(await biostackInProcess('machines', 'ubd', 'no-such-layer'), "unknown machine 'no-such-layer'", 'ubd, ubd-irq, aio-completion');
  });

  it('--schedules not a positive integer', async () => {
    expectRefused(await biostackInProcess('catalogue', '--schedules', '0'), '--schedules', 'positive integer', "'0'");
  });
});
