/**
 * The `biostack` command line: pick the command, parse its options, run it,
 * and turn what went wrong into an exit code (DESIGN.md "Outcomes"): 2 with
 * one line for bad input, 4 for a diverged replay, 3 with the stack for a bug.
 */
import { InputError } from '../input-error.js';
import { failure } from './failure.js';
import { parseOptions, wantsHelp } from './args.js';
import type { Command } from './command.js';
import { EXIT } from './exit-codes.js';
import { commandHelp, mainHelp } from './help.js';
import type { Io } from './io.js';
import { packageVersion } from './version.js';
import { listCommand } from './list.js';
import { describeCommand } from './describe.js';
import { runCommand } from './run.js';
import { machinesCommand } from './machines.js';
import { catalogueCommand } from './catalogue.js';
import { exploreCommand } from './explore.js';
import { replayCommand } from './replay.js';
import { sweepCommand } from './sweep.js';
import { verifyCommand } from './verify.js';
import { mergeCommand } from './merge.js';

export const COMMANDS: readonly Command[] = [
  listCommand,
  describeCommand,
  runCommand,
  machinesCommand,
  catalogueCommand,
  exploreCommand,
  replayCommand,
  sweepCommand,
  verifyCommand,
  mergeCommand,
];

/**
 * Run one command line (without `node` and the script); the value is the
 * exit code, or a promise of it for the commands that use worker threads
 * (explore, sweep, verify). The others stay synchronous.
 */
export function main(argv: readonly string[], io: Io): number | Promise<number> {
  try {
    const code = dispatch(argv, io);
    return typeof code === 'number' ? code : code.catch((e: unknown) => failure(e, io));
  } catch (e) {
    return failure(e, io);
  }
}

function dispatch(argv: readonly string[], io: Io): number | Promise<number> {
  const [first, ...rest] = argv;
  const names = COMMANDS.map((c) => c.name).join(', ');
  if (first === undefined) throw new InputError(`missing command (commands: ${names}); see biostack --help`);
  if (first === '--help' || first === '-h' || first === 'help') {
    io.out(mainHelp(COMMANDS, packageVersion()));
    return EXIT.ok;
  }
  if (first === '--version' || first === '-V') {
    io.out(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    if (first.startsWith('-')) throw new InputError(`unknown option '${first}' before a command (options: --help, --version; commands: ${names})`);
    throw new InputError(`unknown command '${first}' (commands: ${names})`);
  }
  if (wantsHelp(rest)) {
    io.out(commandHelp(command));
    return EXIT.ok;
  }
  return command.run(parseOptions(command.name, command.options, rest), io);
}
