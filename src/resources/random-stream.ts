/**
 * A seeded stream of numbers in [0, 1) whose position can be saved and
 * restored as plain data. The page allocator draws its probabilistic
 * failures from one; to checkpoint an allocator, the position in that stream
 * is part of its state. The kernel's `Prng` is one (resources may not import
 * the kernel, so the shape is declared here and matched structurally).
 */

/** A stream's position: its generator's state words. */
export type RandomStreamState = readonly number[];

export interface RandomStream {
  /** Next number, uniform in [0, 1). */
  next(): number;
  /** The position now; `restore` of it makes the stream repeat what followed. */
  save(): RandomStreamState;
  restore(state: RandomStreamState): void;
}
