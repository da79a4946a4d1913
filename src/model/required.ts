/**
 * A value a machine's mode guarantees but its types cannot: an optional input
 * (`credits` exists only in fix-credits) or a context field set by an earlier
 * state (`current` after get.ok). `required(context.credits, 'ubd: input.credits')`
 * returns it typed without `undefined`/`null`, and throws a clear Error
 * naming it when it is missing, where a `!` would let `undefined` travel on
 * into an effect and fail far away (or not at all).
 */
export function required<T>(value: T, what: string): NonNullable<T> {
  if (value === undefined || value === null) throw new Error(`${what} is not set`);
  return value;
}
