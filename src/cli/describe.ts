/** `biostack describe <scenario>`: what a scenario models and the system its default variant builds. */
import { CATALOGUE, findScenario } from '../catalogue.js';
import { InputError } from '../input-error.js';
import type { PluginResourceSpec, ResourceSpec } from '../kernel/system.js';
import { resolveParams } from '../scenario/params.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { defaultsText, scenarioInfo } from './scenario-info.js';
import { paramTable } from './scenario-tables.js';
import { formatTable } from './table.js';

export const describeCommand = defineCommand({
  name: 'describe',
  summary: 'show a scenario: what it reproduces, parameters, variants, contexts, resources',
  usage: '<scenario>',
  description: 'The scenario in full: its seed and DOMAIN.md reference, parameters, variants with their expectations and evidence, and the contexts and resources its default variant builds on default parameters.',
  options: {},
  run({ positionals }, io) {
    if (positionals.length !== 1) throw new InputError(`describe takes one scenario, got ${positionals.length ? `'${positionals.join(' ')}'` : 'none'} (scenarios: ${CATALOGUE.map((s) => s.name).join(', ')})`);
    const scenario = findScenario(positionals[0]);
    const info = scenarioInfo(scenario);
    const params = resolveParams(scenario, scenario.defaultVariant);
    const system = scenario.build(scenario.defaultVariant, params);
    const lines = [
      `${info.name} — ${info.title}`,
      `  seed file  ${info.seed}`,
      `  reference  ${info.ref}`,
      '',
      `  ${info.summary}`,
      '',
      'parameters:',
      ...paramTable(info, '  '),
      '',
      'variants:',
    ];
    for (const v of info.variants) {
      lines.push(`  ${v.name}${v.isDefault ? ' (default)' : ''} — ${v.ref}, ${v.expectation}`);
      lines.push(`      ${v.summary}`);
      lines.push(`      uses ${v.uses.join(', ') || 'no parameter'}${defaultsText(v) ? `; defaults ${defaultsText(v)}` : ''}`);
      if (v.evidence) lines.push(`      evidence: ${v.evidence.metric} > 0 in every run — ${v.evidence.doc}`);
    }
    lines.push(
      '',
      `system of ${scenario.defaultVariant} on default parameters (${Object.entries(params).map(([k, val]) => `${k}=${val}`).join(' ')}):`,
      '  contexts:',
      ...formatTable(
        [{ header: 'context' }, { header: 'kind' }, { header: 'cpu' }, { header: 'machine' }],
        system.contexts.map((c) => [c.name, c.kind, c.cpu ?? '—', c.machine.id]),
        '    ',
      ),
      '  resources:',
      ...formatTable(
        [{ header: 'resource' }, { header: 'kind' }, { header: 'capacity' }],
        system.resources.map((r) => [r.name, r.kind, capacityText(r)]),
        '    ',
      ),
    );
    io.out(lines.join('\n') + '\n');
    return EXIT.ok;
  },
});

/** How much a resource holds, in its own terms. */
function capacityText(spec: ResourceSpec | PluginResourceSpec): string {
  if (spec.kind.includes(':')) return '— (plug-in kind)';
  const r = spec as ResourceSpec;
  switch (r.kind) {
    case 'channel':
      return `${r.capacity === Infinity ? 'unbounded' : r.capacity}${r.unit ? ` ${r.unit}` : ''}`;
    case 'pipe':
      return `${r.capacity} records`;
    case 'aio-ring':
      return `${r.nrEvents} events (nr_events)`;
    case 'allocator': {
      const reserve = r.reserve ? `, reserve ${r.reserve}` : '';
      const exhausted = r.exhausted ? `, exhausted except dirty pages on ${r.exhausted.dirtyOn.map((d) => d.device).join(', ')}` : '';
      return `${r.limit ?? 'unlimited'}${reserve}, pressure ${typeof r.pressure === 'string' ? r.pressure : `failP ${r.pressure.failP}`}${exhausted}`;
    }
    case 'mempool':
      return `minNr ${r.minNr}, backed by ${r.backing}`;
    case 'request-queue':
      return `${r.nrRequests} requests (nr_requests)`;
    case 'lock':
      return `1 (${r.flavour} lock)`;
    case 'semaphore':
      return `count ${r.count}`;
    case 'counter':
      return `value ${r.value ?? 0}`;
    case 'buffer-cache':
      return `memory ${r.memory} blocks, hiwater ${r.hiwater}`;
  }
}
