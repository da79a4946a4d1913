/**
 * The 5-stage pipeline of /work/shared/peers/README.md §1: its constants, its
 * random streams and what every implementation must agree on (the
 * cross-check). Shared by the biostack machines, the inline floor and the test.
 *
 * The constants and xs32 are copied from /work/shared/peers/common.ts, our own
 * reference program: the peers (SimPy, inline TS) and this model must draw the
 * same streams, or the ratios compare different work.
 */
// ---- copied from peers/common.ts ------------------------------------------------------
export const NSTAGES = 5;
export const CAP = 8;
export const BASE = [2, 3, 4, 3, 2];
export const SEEDS = [11, 22, 33, 44, 55, 66]; // stages 0..4, source = 5
export const SRC = 5;
export const M32 = 4294967296;

export function xs32(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}
// ---------------------------------------------------------------------------------------

/** Values every correct implementation reproduces (peers/README.md §1). */
export const CROSS_CHECK: Readonly<Record<number, { readonly finalT: number; readonly checksum: number }>> = {
  20_000: { finalT: 100_017, checksum: 4_002_342_224 },
  200_000: { finalT: 1_000_961, checksum: 888_285_638 },
};

/** What a bio carries through the stages: its canonical id, and k for the checksum. */
export interface PipelineItem {
  readonly bio: string;
  readonly k: number;
}

export const inbox = (i: number): string => `inbox${i}`;
