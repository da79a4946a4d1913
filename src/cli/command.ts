/** What a `biostack` command is: its name, help, options and what it does. */
import type { OptionSpecs, ParsedArgs } from './args.js';
import type { Io } from './io.js';

export interface Command<S extends OptionSpecs = OptionSpecs> {
  readonly name: string;
  /** One line for `biostack --help`. */
  readonly summary: string;
  /** Arguments after the command name: `<scenario> [options]`. */
  readonly usage: string;
  /** Paragraphs of `biostack <command> --help` after the usage line. */
  readonly description: string;
  readonly options: S;
  /**
   * Do it; the value is the exit code (see exit-codes.ts). Bad input throws
   * InputError. Commands that wait for worker threads return a promise.
   */
  run(args: ParsedArgs<S>, io: Io): number | Promise<number>;
}

/** Keeps a command's option types for its `run` while listing it among the others. */
export function defineCommand<const S extends OptionSpecs>(command: Command<S>): Command {
  return command as unknown as Command;
}
