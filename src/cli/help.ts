/** The `--help` texts, built from the commands' own option tables. */
import { HELP_OPTION, optionName } from './args.js';
import type { Command } from './command.js';

export function mainHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `biostack ${version} — kernel storage stacks as statecharts on a deterministic scheduler:`,
    'find, explain and replay deadlocks.',
    '',
    'usage: biostack <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'options: -h, --help (also after a command), --version',
    'exit status: 0 done (a verdict was produced), 1 verdict differs (run --expect, a catalogue FAIL,',
    'a verify surprise, explore --fail-on-finding found something), 2 bad input, 3 internal error,',
    '4 replayed schedule diverged or a replay was not deterministic',
    '',
    "biostack <command> --help shows a command's options.",
  ].join('\n') + '\n';
}

export function commandHelp(c: Command): string {
  const options = [...Object.entries(c.options), ['help', HELP_OPTION] as const].map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : ''}${optionName(name, spec)}${spec.multiple ? ' ...' : ''}`,
    spec.help,
  ]);
  const width = Math.max(...options.map(([flag]) => flag.length));
  return [
    `usage: biostack ${c.name} ${c.usage}`,
    '',
    c.summary,
    '',
    c.description,
    '',
    'options:',
    ...options.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`),
  ].join('\n') + '\n';
}
