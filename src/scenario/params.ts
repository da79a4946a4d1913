import { InputError } from '../input-error.js';
import type { ParamSpec, ParamValue, Params, Scenario } from './scenario.js';

/** Allowed values of a parameter, in words: `integer 1..65536`, `true|false`, `plain|holding`. */
export function describeAllowed(spec: ParamSpec): string {
  switch (spec.type) {
    case 'int':
      return `integer ${spec.min}..${spec.max}`;
    case 'bool':
      return 'true|false';
    case 'enum':
      return spec.values.join('|');
  }
}

/** Parse one `--set` value (a string) or a JSON value against its spec. */
export function parseParam(scenario: string, name: string, spec: ParamSpec, raw: unknown): ParamValue {
  const bad = (): never => {
    throw new InputError(`scenario ${scenario}: parameter '${name}' must be ${describeAllowed(spec)}, got '${String(raw)}'`);
  };
  switch (spec.type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n < spec.min || n > spec.max) bad();
      return n;
    }
    case 'bool':
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      return bad();
    case 'enum':
      if (typeof raw === 'string' && spec.values.includes(raw)) return raw;
      return bad();
  }
}

/**
 * Defaults for the variant, overridden by the user's values, each checked.
 * A parameter the variant does not use is refused, so nobody believes they
 * tested `ring=1` on a variant that has no ring.
 */
export function resolveParams(scenario: Scenario, variant: string, overrides: Readonly<Record<string, unknown>> = {}): Params {
  const v = Object.hasOwn(scenario.variants, variant) ? scenario.variants[variant] : undefined;
  if (!v) throw new InputError(`scenario ${scenario.name} has no variant '${variant}' (variants: ${Object.keys(scenario.variants).join(', ')})`);
  const out: Record<string, ParamValue> = {};
  for (const name of v.uses) out[name] = v.defaults?.[name] ?? scenario.params[name].default;
  for (const [name, raw] of Object.entries(overrides)) {
    // Own properties only: `--set constructor=1` must be an unknown parameter, not Object.prototype's.
    const spec = Object.hasOwn(scenario.params, name) ? scenario.params[name] : undefined;
    if (!spec) {
      throw new InputError(`scenario ${scenario.name} has no parameter '${name}' (parameters: ${Object.keys(scenario.params).join(', ')})`);
    }
    if (!v.uses.includes(name)) {
      throw new InputError(`parameter '${name}' is not used by variant '${variant}' of ${scenario.name} (it uses: ${v.uses.join(', ')})`);
    }
    out[name] = parseParam(scenario.name, name, spec, raw);
  }
  return out;
}
