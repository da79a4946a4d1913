import { describe, it, expect } from 'vitest';
import { parseShard, parseShardsText, shardSeeds, shardsText } from '../../src/explore/shard.js';

describe('sharding the seed space', () => {
  it('shard i of n takes the seeds s with (s - 1) % n = i - 1: disjoint, and together every seed once', () => {
    for (const schedules of [1, 7, 60, 101]) {
      for (const n of [1, 2, 3, 8]) {
        const shards = Array.from({ length: n }, (_, i) => shardSeeds(schedules, { index: i + 1, count: n }));
        shards.forEach((seeds, i) => expect(seeds.every((s) => (s - 1) % n === i)).toBe(true));
        const all = shards.flat().sort((a, b) => a - b);
        expect(all).toEqual(shardSeeds(schedules));
        expect(new Set(all).size).toBe(all.length);
      }
    }
  });

  it('--shard i/n is 1-based with 1 <= i <= n', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3', ' 1/2']) expect(() => parseShard(bad)).toThrow(`--shard must be i/n with 1 <= i <= n`);
  });

  it('a merged output names the shards it covers, and every shard is no shard at all', () => {
    expect(shardsText([3, 1], 4)).toBe('1,3/4');
    expect(shardsText([2, 1, 3], 3)).toBeNull();
    expect(parseShardsText('1,3/4')).toEqual({ indices: [1, 3], count: 4 });
    expect(parseShardsText(null)).toEqual({ indices: [1], count: 1 });
    for (const bad of ['0/2', '1,1/2', '3/2', 'x']) expect(parseShardsText(bad)).toBeUndefined();
  });
});
