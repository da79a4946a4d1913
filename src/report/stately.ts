/**
 * JSON export of a machine for the Stately editor and visualizer, and a short
 * summary of its shape for listings and tests.
 *
 * `toStatelyJson` copies `machine.config`, the raw config, not
 * `machine.toJSON()`: the latter is the resolved `StateNode.definition` tree
 * (`#id` targets, `order`, `transitions`), which `createMachine` does not accept.
 * Pasted as `createMachine(<json>)` into Studio's "import from code", the copy
 * gives the same states and transitions, with guards and actions by name.
 */
import { StateMachine, type AnyStateMachine } from 'xstate';
import { stateNodesUnder } from './state-nodes.js';

/** A value `JSON.stringify` writes and `JSON.parse` gives back unchanged. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What `biostack machines` lists, and what tests compare between a machine and its export. */
export interface MachineSummary {
  /** `machine.id`. */
  id: string;
  /** Every state below the root as a dot path (`io.seek`), in document order. */
  states: string[];
  /** Event types the machine handles, sorted; xstate's own `xstate.*` events (after, done, invoke results) are left out. */
  events: string[];
  /** Tags of every tagged state, by dot path; the root's, if any, under `''`. */
  tags: Record<string, string[]>;
}

/**
 * `machine.config` as JSON, with `id` first. Named guards and actions stay as
 * written (`'poolHasFree'`, `{ type: 'emitBio', params }`); functions become
 * `{ type: <name> }`, `{ type: '<inline>' }` when anonymous; built-in actions
 * become `{ type: 'xstate.assign' }` and the like; guard combinators keep their
 * operands (`{ type: 'and', guards: [...] }`); invoked machines become their id.
 */
export function toStatelyJson(machine: AnyStateMachine): { id: string; [key: string]: Json } {
  const { id: _configId, ...rest } = machine.config as Record<string, unknown>;
  const ancestors = new Set<object>();

  function toJson(value: unknown, key: string | undefined, path: string): Json | undefined {
    switch (typeof value) {
      case 'undefined':
        return undefined;
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'bigint':
      case 'symbol':
        return String(value);
      case 'function':
        return functionToJson(value, key, path);
    }
    if (value === null) return null;
    const object = value as object;
    if (ancestors.has(object)) {
      throw new Error(
        `toStatelyJson(${machine.id}): the config refers back to itself at ${path}; ` +
          'a machine config must be a tree, so share values by copying them instead.',
      );
    }
    ancestors.add(object);
    try {
      if (Array.isArray(object)) {
        return object.map((item, i) => toJson(item, undefined, `${path}[${i}]`) ?? null);
      }
      const proto = Object.getPrototypeOf(object);
      if (proto === Object.prototype || proto === null) {
        return entriesToJson(object as Record<string, unknown>, path);
      }
      // Actor logic given directly as `invoke.src`; Stately expects a name there.
      if (object instanceof StateMachine) return object.id;
      if (typeof (object as { transition?: unknown }).transition === 'function') return '<inline>';
      return `<${proto?.constructor?.name ?? 'object'}>`;
    } finally {
      ancestors.delete(object);
    }
  }

  function entriesToJson(object: Record<string, unknown>, path: string): { [key: string]: Json } {
    const json: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(object)) {
      const converted = toJson(value, key, path ? `${path}.${key}` : key);
      if (converted !== undefined) json[key] = converted;
    }
    return json;
  }

  function functionToJson(fn: Function, key: string | undefined, path: string): Json {
    // Built-in actions (assign, raise, sendTo...) are functions with a `type`
    // such as 'xstate.assign' and a `resolve` step; xstate's own serializer
    // keeps only the type (toSerializableAction, packages/core/src/StateNode.ts).
    const builtIn = fn as Function & { type?: unknown; resolve?: unknown };
    if (typeof builtIn.resolve === 'function' && typeof builtIn.type === 'string') {
      return { type: builtIn.type };
    }
    // Guard combinators (and, or, not, stateIn) are functions whose operands
    // hang off them as properties beside `check` (packages/core/src/guards.ts).
    if ('check' in fn) {
      const { check: _check, ...operands } = fn as Function & Record<string, unknown>;
      return { type: fn.name, ...entriesToJson(operands, path) };
    }
    // JavaScript names an arrow after the property it is written in
    // (`guard: () => ...` is called `guard`), which says nothing about it.
    return { type: fn.name !== '' && fn.name !== key ? fn.name : '<inline>' };
  }

  return { id: machine.id, ...entriesToJson(rest, '') };
}

/** States, events and tags of a machine, read from its resolved state tree. */
export function machineSummary(machine: AnyStateMachine): MachineSummary {
  const nodes = stateNodesUnder(machine.root);
  const events = new Set<string>();
  const tags: Record<string, string[]> = {};
  for (const node of nodes) {
    for (const event of node.transitions.keys()) {
      if (!event.startsWith('xstate.')) events.add(event);
    }
    if (node.tags.length > 0) tags[node.path.join('.')] = [...node.tags];
  }
  return {
    id: machine.id,
    states: nodes.slice(1).map((node) => node.path.join('.')),
    events: [...events].sort(),
    tags,
  };
}
