import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { biostack, biostackInProcess, REPO } from './cli.js';

describe('help and version', () => {
  it('--help lists every command and exits 0', () => {
    const r = biostack('--help');
    expect(r.status).toBe(0);
    for (const c of ['list', 'describe', 'run', 'machines', 'catalogue']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('<command> --help shows its options, even beside bad ones', async () => {
    const r = await biostackInProcess('run', '--bogus', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: biostack run');
    for (const o of ['--variant <name>', '--set <name=value>', '--seed <n>', '--strategy <name>', '--schedule <file>', '--expect <outcome>']) expect(r.stdout).toContain(o);
  });

  it('--version prints the version in package.json', () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = biostack('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });
});
