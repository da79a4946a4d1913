/**
 * The `types` of a layer machine's `setup()`: its context, input and events
 * as the machine declares them, and `emitted: Effect` always, so a machine
 * cannot emit anything outside the vocabulary.
 *
 *   setup({ types: layerTypes<{ context: UbdContext; input: UbdInput; events: KernelEventOf<UbdRequest> }>(), ... })
 *
 * XState reads `types` at the type level only: the object is never looked at
 * at run time. The one cast below builds that phantom, here, instead of an
 * `{} as { ... }` in every machine.
 */
import type { Effect } from './effects.js';

/** What a machine declares: `output` only for machines that return one (callees). */
export interface LayerTypeArgs {
  readonly context: object;
  readonly input?: unknown;
  readonly events: { readonly type: string };
  readonly output?: unknown;
}

export type LayerTypes<T extends LayerTypeArgs> = T & { readonly emitted: Effect };

export function layerTypes<T extends LayerTypeArgs>(): LayerTypes<T> {
  // A phantom for XState's type inference (never read at run time), so there is no value to build.
  return {} as LayerTypes<T>;
}
