/**
 * What a scenario offers a user, as plain data: its variants with their
 * expectations, and its parameters with their allowed values and which
 * variants read them. `list` prints it (or its JSON), `describe` too.
 */
import { describeAllowed } from '../scenario/params.js';
import type { Expectation, ParamValue, Scenario } from '../scenario/scenario.js';

export interface VariantInfo {
  readonly name: string;
  readonly summary: string;
  readonly ref: string;
  readonly expect: Expectation;
  /** `must completed`, `may deadlock`. */
  readonly expectation: string;
  readonly uses: readonly string[];
  /** Defaults that differ from the scenario's, for this variant. */
  readonly defaults: Readonly<Record<string, ParamValue>>;
  readonly evidence: { readonly metric: string; readonly doc: string } | null;
  readonly isDefault: boolean;
}

export interface ParamInfo {
  readonly name: string;
  readonly type: 'int' | 'bool' | 'enum';
  readonly default: ParamValue;
  /** `integer 1..65536`, `true|false`, `plain|holding`. */
  readonly allowed: string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  readonly doc: string;
  readonly usedBy: readonly string[];
}

export interface ScenarioInfo {
  readonly name: string;
  readonly title: string;
  readonly seed: string;
  readonly ref: string;
  readonly summary: string;
  readonly defaultVariant: string;
  readonly variants: readonly VariantInfo[];
  readonly params: readonly ParamInfo[];
}

export function expectationText(e: Expectation): string {
  return `${e.kind} ${e.outcome}`;
}

export function scenarioInfo(s: Scenario): ScenarioInfo {
  const variants = Object.entries(s.variants).map(([name, v]): VariantInfo => ({
    name,
    summary: v.summary,
    ref: v.ref,
    expect: v.expect,
    expectation: expectationText(v.expect),
    uses: v.uses,
    defaults: v.defaults ?? {},
    evidence: v.evidence ?? null,
    isDefault: name === s.defaultVariant,
  }));
  const params = Object.entries(s.params).map(([name, p]): ParamInfo => ({
    name,
    type: p.type,
    default: p.default,
    allowed: describeAllowed(p),
    ...(p.type === 'int' ? { min: p.min, max: p.max } : p.type === 'enum' ? { values: p.values } : {}),
    doc: p.doc,
    usedBy: variants.filter((v) => v.uses.includes(name)).map((v) => v.name),
  }));
  return { name: s.name, title: s.title, seed: s.seed, ref: s.ref, summary: s.summary, defaultVariant: s.defaultVariant, variants, params };
}

/** A variant's own defaults as `burst=4 ring=8`, or '' when it has none. */
export function defaultsText(v: VariantInfo): string {
  return Object.entries(v.defaults).map(([k, val]) => `${k}=${val}`).join(' ');
}

/** Who uses a parameter, in words: `all variants`, or their names. */
export function usedByText(p: ParamInfo, info: ScenarioInfo): string {
  return p.usedBy.length === info.variants.length ? 'all variants' : p.usedBy.join(', ') || 'no variant';
}
