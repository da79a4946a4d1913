import { describe, it, expect } from 'vitest';
import type { ExploreDoc } from '../../src/explore/explore.js';
import { mergeExploreDocs, parseExploreDoc } from '../../src/explore/merge.js';

function shard(shardText: string | null, over: Partial<ExploreDoc> = {}): ExploreDoc {
  return {
    biostack: 'explore',
    version: 1,
    scenario: 'ubd-pipe-fill',
    variant: 'buggy',
    strategy: 'random',
    swarm: false,
    params: { pipe: 2 },
    schedules: 10,
    shard: shardText,
    runs: 5,
    outcomes: { deadlock: 2, completed: 3 },
    findings: [],
    workers: 1,
    wallMs: 10,
    ...over,
  };
}

const finding = (seed: number, count: number, signature = 'deadlock:cycle:a') =>
  ({ signature, outcome: 'deadlock', seed, strategy: 'random', params: { pipe: 2 }, steps: 20, explanation: 'x', token: `t${seed}`, count }) as const;

describe('merging shards of one exploration', () => {
  it('adds counts, keeps the lowest seed per signature with the summed count, in seed order', () => {
    const a = shard('1/2', { findings: [finding(3, 2), finding(5, 1, 'violation:x')], wallMs: 30 });
    const b = shard('2/2', { findings: [finding(2, 4)], outcomes: { violation: 1, completed: 4 }, wallMs: 20 });
    const m = mergeExploreDocs([{ source: 'a.json', doc: a }, { source: 'b.json', doc: b }]);
    expect(m.shard).toBeNull();
    expect(m.runs).toBe(10);
    expect(m.outcomes).toEqual({ violation: 1, deadlock: 2, completed: 7 });
    expect(Object.keys(m.outcomes)).toEqual(['violation', 'deadlock', 'completed']);
    expect(m.findings).toEqual([{ ...finding(2, 6) }, finding(5, 1, 'violation:x')]);
    expect(m).toMatchObject({ workers: 2, wallMs: 30 });
    expect(Object.keys(m)).toEqual(Object.keys(a));
  });

  it('a partial merge says which shards it covers', () => {
    const m = mergeExploreDocs([{ source: 'a', doc: shard('3/4') }, { source: 'b', doc: shard('1/4') }]);
    expect(m.shard).toBe('1,3/4');
  });

  for (const [field, value] of [
    ['scenario', 'other'],
    ['variant', 'fix-credits'],
    ['strategy', 'pct'],
    ['schedules', 11],
    ['swarm', true],
    ['params', { pipe: 3 }],
  ] as const) {
    it(`refuses to mix explorations whose '${field}' differs, naming the field and both files`, () => {
      expect(() => mergeExploreDocs([{ source: 'a.json', doc: shard('1/2') }, { source: 'b.json', doc: shard('2/2', { [field]: value }) }])).toThrow(
        `cannot merge: field '${field}' differs: 'a.json' has ${JSON.stringify(shard(null)[field])}, 'b.json' has ${JSON.stringify(value)}`,
      );
    });
  }

  it('refuses overlapping shards and shards of different splits', () => {
    expect(() => mergeExploreDocs([{ source: 'a.json', doc: shard('1/2') }, { source: 'b.json', doc: shard('1/2') }])).toThrow("field 'shard': shard 1/2 is in both 'a.json' and 'b.json'");
    expect(() => mergeExploreDocs([{ source: 'a.json', doc: shard('1/2') }, { source: 'b.json', doc: shard('2/3') }])).toThrow("field 'shard' differs: 'a.json' is a shard of 2, 'b.json' is 2/3");
    expect(() => mergeExploreDocs([{ source: 'a.json', doc: shard('1/2') }, { source: 'b.json', doc: shard(null) }])).toThrow("'b.json' is unsharded");
  });

  it('reading an output checks the fields merge relies on', () => {
    expect(() => parseExploreDoc('{', 'x.json')).toThrow("'x.json': not JSON");
    expect(() => parseExploreDoc('{"version":1}', 'x.json')).toThrow(`'x.json': field 'biostack' must be "explore"`);
    expect(() => parseExploreDoc(JSON.stringify({ ...shard('1/2'), strategy: 'dfs' }), 'x.json')).toThrow("field 'strategy' must be random, pct or portfolio");
    expect(() => parseExploreDoc(JSON.stringify({ ...shard('1/2'), shard: '3/2' }), 'x.json')).toThrow("field 'shard' must be null or i/n");
    expect(() => parseExploreDoc(JSON.stringify({ ...shard('1/2'), findings: [{ seed: 1 }] }), 'x.json')).toThrow("field 'findings[0]' must be a finding");
    expect(parseExploreDoc(JSON.stringify(shard('1/2')), 'x.json')).toEqual(shard('1/2'));
  });
});
