import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { biostack, scratchDir } from './cli.js';
import { biostackAwait, refused } from './async-cli.js';

let dir: string;
let token: string;
let scheduleFile: string;

beforeAll(async () => {
  dir = scratchDir();
  const r = await biostackAwait('explore', 'ubd-pipe-fill', '--set', 'burst=6', '--strategy', 'pct', '--schedules', '3', '--workers', '1', '--json', '--shrink-runs', '0', '--out', dir);
  const doc = JSON.parse(r.stdout) as { findings: { token: string; file: string }[] };
  token = doc.findings[0].token;
  scheduleFile = doc.findings[0].file;
});

/** The schedule file with fields changed, as a new file. */
function edited(name: string, change: (doc: Record<string, unknown>) => void): string {
  const doc = JSON.parse(readFileSync(scheduleFile, 'utf8')) as Record<string, unknown>;
  change(doc);
  writeFileSync(join(dir, name), JSON.stringify(doc));
  return join(dir, name);
}

describe('replay', () => {
  it('a pct token replays with its depth, deterministically', async () => {
    const r = await biostackAwait('replay', token, '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ strategy: 'pct', pctDepth: 3, outcome: 'deadlock', replay: { token, deterministic: true } });
  });

  it('a tampered token exits 2 naming the problem (spawned: the real exit status)', () => {
    const payload = token.split('.')[1];
    const tampered = token.replace(payload, payload.slice(0, -2) + (payload.endsWith('AA') ? 'BB' : 'AA'));
    const r = biostack('replay', tampered);
    refused(r, 'replay token: check', 'does not match the payload', 'edited or cut');
  });

  it('a cut token, another version, or a token naming an unknown scenario exit 2', async () => {
    refused(await biostackAwait('replay', token.slice(0, token.lastIndexOf('.'))), 'replay token: must be bs1.<payload>.<check>');
    refused(await biostackAwait('replay', token.replace('bs1.', 'bs7.')), "replay token: version 7 ('bs7.')");
    refused(await biostackAwait('replay', 'no-such-file.json'), "replay: 'no-such-file.json' is neither a replay token (bs1.…) nor an existing schedule file");
    refused(await biostackAwait('replay'), 'replay takes one token or schedule file, got none');
  });

  it('a schedule file edited so that it diverges from the model: exit 4 (divergence, not non-determinism)', async () => {
    const file = edited('diverges.json', (doc) => {
      doc.choices = ['aio.reply', ...(doc.choices as string[])];
    });
    const r = await biostackAwait('replay', file);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain("schedule diverged at step 0: recorded 'aio.reply' is not deliverable");
  });

  it('a schedule file whose recorded trace hash differs on the same model: NOT REPRODUCED, exit 4', async () => {
    const file = edited('other-trace.json', (doc) => {
      doc.traceHash = 'ffffffff';
    });
    const r = await biostackAwait('replay', file);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('NOT REPRODUCED on the model it was recorded on: the replay gave deadlock (trace');
    expect(r.stderr).toContain('the recording gave deadlock (trace ffffffff)');
  });

  it('a file recorded against another model hash warns on stderr and goes on', async () => {
    const file = edited('other-model.json', (doc) => {
      doc.modelHash = '0000000000000000';
    });
    const r = await biostackAwait('replay', file);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`warning: schedule file '${file}' was recorded against model 0000000000000000; this is model`);
    expect(r.stdout).toMatch(/^determinism: run twice, same trace hash/m);
  });
});
