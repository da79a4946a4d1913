/**
 * Command-line options: the option table of a command, parsed with
 * `node:util` `parseArgs` in strict mode, with its errors rewritten into
 * ours (`unknown option '--foo' for 'run' (options: ...)`).
 */
import { parseArgs } from 'node:util';
import { InputError } from '../input-error.js';

/** One option of a command, as `--help` shows it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** May be given several times (`--set a=1 --set b=2`). */
  readonly multiple?: boolean;
  readonly short?: string;
  /** Placeholder of the value in the help: `n`, `file`, `name=value`. */
  readonly value?: string;
  readonly help: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** What `parseOptions` gives back: a string, a list or a flag per option, undefined when absent. */
export type OptionValues<S extends OptionSpecs> = {
  readonly [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['multiple'] extends true ? readonly string[] : string;
};

export interface ParsedArgs<S extends OptionSpecs> {
  readonly values: OptionValues<S>;
  readonly positionals: readonly string[];
}

/** `--help` is understood by every command. */
export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

/** `--seed <n>` as the help and the error messages spell it. */
export function optionName(name: string, spec: OptionSpec): string {
  return spec.type === 'string' ? `--${name} <${spec.value ?? 'value'}>` : `--${name}`;
}

/** True when `--help` or `-h` appears before any `--`, whatever else is wrong with the line. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** Parse `argv` against a command's options; every mistake is an InputError naming the option. */
export function parseOptions<S extends OptionSpecs>(command: string, specs: S, argv: readonly string[]): ParsedArgs<S> {
  const options = { ...specs, help: HELP_OPTION };
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { values: values as OptionValues<S>, positionals };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw e;
    throw new InputError(explainParseError(command, options, argv) ?? `${(e as Error).message.split('\n')[0]} (for '${command}')`);
  }
}

/**
 * Strict parseArgs says only that something is wrong; a lenient pass gives
 * the tokens, and the first offending one is what we name.
 */
function explainParseError(command: string, specs: OptionSpecs, argv: readonly string[]): string | undefined {
  const known = Object.entries(specs).map(([n, s]) => optionName(n, s));
  const { tokens } = parseArgs({ args: [...argv], options: specs, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = specs[t.name];
    if (!spec) return `unknown option '${t.rawName}' for '${command}' (options: ${known.join(', ')})`;
    if (spec.type === 'boolean' && t.value !== undefined) return `option '--${t.name}' of '${command}' takes no value, got '${t.rawName}=${t.value}'`;
    if (spec.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))) {
      // `--seed --json`: the value was forgotten, not meant to be '--json'.
      const forgot = t.value === undefined || (t.value.startsWith('--') && Object.hasOwn(specs, t.value.slice(2).replace(/=.*/, '')));
      const hint = forgot ? '' : `; a value starting with '-' is written --${t.name}=${t.value}`;
      return `option '--${t.name}' of '${command}' is missing its value <${spec.value ?? 'value'}>${hint}`;
    }
  }
  return undefined;
}
