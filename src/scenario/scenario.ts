import type { Outcome } from '../check/outcome.js';
import type { SystemSpec } from '../kernel/system.js';

/** A parameter a user may set with `--set name=value`. */
export type ParamSpec =
  | {
      readonly type: 'int';
      readonly default: number;
      readonly min: number;
      readonly max: number;
      readonly doc: string;
      /** Range swarm mode draws this parameter from, per schedule (inclusive). Absent: the default is kept. */
      readonly swarm?: readonly [number, number];
    }
  | { readonly type: 'bool'; readonly default: boolean; readonly doc: string }
  | { readonly type: 'enum'; readonly default: string; readonly values: readonly string[]; readonly doc: string };

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

/** Identity function that type-checks a scenario and checks its own consistency once, at load. */
export function defineScenario(s: Scenario): Scenario {
  if (!(s.defaultVariant in s.variants)) throw new Error(`scenario ${s.name}: defaultVariant '${s.defaultVariant}' is not a variant`);
  for (const [vn, v] of Object.entries(s.variants)) {
    for (const p of v.uses) if (!(p in s.params)) throw new Error(`scenario ${s.name}: variant ${vn} uses unknown parameter '${p}'`);
    for (const p of Object.keys(v.defaults ?? {})) if (!v.uses.includes(p)) throw new Error(`scenario ${s.name}: variant ${vn} sets a default for '${p}', which it does not use`);
  }
  return s;
}
