/** `biostack merge`: join the --json outputs of the shards of one exploration. */
import { readFileSync } from 'node:fs';
import { InputError } from '../input-error.js';
import { mergeExploreDocs, parseExploreDoc } from '../explore/merge.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { exploreText } from './explore.js';

export const mergeCommand = defineCommand({
  name: 'merge',
  summary: 'merge the explore --json outputs of shards (--shard i/n) into one result',
  usage: '<file.json> <file.json> ... [--json]',
  description: [
    'Reads explore --json outputs of shards of one exploration and adds them up: outcome counts,',
    'and for each signature the lowest seed and the total count. Outputs of different explorations',
    '(scenario, variant, strategy, pct depth, swarm, parameters or schedule count differ) or',
    'overlapping shards are refused, naming the field. Merging every shard gives what the',
    'unsharded exploration prints, apart from workers (summed) and wallMs (the longest shard).',
  ].join('\n'),
  options: {
    json: { type: 'boolean', help: 'print the merged JSON (same shape as explore --json)' },
  },
  run({ values, positionals }, io) {
    if (positionals.length === 0) throw new InputError('merge needs the explore --json files to merge');
    const docs = positionals.map((source) => {
      let text: string;
      try {
        text = readFileSync(source, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new InputError(`'${source}': ${code === 'ENOENT' ? 'no such file' : `cannot read (${(e as Error).message})`}`);
      }
      return { source, doc: parseExploreDoc(text, source) };
    });
    const merged = mergeExploreDocs(docs);
    io.out(values.json ? JSON.stringify(merged, null, 2) + '\n' : exploreText(merged).join('\n') + '\n');
    return EXIT.ok;
  },
});
