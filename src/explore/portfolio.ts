/**
 * Which strategy explores schedule seed s. `random` and `pct` use the same
 * one for every seed; the **portfolio** rotates four, so one exploration
 * covers both shallow-random and priority-based schedules without betting on
 * either (PEERS.md §5.3):
 *
 *   seed s  ->  PORTFOLIO[(s - 1) % 4]:  random, pct d=2, pct d=3, pct d=5
 *
 * Rotating by seed (rather than drawing) keeps each schedule a function of its
 * seed alone, so shards and workers see the same schedule for the same seed.
 */
import { DEFAULT_PCT_DEPTH } from '../kernel/strategy.js';
import type { RunInputs } from '../report/run-json.js';

/** Strategies an exploration can run seed by seed (`fifo` has only one schedule; tests use it). */
export const SEED_STRATEGIES = ['random', 'pct', 'portfolio'] as const;
export type SeedStrategy = (typeof SEED_STRATEGIES)[number] | 'fifo';

/** The rotation of `portfolio`, in seed order. */
export const PORTFOLIO: readonly Omit<RunInputs, 'seed'>[] = [
  { strategy: 'random' },
  { strategy: 'pct', pctDepth: 2 },
  { strategy: 'pct', pctDepth: 3 },
  { strategy: 'pct', pctDepth: 5 },
];

/** The run inputs of schedule `seed` under `strategy` (`pctDepth` is pct's; the portfolio has its own). */
export function strategyForSeed(strategy: SeedStrategy, seed: number, pctDepth = DEFAULT_PCT_DEPTH): RunInputs {
  switch (strategy) {
    case 'fifo':
    case 'random':
      return { seed, strategy };
    case 'pct':
      return { seed, strategy, pctDepth };
    case 'portfolio':
      return { seed, ...PORTFOLIO[(seed - 1) % PORTFOLIO.length] };
  }
}

/** `random`, `pct d=2`: how a finding's schedule was made, in words. */
export function inputsText(inputs: Omit<RunInputs, 'seed'>): string {
  return inputs.strategy === 'pct' ? `pct d=${inputs.pctDepth}` : inputs.strategy;
}
