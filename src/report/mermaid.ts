/**
 * Mermaid `stateDiagram-v2` export of a layer machine, for reports and docs.
 *
 * Built from the `StateNode` tree rather than `toDirectedGraph` (xstate/graph),
 * which leaves out eventless `always` transitions and labels delayed and done
 * edges with xstate's internal event names.
 *
 * Layout rules forced by Mermaid's state grammar (checked against the
 * mermaid 11.17 parser):
 * - Every state is declared once, inside its parent's block, and every
 *   transition is written at top level after the tree. Mermaid moves a state
 *   into the *last* composite block that mentions it (mermaid-js/mermaid#5290),
 *   so an edge written inside a block would drag a state from another level
 *   into that block.
 * - The machine itself is the outermost composite state, so transitions on the
 *   root (`on` of the machine, wildcard handlers) have a box to start from, and
 *   a parallel root has a block to hold its `--` separators.
 * - `;` ends a statement even inside a label and `<...>` is dropped as HTML,
 *   so label text is entity-encoded.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { stateNodesUnder } from './state-nodes.js';

/** Tags drawn as a fill colour; other tags are not shown. */
const TAG_STYLES: Readonly<Record<string, string>> = {
  blocked: 'fill:#fdd,stroke:#c33',
  idle: 'fill:#dfd',
};

/**
 * Words the state grammar reads as keywords, case-insensitively, so they cannot
 * be state ids (found by feeding each word to the mermaid 11.17 parser).
 */
const MERMAID_KEYWORDS = new Set([
  'accdescr', 'acctitle', 'as', 'class', 'classdef', 'click', 'default',
  'note', 'scale', 'statediagram', 'style',
]);

