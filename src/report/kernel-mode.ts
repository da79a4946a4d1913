/**
 * The kernel a witness ran on, in one line ("under non-preemptive netbsd
 * (HZ 100)"): every story and explore result states it, since the same
 * schedule means something else under another personality.
 */
import { personalityOf, personalityText, type KernelSpec } from '../kernel/personality.js';
import type { RunResult } from '../kernel/run-result.js';
import type { Params, Scenario } from '../scenario/scenario.js';
import { resolveParams } from '../scenario/params.js';

/** `under non-preemptive netbsd (HZ 100)`, from a run's result. */
export function kernelMode(k: RunResult['kernel']): string {
  return `under ${personalityText({ name: k.personality, hz: k.hz, preemption: k.preemption })}`;
}

/** The same for a variant and its parameters (the others at their defaults), from the system it builds. */
export function variantKernelMode(scenario: Scenario, variant: string, params: Params): string {
  const spec: KernelSpec | undefined = scenario.build(variant, resolveParams(scenario, variant, params)).kernel;
  const p = personalityOf(spec);
  return kernelMode({ personality: p.name, hz: p.hz, preemption: p.preemption });
}
