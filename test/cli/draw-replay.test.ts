/**
 * A witness that depends on a draw, from the command line: ubd-pipe-fill's
 * disk `jitter` makes each request's service time a choice point. At pipe =
 * ring = 1, burst 2, latency 3, only a 0-tick draw lets the completion fill
 * the pipe between io_submit's EAGAIN and the driver's error write, so the
 * exhaustive search finds the deadlock only with jitter, names the draw,
 * and its replay token reproduces it. (Before choice points the disk had
 * one fixed latency and no catalogue parameter could make it vary.)
 */
import { describe, expect, it } from 'vitest';
import { biostackAwait } from './async-cli.js';

const AT = ['--set', 'pipe=1', '--set', 'ring=1', '--set', 'burst=2', '--set', 'latency=3'];

describe('a deadlock that only a drawn service time allows, found, named and replayed from the CLI', () => {
  it('dfs with jitter=3 finds it, says "disk draws svc=0", and replay reproduces it; without jitter every interleaving completes', async () => {
    const drawn = await biostackAwait('explore', 'ubd-pipe-fill', ...AT, '--set', 'jitter=3', '--strategy', 'dfs', '--shrink-runs', '0');
    expect(drawn.status).toBe(0);
    expect(drawn.stdout).toMatch(/exhausted: every interleaving was visited/);
    expect(drawn.stdout).toContain('1 finding:');
    expect(drawn.stdout).toMatch(/draws {6}disk draws svc=0 for guest#1\.0/);
    const token = /biostack replay (bs1\.\S+)/.exec(drawn.stdout)![1];
    const replayed = await biostackAwait('replay', token);
    expect(replayed.stdout).toMatch(/^DEADLOCK/m);
    expect(replayed.stdout).toContain('ubd (interrupts off, blocked in a host system call) waits for space in pipe aio->ubd');
    expect(replayed.stdout).toContain('disk draws svc=0 for guest#1.0');

    const fixed = await biostackAwait('explore', 'ubd-pipe-fill', ...AT, '--strategy', 'dfs', '--shrink-runs', '0');
    expect(fixed.stdout).toMatch(/exhausted: every interleaving was visited/);
    expect(fixed.stdout).not.toContain('finding:');
  });
});
