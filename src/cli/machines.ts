/** `biostack machines`: the layer machines, listed or exported for Stately and Mermaid. */
import { MACHINES } from '../../machines/index.js';
import { InputError } from '../input-error.js';
import { machineSummary, toStatelyJson } from '../report/stately.js';
import { toMermaid } from '../report/mermaid.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { choiceOption } from './option-values.js';
import { formatTable } from './table.js';

const FORMATS = ['json', 'mermaid'] as const;

export const machinesCommand = defineCommand({
  name: 'machines',
  summary: 'list the layer machines, or export them as Stately JSON or Mermaid',
  usage: '[--format json|mermaid] [name ...]',
  description: [
    'Without names: every machine with its number of states and events and its tagged states.',
    'With names (or with --format alone, for all of them): each machine as Stately JSON, to paste',
    'into the Stately editor as createMachine(<json>), or as a Mermaid stateDiagram-v2.',
  ].join('\n'),
  options: {
    format: { type: 'string', value: 'json|mermaid', help: 'export format (default json)' },
  },
  run({ values, positionals }, io) {
    const format = values.format === undefined ? undefined : choiceOption('format', values.format, FORMATS);
    const known = Object.keys(MACHINES);
    const unknown = positionals.filter((n) => !(known as readonly string[]).includes(n));
    if (unknown.length) throw new InputError(`unknown machine ${unknown.map((n) => `'${n}'`).join(', ')} (machines: ${known.join(', ')})`);

    if (positionals.length === 0 && format === undefined) {
      const rows = Object.entries(MACHINES).map(([name, m]) => {
        const s = machineSummary(m);
        const byTag = new Map<string, string[]>();
        for (const [state, tags] of Object.entries(s.tags)) for (const t of tags) byTag.set(t, [...(byTag.get(t) ?? []), state || '(root)']);
        const tags = [...byTag].map(([t, states]) => `${t}: ${states.join(', ')}`).join('; ');
        return [name, String(s.states.length), String(s.events.length), tags || '—'];
      });
      const table = formatTable([{ header: 'machine' }, { header: 'states', align: 'right' }, { header: 'events', align: 'right' }, { header: 'tagged states' }], rows);
      io.out(table.join('\n') + '\nbiostack machines <name> for its Stately JSON, --format mermaid for a diagram\n');
      return EXIT.ok;
    }

    const names = positionals.length ? positionals : known;
    const several = names.length > 1;
    const parts = names.map((name) => {
      const m = MACHINES[name];
      if (format === 'mermaid') return several ? `%% ${name}\n${toMermaid(m)}` : toMermaid(m);
      return JSON.stringify(toStatelyJson(m), null, 2) + '\n';
    });
    io.out(parts.join('\n'));
    return EXIT.ok;
  },
});
