/**
 * A tiny seeded xorshift32 for the conservation sweeps, so a failing op
 * sequence is the same on every run and can be replayed from its seed.
 */
export function xorshift(seed: number): () => number {
  // Scramble the seed: raw xorshift32 from a small seed starts with tiny
  // outputs, so seeds 1..50 would all begin with the same choices.
  let x = (Math.imul(seed, 0x9e3779b9) ^ 0x5bd1e995) >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  next();
  next();
  return next;
}

/** Uniform integer in [0, n). */
export function pick(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}
