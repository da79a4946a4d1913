import type { Outcome } from '../check/outcome.js';
import type { SystemSpec } from '../kernel/system.js';
import { ModelError } from '../kernel/model-error.js';
import { WiringError } from './ports.js';

/** A parameter a user may set with `--set name=value` (declared in src/model: machines declare theirs too). */
import type { ParamSpec } from '../model/params.js';
export type { ParamSpec };

export type ParamValue = number | boolean | string;
export type Params = Readonly<Record<string, ParamValue>>;

/**
 * What a variant promises for its default parameters: `must` (every schedule
 * gives this outcome) or `may` (some schedule within the budget does).
 */
export interface Expectation {
  readonly kind: 'must' | 'may';
  readonly outcome: Outcome;
}

export interface VariantSpec {
  readonly summary: string;
  /** Which fix of DOMAIN.md this is (`B-F5`), or the failure it reproduces (`B-4`). */
  readonly ref: string;
  readonly expect: Expectation;
  /** Parameters this variant reads; setting any other is refused. */
  readonly uses: readonly string[];
  /** Defaults that differ from the scenario's for this variant. */
  readonly defaults?: Readonly<Record<string, ParamValue>>;
  /**
   * Evidence that the stress a fix guards against really happened (a metric
   * that must be > 0), so a fix cannot pass by never being tested.
   */
  readonly evidence?: { readonly metric: string; readonly doc: string };
}

/** A failure family from the seeds: statecharts + resources + workload, with its variants. */
export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** Seed file and DOMAIN.md section it reproduces. */
  readonly seed: string;
  readonly ref: string;
  readonly summary: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly variants: Readonly<Record<string, VariantSpec>>;
  readonly defaultVariant: string;
  /** Build the system for one variant and fully resolved, validated parameters. */
  build(variant: string, params: Params): SystemSpec;
}

/** The value a parameter spec stands for in `build`: int -> number, bool -> boolean, enum -> the union of its values. */
export type ParamType<S> = S extends { readonly type: 'int' }
  ? number
  : S extends { readonly type: 'bool' }
    ? boolean
    : S extends { readonly type: 'enum'; readonly values: readonly (infer U extends string)[] }
      ? U
      : never;

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** A variant as a scenario defines it: `uses` names parameters of the scenario, `defaults` has their types. */
export interface VariantDef<P extends ParamSpecs> extends Omit<VariantSpec, 'uses' | 'defaults'> {
  readonly uses: readonly (keyof P & string)[];
  readonly defaults?: { readonly [K in keyof P]?: ParamType<P[K]> };
}

/** The parameters `build` gets for a variant that uses `U`: exactly those, typed from their specs. */
export type ParamsFor<P extends ParamSpecs, U extends readonly (keyof P & string)[]> = { readonly [K in U[number]]: ParamType<P[K]> };

/**
 * `build`'s arguments: one `[variant, params]` pair per variant, so testing
 * `variant === 'fix-mempool'` also narrows `params` to what that variant uses.
 */
export type BuildArgs<P extends ParamSpecs, V extends Readonly<Record<string, VariantDef<P>>>> = {
  [K in keyof V & string]: [variant: K, params: ParamsFor<P, V[K]['uses']>];
}[keyof V & string];

/** What a scenario file writes: a `Scenario` whose `build` is typed by its own variants and parameters. */
export interface ScenarioDef<P extends ParamSpecs, V extends Readonly<Record<string, VariantDef<P>>>> extends Omit<Scenario, 'params' | 'variants' | 'defaultVariant' | 'build'> {
  readonly params: P;
  readonly variants: V;
  readonly defaultVariant: keyof V & string;
  /** Build the system for one variant and its fully resolved, validated parameters. */
  build(...args: BuildArgs<P, V>): SystemSpec;
}

/**
 * Type-check a scenario, check its own consistency and its wiring once, at
 * load, and give the runtime `Scenario`. Its `build` turns a wiring mistake
 * (wiring.ts) into a ModelError naming the scenario and variant.
 */
export function defineScenario<const P extends ParamSpecs, const V extends Readonly<Record<string, VariantDef<P>>>>(def: ScenarioDef<P, V>): Scenario {
  // The casts that remain: callers pass a variant of this scenario and its parameters resolved by
  // resolveParams (checked at run time), and a variant's typed defaults are plain parameter values.
  const build = def.build as (variant: string, params: Params) => SystemSpec;
  const scenario = checkScenario({
    ...def,
    variants: def.variants as Scenario['variants'],
    build(variant, params) {
      try {
        return build(variant, params);
      } catch (e) {
        if (e instanceof WiringError) throw new ModelError(`scenario ${def.name}, variant ${variant}: ${e.message}`);
        throw e;
      }
    },
  });
  // Wiring is checked when the scenario loads, for every variant at its defaults (a port handed to one
  // context too many is refused before anything runs), and again at each build, for other parameters.
  for (const [name, v] of Object.entries(scenario.variants)) {
    scenario.build(name, Object.fromEntries(v.uses.map((p) => [p, v.defaults?.[p] ?? scenario.params[p].default])));
  }
  return scenario;
}

/**
 * The consistency checks of defineScenario, on a runtime `Scenario` (one
 * made at run time from another, as tests do), which it returns.
 */
export function checkScenario(s: Scenario): Scenario {
  if (!(s.defaultVariant in s.variants)) throw new Error(`scenario ${s.name}: defaultVariant '${s.defaultVariant}' is not a variant`);
  for (const [vn, v] of Object.entries(s.variants)) {
    for (const p of v.uses) if (!(p in s.params)) throw new Error(`scenario ${s.name}: variant ${vn} uses unknown parameter '${p}'`);
    for (const p of Object.keys(v.defaults ?? {})) if (!v.uses.includes(p)) throw new Error(`scenario ${s.name}: variant ${vn} sets a default for '${p}', which it does not use`);
  }
  return s;
}
