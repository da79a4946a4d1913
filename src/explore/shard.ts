/**
 * Deterministic sharding of the seed space 1..N, so an exploration can be
 * split across machines: shard i of n (1-based) takes the seeds s with
 * (s - 1) % n === i - 1. Shards are disjoint and together are the whole
 * space; `biostack merge` puts their outputs back together.
 */
import { InputError } from '../input-error.js';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** `--shard i/n`. */
export function parseShard(raw: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new InputError(`--shard must be i/n with 1 <= i <= n (shard i of n, 1-based), got '${raw}'`);
  }
  return { index, count };
}

/** The seeds of `shard` (all of 1..schedules without one), ascending. */
export function shardSeeds(schedules: number, shard?: Shard): number[] {
  const seeds: number[] = [];
  const first = shard ? shard.index : 1;
  const stride = shard ? shard.count : 1;
  for (let s = first; s <= schedules; s += stride) seeds.push(s);
  return seeds;
}

/**
 * The shards an output covers, as text: `2/4`, or after a merge `1,3/4`;
 * null when it covers every seed (unsharded, or every shard merged).
 */
export function shardsText(indices: readonly number[], count: number): string | null {
  const sorted = [...indices].sort((a, b) => a - b);
  if (sorted.length === count) return null;
  return `${sorted.join(',')}/${count}`;
}

/** Inverse of shardsText: null is every seed (one shard of one). */
export function parseShardsText(text: string | null): { readonly indices: number[]; readonly count: number } | undefined {
  if (text === null) return { indices: [1], count: 1 };
  const m = /^(\d+(?:,\d+)*)\/(\d+)$/.exec(text);
  if (!m) return undefined;
  const count = Number(m[2]);
  const indices = m[1].split(',').map(Number);
  if (count < 1 || indices.some((i) => i < 1 || i > count) || new Set(indices).size !== indices.length) return undefined;
  return { indices, count };
}
