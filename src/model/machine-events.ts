/**
 * The kernel's events as one machine sees them, with the payloads typed.
 *
 * The kernel delivers `get.ok` with `item: unknown` and `call.return` with
 * `output: unknown`: it moves items between machines without knowing what
 * they are. What a machine's channels carry and what its callees return is
 * part of that machine's protocol, so the machine says it once, in its
 * setup types, instead of casting at every use:
 *
 *   types: layerTypes<{ context: UbdContext; input: UbdInput; events: KernelEventOf<UbdRequest> }>(),
 *   ...
 *   rememberRequest: assign({ current: ({ event }) => itemOf(event) }),
 *
 * This is a declaration, like a machine's `input` type, not a check of the
 * item's shape: the runtime check `itemOf` makes is that the event *is* a
 * `get.ok` (an action wired to the wrong transition throws a clear Error
 * instead of reading a field that is not there).
 */
import type { KernelEvent } from './effects.js';

/** KernelEvent with `get.ok`'s item typed `Item` and `call.return`'s output typed `Output`. */
export type KernelEventOf<Item = unknown, Output = unknown> =
  | Exclude<KernelEvent, { type: 'get.ok' | 'call.return' }>
  | { type: 'get.ok'; chan: string; item: Item }
  | { type: 'call.return'; machine: string; output: Output };

/** The item of a `get.ok` reply, typed as the machine's events declare it; throws on any other event. */
export function itemOf<Item>(event: KernelEventOf<Item, unknown>): Item {
  if (event.type !== 'get.ok') throw new Error(`itemOf: expected a 'get.ok' reply, got '${event.type}' (an action reading an item belongs on a get.ok transition)`);
  return event.item;
}

/** The output of a `call.return` (the callee's final output), typed as the machine's events declare it; throws on any other event. */
export function outputOf<Output>(event: KernelEventOf<unknown, Output>): Output {
  if (event.type !== 'call.return') throw new Error(`outputOf: expected a 'call.return', got '${event.type}' (an action reading a callee's output belongs on a call.return transition)`);
  return event.output;
}
