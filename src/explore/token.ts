/**
 * Replay tokens: everything that determines a run, in one string a person can
 * paste into a bug report or a terminal (PEERS.md §5.4).
 *
 *   bs1.<payload>.<check>
 *
 * `bs1` is the format version; the payload is base64url of JSON (scenario,
 * variant, params, strategy, seed, pctDepth, modelHash, and for a replayed
 * schedule its choices); the check is an FNV-1a hash of the payload, so a
 * token cut short or edited is refused instead of silently replaying another
 * run. Decoding checks every field and names the one that is wrong.
 */
import { InputError } from '../input-error.js';
import { hashString } from '../kernel/prng.js';
import { STRATEGIES, type StrategyName } from '../kernel/strategy.js';
import type { ParamValue, Params } from '../scenario/scenario.js';

export const TOKEN_VERSION = 1;
const PREFIX = `bs${TOKEN_VERSION}.`;

export interface ReplayToken {
  readonly scenario: string;
  readonly variant: string;
  /** Every parameter the run used (swarm draws included). */
  readonly params: Params;
  /** The schedule's own strategy (`portfolio` resolves to random or pct per seed). */
  readonly strategy: StrategyName;
  readonly seed: number;
  readonly pctDepth?: number;
  /** The model the run executed; replaying against another model warns. */
  readonly modelHash: string;
  /** For strategy `replay`: the delivery labels (a dfs/bfs or shrunk schedule). */
  readonly choices?: readonly string[];
}

export function encodeToken(t: ReplayToken): string {
  const doc = {
    scenario: t.scenario,
    variant: t.variant,
    params: t.params,
    strategy: t.strategy,
    seed: t.seed,
    ...(t.pctDepth !== undefined ? { pctDepth: t.pctDepth } : {}),
    modelHash: t.modelHash,
    ...(t.choices !== undefined ? { choices: t.choices } : {}),
  };
  const payload = Buffer.from(JSON.stringify(doc), 'utf8').toString('base64url');
  return `${PREFIX}${payload}.${check(payload)}`;
}

/** Parse and check a token; every error is an InputError that says what is wrong with it. */
export function decodeToken(text: string): ReplayToken {
  const fail = (what: string): never => {
    throw new InputError(`replay token: ${what}`);
  };
  const shown = text.length > 24 ? `${text.slice(0, 24)}…` : text;
  const version = /^bs(\d+)\./.exec(text);
  if (!version) return fail(`must start with '${PREFIX}' (a token printed by explore), got '${shown}'`);
  if (Number(version[1]) !== TOKEN_VERSION) return fail(`version ${version[1]} ('bs${version[1]}.') is not one this biostack reads (it reads '${PREFIX}')`);
  const parts = text.slice(PREFIX.length).split('.');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return fail(`must be ${PREFIX}<payload>.<check>; this one has ${parts.length} part${parts.length === 1 ? '' : 's'} after the prefix (was it cut when copied?)`);
  const [payload, sum] = parts;
  const bad = /[^A-Za-z0-9_-]/.exec(payload);
  if (bad) return fail(`payload has '${bad[0]}' at position ${PREFIX.length + bad.index}, which is not base64url (A-Z a-z 0-9 - _)`);
  if (sum !== check(payload)) return fail(`check '${sum}' does not match the payload (expected '${check(payload)}'): the token was edited or cut; copy it whole`);
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return fail('payload is not base64url of JSON');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return fail('payload must be a JSON object');
  const o = doc as Record<string, unknown>;
  const field = (name: string, ok: boolean, allowed: string): void => {
    if (!ok) fail(`field '${name}' must be ${allowed}, got ${name in o ? JSON.stringify(o[name]) : 'nothing'}`);
  };
  const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  field('scenario', isName(o.scenario), 'a scenario name');
  field('variant', isName(o.variant), 'a variant name');
  field('params', o.params !== null && typeof o.params === 'object' && !Array.isArray(o.params), 'an object of parameter values');
  for (const [k, v] of Object.entries(o.params as object)) field(`params.${k}`, typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string', 'a number, boolean or string');
  field('strategy', (STRATEGIES as readonly unknown[]).includes(o.strategy), `one of ${STRATEGIES.join(', ')}`);
  field('seed', Number.isSafeInteger(o.seed) && (o.seed as number) >= 0, 'a non-negative integer');
  if (o.strategy === 'pct') field('pctDepth', Number.isSafeInteger(o.pctDepth) && (o.pctDepth as number) >= 1, 'an integer >= 1 (strategy pct)');
  else field('pctDepth', o.pctDepth === undefined, `absent (strategy ${String(o.strategy)})`);
  field('modelHash', isName(o.modelHash), 'a model hash');
  if (o.strategy === 'replay') {
    field('choices', Array.isArray(o.choices) && (o.choices as unknown[]).every(isName), 'an array of delivery labels (strategy replay)');
  } else {
    field('choices', o.choices === undefined, `absent (strategy ${String(o.strategy)})`);
  }
  return {
    scenario: o.scenario as string,
    variant: o.variant as string,
    params: o.params as Record<string, ParamValue>,
    strategy: o.strategy as StrategyName,
    seed: o.seed as number,
    ...(o.pctDepth !== undefined ? { pctDepth: o.pctDepth as number } : {}),
    modelHash: o.modelHash as string,
    ...(o.choices !== undefined ? { choices: o.choices as string[] } : {}),
  };
}

/** True when `text` looks like a token rather than a file name. */
export function looksLikeToken(text: string): boolean {
  return /^bs\d+\./.test(text);
}

function check(payload: string): string {
  return hashString(payload).toString(16).padStart(8, '0');
}
