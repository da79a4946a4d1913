/**
 * Every witness states its mode: the same schedule means something else
 * under another kernel, so run, replay and explore say which one ran it, in
 * one line, and --json carries it.
 */
import { describe, expect, it } from 'vitest';
import { biostackAwait } from './async-cli.js';

const UML = 'under preemptive uml (HZ 100)';
const NETBSD = 'under non-preemptive netbsd (HZ 100)';

describe('every witness states its kernel mode', () => {
  it('run tells which kernel it ran under: ubd on UML (preemptive, HZ 100), vnd on non-preemptive NetBSD', async () => {
    // Old CLI: no kernel line in the story, no kernel field in --json.
    const ubd = await biostackAwait('run', 'ubd-pipe-fill', '--set', 'burst=6');
    expect(ubd.status).toBe(0);
    expect(ubd.stdout).toContain(`\n  kernel    ${UML}\n`);
    const vnd = await biostackAwait('run', 'vnd-self-deadlock');
    expect(vnd.stdout).toMatch(/^DEADLOCK/m);
    expect(vnd.stdout).toContain(`\n  kernel    ${NETBSD}\n`);
    const json = JSON.parse((await biostackAwait('run', 'vnd-self-deadlock', '--json')).stdout) as { kernel: unknown };
    expect(json.kernel).toEqual({ personality: 'netbsd', hz: 100, preemption: 'non-preemptive' });
  });

  it('explore states it under its parameters, for seeds and for an exhaustive search; a finding replayed states it again', async () => {
    const seeds = await biostackAwait('explore', 'ubd-pipe-fill', '--set', 'burst=6', '--strategy', 'random', '--schedules', '4', '--workers', '1', '--shrink-runs', '0');
    expect(seeds.status).toBe(0);
    expect(seeds.stdout).toContain(`\n  kernel  ${UML}\n`);
    const dfs = await biostackAwait('explore', 'vnd-self-deadlock', '--strategy', 'dfs', '--shrink-runs', '0');
    expect(dfs.status).toBe(0);
    expect(dfs.stdout).toContain(`\n  kernel  ${NETBSD}\n`);
    const token = /biostack replay (bs1\.\S+)/.exec(dfs.stdout)![1];
    const replayed = await biostackAwait('replay', token);
    expect(replayed.stdout).toMatch(/^DEADLOCK/m);
    expect(replayed.stdout).toContain(`\n  kernel    ${NETBSD}\n`);
  });
});
