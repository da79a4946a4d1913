/**
 * Parameters a user may set with `--set name=value`. A machine declares the
 * ones that belong to it (a disk's `latency`) once, beside its input type,
 * and every scenario that runs the machine lists that declaration under the
 * same name, overriding at most its default (the scenario's operating point).
 */

export interface IntParam {
  readonly type: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly doc: string;
  /** Range swarm mode draws this parameter from, per schedule (inclusive). Absent: the default is kept. */
  readonly swarm?: readonly [number, number];
}
export interface BoolParam {
  readonly type: 'bool';
  readonly default: boolean;
  readonly doc: string;
}
export interface EnumParam {
  readonly type: 'enum';
  readonly default: string;
  readonly values: readonly string[];
  readonly doc: string;
}

/** A parameter a user may set with `--set name=value`. */
export type ParamSpec = IntParam | BoolParam | EnumParam;

/** Identity that type-checks a machine's parameter declarations and keeps their literal types. */
export function defineParams<const P extends Readonly<Record<string, ParamSpec>>>(params: P): P {
  return params;
}
