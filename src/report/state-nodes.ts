/**
 * Document-order walk of a machine's state tree, shared by the exporters.
 */
import type { AnyStateNode } from 'xstate';

/**
 * `node` and every state below it, parents before children, siblings in the
 * order their keys appear in the config (`StateNode.states` is built with
 * `mapValues` over the config, packages/core/src/StateNode.ts).
 */
export function stateNodesUnder(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap(stateNodesUnder)];
}
