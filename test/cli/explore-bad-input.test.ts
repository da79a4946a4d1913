import { describe, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { biostack, scratchDir } from './cli.js';
import { biostackAwait, refused } from './async-cli.js';

/** Every new flag of explore, sweep, verify and merge refuses bad input: exit 2, one line naming it. */
const EXPLORE = ['explore', 'ubd-pipe-fill'];
const SWEEP = ['sweep', 'ubd-pipe-fill', '--param', 'burst=1..2'];

describe('explore: bad input exits 2 naming the flag', () => {
  it('--schedules 0 (spawned: the real exit status)', () => {
    refused(biostack(...EXPLORE, '--schedules', '0'), "--schedules must be a positive integer, got '0'");
  });

  it('--strategy, --pct-depth, --workers, --shard, --out, --set', async () => {
    refused(await biostackAwait(...EXPLORE, '--strategy', 'fifo'), "--strategy must be one of portfolio, random, pct, dfs, bfs, got 'fifo'");
    refused(await biostackAwait(...EXPLORE, '--strategy', 'pct', '--pct-depth', '0'), "--pct-depth must be an integer >= 1, got '0'");
    refused(await biostackAwait(...EXPLORE, '--pct-depth', '2'), '--pct-depth applies to --strategy pct, not portfolio (the portfolio uses random, pct d=2, pct d=3, pct d=5)');
    refused(await biostackAwait(...EXPLORE, '--workers', '0'), "--workers must be a positive integer (1 runs in this thread), got '0'");
    refused(await biostackAwait(...EXPLORE, '--shard', '4/3'), "--shard must be i/n with 1 <= i <= n (shard i of n, 1-based), got '4/3'");
    refused(await biostackAwait(...EXPLORE, '--shard', 'half'), "--shard must be i/n");
    refused(await biostackAwait(...EXPLORE, '--out', '/no/such/dir'), "--out '/no/such/dir' is not an existing directory");
    refused(await biostackAwait(...EXPLORE, '--set', 'pipe=0'), "parameter 'pipe' must be integer 1..65536, got '0'");
    refused(await biostackAwait(...EXPLORE, '--variant', 'fix-nonblocking', '--set', 'ring=2'), "parameter 'ring' is not used by variant 'fix-nonblocking'");
    refused(await biostackAwait(...EXPLORE, '--swarm', '--json=1'), "option '--json' of 'explore' takes no value");
    refused(await biostackAwait('explore'), 'explore takes one scenario, got none (scenarios: ubd-pipe-fill');
  });

  it('seed options with dfs/bfs, which have no seeds', async () => {
    refused(await biostackAwait(...EXPLORE, '--strategy', 'dfs', '--swarm'), '--swarm applies to the seed strategies (random, pct, portfolio), not dfs');
    refused(await biostackAwait(...EXPLORE, '--strategy', 'bfs', '--shard', '1/2'), '--shard applies to the seed strategies (random, pct, portfolio), not bfs');
    refused(await biostackAwait(...EXPLORE, '--strategy', 'dfs', '--schedules', '5'), '--schedules applies to the seed strategies');
  });
});

describe('sweep: bad input exits 2 naming the flag or parameter and the allowed range', () => {
  it('--param out of range, empty, unknown, not used, not an integer parameter, twice, also --set', async () => {
    refused(await biostackAwait('sweep', 'ubd-pipe-fill', '--param', 'pipe=0..3'), "--param 'pipe=0..3': 'pipe' allows integer 1..65536, got 0..3");
    refused(await biostackAwait('sweep', 'ubd-pipe-fill', '--param', 'burst=5..2'), "--param 'burst=5..2': the range 5..2 is empty");
    refused(await biostackAwait('sweep', 'ubd-pipe-fill', '--param', 'disks=1..2'), "--param 'disks=1..2': scenario ubd-pipe-fill has no parameter 'disks' (parameters: pipe, ring, burst, latency, jitter)");
    refused(await biostackAwait('sweep', 'ubd-pipe-fill', '--variant', 'fix-nonblocking', '--param', 'ring=1..2'), "--param 'ring=1..2': parameter 'ring' is not used by variant 'fix-nonblocking'");
    refused(await biostackAwait('sweep', 'ubd-pipe-fill', '--param', 'burst=1..x'), "--param 'burst=1..x' must be name=a..b or name=a");
    refused(await biostackAwait(...SWEEP, '--param', 'burst=3'), "--param 'burst' is given twice");
    refused(await biostackAwait(...SWEEP, '--set', 'burst=3'), "'burst' is both swept (--param) and set (--set)");
    refused(await biostackAwait('sweep', 'ubd-pipe-fill'), 'sweep needs at least one --param name=a..b (integer parameters of buggy: pipe, ring, burst, latency, jitter)');
  });

  it('--strategy, --pct-depth, --schedules, --workers, --variant', async () => {
    refused(await biostackAwait(...SWEEP, '--strategy', 'portfolio'), "--strategy must be one of random, pct, got 'portfolio'");
    refused(await biostackAwait(...SWEEP, '--pct-depth', '3'), '--pct-depth applies to --strategy pct, not random');
    refused(await biostackAwait(...SWEEP, '--schedules=-1'), "--schedules must be a positive integer, got '-1'");
    refused(await biostackAwait(...SWEEP, '--workers', 'many'), "--workers must be a positive integer (1 runs in this thread), got 'many'");
    refused(await biostackAwait(...SWEEP, '--variant', 'fixed'), "scenario ubd-pipe-fill has no variant 'fixed'");
  });
});

describe('verify and merge: bad input exits 2', () => {
  it('verify --schedules, --max-states, --workers, an unknown scenario', async () => {
    refused(await biostackAwait('verify', '--schedules', '0'), "--schedules must be a positive integer, got '0'");
    refused(await biostackAwait('verify', '--max-states', 'lots'), "--max-states must be a non-negative integer (0 skips the exhaustive check), got 'lots'");
    refused(await biostackAwait('verify', '--workers', '0'), '--workers must be a positive integer');
    refused(await biostackAwait('verify', 'no-such-scenario'), "unknown scenario 'no-such-scenario' (scenarios: ubd-pipe-fill, ");
  });

  it('merge: no files, a missing file, not an explore output, outputs of different explorations (naming the field)', async () => {
    const dir = scratchDir();
    const out = (name: string, fields: Record<string, unknown>): string => {
      const doc = { biostack: 'explore', version: 1, scenario: 'ubd-pipe-fill', variant: 'buggy', strategy: 'random', swarm: false, params: {}, schedules: 4, shard: '1/2', runs: 2, outcomes: { completed: 2 }, findings: [], workers: 1, wallMs: 1, ...fields };
      writeFileSync(join(dir, name), JSON.stringify(doc));
      return join(dir, name);
    };
    const a = out('a.json', {});
    refused(await biostackAwait('merge'), 'merge needs the explore --json files to merge');
    refused(await biostackAwait('merge', a, join(dir, 'missing.json')), `'${join(dir, 'missing.json')}': no such file`);
    refused(await biostackAwait('merge', a, out('run.json', { biostack: undefined })), "field 'biostack' must be \"explore\"");
    for (const [field, value] of [['scenario', 'other'], ['variant', 'fix-credits'], ['strategy', 'pct'], ['schedules', 6]] as const) {
      refused(await biostackAwait('merge', a, out(`${field}.json`, { shard: '2/2', [field]: value })), `cannot merge: field '${field}' differs`);
    }
    refused(await biostackAwait('merge', a, out('same.json', {})), "field 'shard': shard 1/2 is in both");
  });
});
