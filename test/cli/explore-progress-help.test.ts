import { describe, it, expect } from 'vitest';
import { biostackInProcess } from './cli.js';
import { biostackOnTty } from './async-cli.js';

const ARGS = ['explore', 'ubd-pipe-fill', '--schedules', '12', '--workers', '1'];

describe('explore on a terminal, and the help', () => {
  it('shows a progress line on a TTY, erased before the result', async () => {
    const r = await biostackOnTty(...ARGS);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\r\x1b\[Kexplore ubd-pipe-fill\/buggy {2}12\/12 {2}\d+\/s {2}findings \d+/);
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('is quiet on a TTY in --json mode', async () => {
    const r = await biostackOnTty(...ARGS, '--json');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('--help lists the new commands; explore --help documents the portfolio and the build its workers run', async () => {
    const main = await biostackInProcess('--help');
    for (const c of ['explore', 'replay', 'sweep', 'verify', 'merge']) expect(main.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    const r = await biostackInProcess('explore', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('seed s -> random, pct d=2, pct d=3, pct d=5 for (s - 1) % 4 = 0, 1, 2, 3');
    expect(r.stdout).toContain('Workers run dist/ (npm run build)');
    for (const o of ['--swarm', '--workers <K>', '--shard <i/n>', '--fail-on-finding', '--out <dir>', '--pct-depth <d>']) expect(r.stdout).toContain(o);
  });
});
