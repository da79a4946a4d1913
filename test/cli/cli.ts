/**
 * The CLI as a user meets it: `biostack` spawns the built bin (`npm test`
 * builds dist/ first); `biostackInProcess` calls the same built entry point
 * without a new Node process, for the many bad-input cases, where spawning
 * each would cost most of the suite's time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../src/cli/io.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function biostack(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, ['dist/src/cli.js', ...args], { cwd: REPO, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Main = (argv: readonly string[], io: Io) => number;
const built = new URL('../../dist/src/cli/main.js', import.meta.url).href;
let main: Main | undefined;

/** `main()` of dist/src/cli/main.js, the function the bin hands process.argv to. */
export async function biostackInProcess(...args: string[]): Promise<CliResult> {
  main ??= ((await import(built)) as { main: Main }).main;
  let stdout = '';
  let stderr = '';
  const status = main(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), errIsTTY: false });
  return { status, stdout, stderr };
}

/** A fresh empty directory for files a test writes. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'biostack-cli-'));
}
