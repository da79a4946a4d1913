/**
 * Swarm testing (Groce et al., ISSTA 2012; TigerBeetle's VOPR): each schedule
 * also draws the configuration it runs, so one exploration covers many pool,
 * pipe and ring sizes instead of the one a person thought of.
 *
 * Every int parameter the variant uses that declares a `swarm` range is drawn
 * uniformly from it, from a stream derived from the schedule's seed; values
 * fixed with `--set` are kept. Every swarmable parameter is drawn, fixed or
 * not, in the variant's `uses` order, so fixing one parameter does not change
 * what the others draw for the same seed.
 */
import { Prng } from '../kernel/prng.js';
import type { ParamValue, Scenario } from '../scenario/scenario.js';

/** The parameters swarm draws for this variant (those it uses with a `swarm` range), in draw order. */
export function swarmable(scenario: Scenario, variant: string): string[] {
  return scenario.variants[variant].uses.filter((name) => {
    const spec = scenario.params[name];
    return spec.type === 'int' && spec.swarm !== undefined;
  });
}

/** The overrides for schedule `seed`: drawn values, then the fixed ones on top (resolveParams checks them all). */
export function swarmOverrides(scenario: Scenario, variant: string, fixed: Readonly<Record<string, ParamValue>>, seed: number): Record<string, ParamValue> {
  const rng = new Prng(seed).fork('swarm');
  const out: Record<string, ParamValue> = {};
  for (const name of swarmable(scenario, variant)) {
    const spec = scenario.params[name];
    if (spec.type !== 'int' || !spec.swarm) continue;
    const [lo, hi] = spec.swarm;
    out[name] = lo + rng.int(hi - lo + 1);
  }
  return { ...out, ...fixed };
}
