/**
 * Turning an option's text into a checked value. Each error names the option,
 * what it got and what is allowed.
 */
import { InputError } from '../input-error.js';

/** An integer >= `min` that JavaScript holds exactly; `what` says it in words for the error. */
export function intOption(flag: string, raw: string, min: number, what: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new InputError(`--${flag} must be ${what}, got '${raw}'`);
  return n;
}

/** `--seed`: a non-negative safe integer. */
export function seedOption(raw: string): number {
  return intOption('seed', raw, 0, `a non-negative integer (0..${Number.MAX_SAFE_INTEGER})`);
}

/** One of a fixed list of words. */
export function choiceOption<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) throw new InputError(`--${flag} must be one of ${allowed.join(', ')}, got '${raw}'`);
  return raw as T;
}

/**
 * `--set name=value ...` as an object of raw values for `resolveParams`,
 * which checks each against the scenario. A parameter set twice is refused
 * rather than silently taking the last.
 */
export function setOptions(raw: readonly string[], scenario: string, paramNames: readonly string[]): Record<string, string> {
  const out = new Map<string, string>();
  for (const item of raw) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError(`--set '${item}' must be name=value (parameters of ${scenario}: ${paramNames.join(', ')})`);
    const name = item.slice(0, eq);
    if (out.has(name)) throw new InputError(`--set '${name}' is given twice ('${name}=${out.get(name)}' and '${item}')`);
    out.set(name, item.slice(eq + 1));
  }
  return Object.fromEntries(out);
}
