import { describe, it, expect } from 'vitest';
import { decodeToken, encodeToken, looksLikeToken, type ReplayToken } from '../../src/explore/token.js';
import { InputError } from '../../src/input-error.js';
import { hashString } from '../../src/kernel/prng.js';

const TOKEN: ReplayToken = {
  scenario: 'ubd-pipe-fill',
  variant: 'buggy',
  params: { pipe: 4, ring: 4, burst: 10, latency: 0 },
  strategy: 'pct',
  seed: 7,
  pctDepth: 3,
  modelHash: '0123456789abcdef',
};

/** A payload edited and signed again, as someone who knows the format could: only the field checks stand in the way. */
function forged(doc: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(doc)).toString('base64url');
  return `bs1.${payload}.${hashString(payload).toString(16).padStart(8, '0')}`;
}

function refusal(text: string): string {
  try {
    decodeToken(text);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error(`'${text}' was accepted`);
}

describe('replay tokens', () => {
  it('round-trip: a URL-safe bs1. string decodes to the same run inputs', () => {
    const t = encodeToken(TOKEN);
    expect(t).toMatch(/^bs1\.[A-Za-z0-9_-]+\.[0-9a-f]{8}$/);
    expect(looksLikeToken(t)).toBe(true);
    expect(decodeToken(t)).toEqual(TOKEN);
    const replayed: ReplayToken = { ...TOKEN, strategy: 'replay', pctDepth: undefined, choices: ['ubd.reply', 'aio.reply'] };
    const { pctDepth: _d, ...withoutDepth } = replayed;
    expect(decodeToken(encodeToken(replayed))).toEqual(withoutDepth);
  });

  it('an edited or cut token is refused by its check, naming the problem', () => {
    const t = encodeToken(TOKEN);
    const payload = t.split('.')[1];
    const flipped = `bs1.${payload.slice(0, 10)}${payload[10] === 'A' ? 'B' : 'A'}${payload.slice(11)}.${t.split('.')[2]}`;
    expect(refusal(flipped)).toMatch(/check '[0-9a-f]{8}' does not match the payload.*edited or cut/);
    expect(refusal(t.slice(0, -3))).toContain('does not match the payload');
    expect(refusal(t.slice(0, t.lastIndexOf('.')))).toContain('bs1.<payload>.<check>');
    expect(refusal(`bs1.${payload}!.${t.split('.')[2]}`)).toContain("'!' at position");
  });

  it('wrong prefix or version says which format is read', () => {
    expect(refusal('hello')).toContain("must start with 'bs1.'");
    expect(refusal(encodeToken(TOKEN).replace(/^bs1/, 'bs9'))).toContain("version 9 ('bs9.') is not one this biostack reads");
  });

  it('a well-signed payload with a bad field names the field and what is allowed', () => {
    const base = { ...TOKEN } as Record<string, unknown>;
    expect(refusal(forged({ ...base, seed: -1 }))).toContain("field 'seed' must be a non-negative integer, got -1");
    expect(refusal(forged({ ...base, strategy: 'dfs' }))).toContain("field 'strategy' must be one of fifo, random, pct, replay");
    expect(refusal(forged({ ...base, pctDepth: undefined }))).toContain("field 'pctDepth' must be an integer >= 1 (strategy pct)");
    expect(refusal(forged({ ...base, params: { pipe: [1] } }))).toContain("field 'params.pipe'");
    expect(refusal(forged({ ...base, strategy: 'replay', pctDepth: undefined }))).toContain("field 'choices' must be an array of delivery labels");
  });
});
