/** The variant and parameter tables that `list` and `describe` print. */
import { formatTable } from './table.js';
import { defaultsText, usedByText, type ScenarioInfo } from './scenario-info.js';

export function variantTable(info: ScenarioInfo, indent: string): string[] {
  return formatTable(
    [{ header: 'variant' }, { header: 'ref' }, { header: 'expect' }, { header: 'uses' }, { header: 'defaults' }, { header: 'evidence' }, { header: 'summary' }],
    info.variants.map((v) => [
      v.isDefault ? `${v.name} (default)` : v.name,
      v.ref,
      v.expectation,
      v.uses.join(' '),
      defaultsText(v) || '—',
      v.evidence ? `${v.evidence.metric} > 0` : '—',
      v.summary,
    ]),
    indent,
  );
}

export function paramTable(info: ScenarioInfo, indent: string): string[] {
  return formatTable(
    [{ header: 'parameter' }, { header: 'type' }, { header: 'default', align: 'right' }, { header: 'allowed' }, { header: 'used by' }, { header: 'doc' }],
    info.params.map((p) => [p.name, p.type, String(p.default), p.allowed, usedByText(p, info), p.doc]),
    indent,
  );
}
