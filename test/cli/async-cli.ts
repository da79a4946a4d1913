/**
 * `main()` of the built CLI, awaited: explore, sweep and verify return a
 * promise (they wait for worker threads), which cli.ts's in-process helper
 * does not await. Same entry point, same exit codes.
 */
import type { Io } from '../../src/cli/io.js';
import type { CliResult } from './cli.js';

type Main = (argv: readonly string[], io: Io) => number | Promise<number>;
const built = new URL('../../dist/src/cli/main.js', import.meta.url).href;
let main: Main | undefined;

export function biostackAwait(...args: string[]): Promise<CliResult> {
  return call(args, false);
}

async function call(args: readonly string[], errIsTTY: boolean): Promise<CliResult> {
  main ??= ((await import(built)) as { main: Main }).main;
  let stdout = '';
  let stderr = '';
  const status = await main(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), errIsTTY });
  return { status, stdout, stderr };
}

/** Exit 2, nothing on stdout, one line on stderr containing every fragment. */
export function refused(r: CliResult, ...fragments: string[]): void {
  if (r.status !== 2 || r.stdout !== '' || r.stderr.trim().split('\n').length !== 1 || !fragments.every((f) => r.stderr.includes(f))) {
    throw new Error(`expected exit 2 with one line naming ${fragments.map((f) => `'${f}'`).join(', ')}; got exit ${r.status}\nstdout: ${r.stdout.slice(0, 300)}\nstderr: ${r.stderr}`);
  }
}

/** As biostackAwait, with stderr claiming to be a terminal (where progress lines appear). */
export function biostackOnTty(...args: string[]): Promise<CliResult> {
  return call(args, true);
}