/** The machine as a Mermaid `stateDiagram-v2`, one statement a line, in document order. */
export function toMermaid(machine: AnyStateMachine): string {
  const nodes = stateNodesUnder(machine.root);
  const ids = mermaidIds(machine, nodes);
  const idOf = (node: AnyStateNode): string => ids.get(node)!;

  const lines = ['stateDiagram-v2'];
  declareState(machine.root, 1, idOf, lines);

  for (const node of nodes) {
    // `transitions` holds `on`, `onDone`, invoke results and `after`, keyed by
    // event descriptor (formatTransitions, packages/core/src/stateUtils.ts);
    // `always` is kept apart under the empty event (StateNode._initialize,
    // packages/core/src/StateNode.ts).
    for (const transition of [...node.transitions.values()].flat()) {
      lines.push(...edges(transition, eventLabel(transition), idOf));
    }
    for (const transition of node.always ?? []) {
      lines.push(...edges(transition, 'always', idOf));
    }
  }

  for (const [tag, style] of Object.entries(TAG_STYLES)) {
    const tagged = nodes.filter((node) => node.tags.includes(tag));
    if (tagged.length > 0) {
      lines.push(`  classDef ${tag} ${style}`, `  class ${tagged.map(idOf).join(',')} ${tag}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * Each state's key as its id where that key is unique in the machine, else its
 * path from the machine joined by `_` (`ubd_io_done`); labels stay the keys.
 */
function mermaidIds(machine: AnyStateMachine, nodes: AnyStateNode[]): Map<AnyStateNode, string> {
  const short = nodes.map((node) => toMermaidId(node.key)); // the root's key is machine.id
  const uses = new Map<string, number>();
  for (const id of short) uses.set(id, (uses.get(id) ?? 0) + 1);
  const wanted = nodes.map((node, i) =>
    uses.get(short[i]!) === 1 ? short[i]! : toMermaidId([machine.id, ...node.path].join('_')),
  );

  // Sanitising can still collide (`a-b` beside `a_b`, a key spelled like
  // another state's path), and Mermaid names the `[*]` of a block
  // `<blockId>_start` / `<blockId>_end` among the states (so a state `bio_end`
  // would merge with the end of block `bio`): later states get a numbered id.
  const wantedSet = new Set(wanted);
  const taken = new Set<string>();
  const ids = new Map<AnyStateNode, string>();
  nodes.forEach((node, i) => {
    const block = Object.keys(node.states).length > 0;
    const free = (id: string): boolean =>
      !taken.has(id) &&
      (id === wanted[i] || !wantedSet.has(id)) &&
      (!block || (!taken.has(`${id}_start`) && !taken.has(`${id}_end`)));
    let id = wanted[i]!;
    for (let n = 2; !free(id); n++) id = `${wanted[i]}_${n}`;
    taken.add(id);
    if (block) taken.add(`${id}_start`).add(`${id}_end`);
    ids.set(node, id);
  });
  return ids;
}

function toMermaidId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_') || '_';
  return MERMAID_KEYWORDS.has(id.toLowerCase()) ? `${id}_` : id;
}

/** `state "label" as id`, with a `{ ... }` block holding the children of a compound or parallel state. */
function declareState(
  node: AnyStateNode,
  depth: number,
  idOf: (node: AnyStateNode) => string,
  lines: string[],
): void {
  const pad = '  '.repeat(depth);
  const head = `${pad}state "${escapeText(stateLabel(node))}" as ${idOf(node)}`;
  const children = Object.values(node.states);
  if (children.length === 0) {
    lines.push(head);
    return;
  }
  lines.push(`${head} {`);
  if (node.type === 'compound') {
    lines.push(`${pad}  [*] --> ${idOf(node.initial.target[0]!)}`);
  }
  children.forEach((child, i) => {
    // Regions of a parallel state are Mermaid's concurrent sections.
    if (node.type === 'parallel' && i > 0) lines.push(`${pad}  --`);
    declareState(child, depth + 1, idOf, lines);
  });
  if (node.type === 'compound') {
    for (const child of children.filter((c) => c.type === 'final')) {
      lines.push(`${pad}  ${idOf(child)} --> [*]`);
    }
  }
  lines.push(`${pad}}`);
}

function stateLabel(node: AnyStateNode): string {
  if (node.type !== 'history') return node.key;
  return `${node.key} (${node.history === 'deep' ? 'H*' : 'H'})`;
}

/** One line per target; a targetless transition (actions only) is a self-loop. */
function edges(
  transition: AnyTransitionDefinition,
  event: string,
  idOf: (node: AnyStateNode) => string,
): string[] {
  const label = transition.guard === undefined ? event : `${event} [${guardLabel(transition.guard)}]`;
  const targets = transition.target?.length ? transition.target : [transition.source];
  return targets.map((target) => `  ${idOf(transition.source)} --> ${idOf(target)} : ${escapeText(label)}`);
}

/** The event as a reader would say it: `SUBMIT`, `*`, `after 5`, `done`. */
function eventLabel(transition: AnyTransitionDefinition): string {
  const type = transition.eventType;
  if (type.startsWith('xstate.after.')) {
    // Delayed transitions carry the `after` key they came from, a number of ms
    // or a named delay (getDelayedTransitions, packages/core/src/stateUtils.ts).
    return `after ${String((transition as AnyTransitionDefinition & { delay: unknown }).delay)}`;
  }
  if (type.startsWith('xstate.done.state.')) return 'done';
  // Invoke results: `xstate.done.actor.<invokeId>` -> `done.actor <invokeId>`.
  for (const kind of ['done.actor', 'error.actor', 'snapshot']) {
    if (type.startsWith(`xstate.${kind}.`)) return `${kind} ${type.slice(`xstate.${kind}.`.length)}`;
  }
  if (type === 'xstate.route') return 'route';
  return type;
}

/**
 * A guard's name: `poolHasFree` for `'poolHasFree'` or `{ type: 'poolHasFree' }`,
 * `guard` for an inline function, and the combinators spelled out.
 */
function guardLabel(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    // and/or/not/stateIn are functions carrying their operands as properties
    // (packages/core/src/guards.ts); the function itself is never called.
    const { guards, stateValue } = guard as { guards?: unknown[]; stateValue?: unknown };
    if (guards && guard.name === 'and') return guards.map(operandLabel).join(' && ');
    if (guards && guard.name === 'or') return guards.map(operandLabel).join(' || ');
    if (guards && guard.name === 'not') return `!${operandLabel(guards[0])}`;
    if (stateValue !== undefined) {
      return `in ${typeof stateValue === 'string' ? stateValue : JSON.stringify(stateValue)}`;
    }
    // An arrow written as `guard: () => ...` is named `guard` by JavaScript.
    return guard.name || 'guard';
  }
  return (guard as { type: string }).type;
}

function operandLabel(guard: unknown): string {
  const combined = typeof guard === 'function' && (guard.name === 'and' || guard.name === 'or');
  return combined ? `(${guardLabel(guard)})` : guardLabel(guard);
}

/** Mermaid entity codes for the characters that would end a statement or be read as HTML. */
function escapeText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[;<>"]/g, (c) => `#${c.charCodeAt(0)};`);
}
