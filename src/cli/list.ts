/** `biostack list`: every scenario, its variants and its parameters. */
import { CATALOGUE } from '../catalogue.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { InputError } from '../input-error.js';
import { scenarioInfo, type ScenarioInfo } from './scenario-info.js';
import { variantTable, paramTable } from './scenario-tables.js';

export const listCommand = defineCommand({
  name: 'list',
  summary: 'list the scenarios, their variants and parameters',
  usage: '[--json]',
  description: 'Every scenario of the catalogue with its variants (expectation, parameters used, defaults, evidence) and its parameters (type, default, allowed values, which variants use them).',
  options: {
    json: { type: 'boolean', help: 'print { scenarios: [...] } as JSON' },
  },
  run({ values, positionals }, io) {
    if (positionals.length) throw new InputError(`list takes no arguments, got '${positionals.join(' ')}' (for one scenario: biostack describe <scenario>)`);
    const infos = CATALOGUE.map(scenarioInfo);
    if (values.json) {
      io.out(JSON.stringify({ scenarios: infos }, null, 2) + '\n');
      return EXIT.ok;
    }
    io.out(infos.map(listing).join('\n') + '\nbiostack describe <scenario> for the system a scenario builds\n');
    return EXIT.ok;
  },
});

function listing(info: ScenarioInfo): string {
  return [
    `${info.name} — ${info.title} (${info.ref})`,
    '  variants:',
    ...variantTable(info, '    '),
    '  parameters:',
    ...paramTable(info, '    '),
    '',
  ].join('\n');
}
