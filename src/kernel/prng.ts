/**
 * Seeded pseudo-random numbers for everything that must be reproducible:
 * strategy choices, swarm parameters, fault injection. xoshiro128** seeded
 * through splitmix32 (so seeds 1, 2, 3 give unrelated streams).
 *
 * Simulation code must never call Math.random: the same seed must give the
 * same trace, in this process and in any other.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    let s = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
    const next = (): number => {
      // splitmix32
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * The position in the stream: its four state words, plain data, so a
   * checkpoint (a page allocator's saved state) can hold it.
   */
  save(): PrngState {
    return [this.a, this.b, this.c, this.d];
  }

  /** Go back to a position `save` returned: the numbers that follow are the same as they were then. */
  restore(state: readonly number[]): void {
    // Words are kept exactly as saved (some are signed after `^=`): `fork` labels by them.
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w))) {
      throw new Error(`prng: a saved state is four 32-bit words, got [${state.join(', ')}]`);
    }
    [this.a, this.b, this.c, this.d] = state;
  }

  /** An independent stream for a named purpose (a fault point, the swarm), stable across code changes elsewhere. */
  fork(label: string): Prng {
    return new Prng(`${this.a}:${this.b}:${this.c}:${this.d}:${label}`);
  }
}

/** A Prng's position: the xoshiro128** state words a, b, c, d. */
export type PrngState = readonly [number, number, number, number];

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** FNV-1a over UTF-16 code units: stable string hash for seeds and fingerprints. */
export function hashString(text: string, h = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
