/**
 * The dispatch table: effect type -> its one handler, resource kind name ->
 * its kind. Built from the built-in kinds and families plus whatever a
 * system brings (`SystemSpec.kinds`, `SystemSpec.families`), through the same
 * interface, so a scenario can add a resource kind without editing the kernel.
 */
import type { Resource, SimClock } from '../resources/resource.js';
import type { EffectFamily, EffectHandler, ResourceKind, ResourceSpecLike } from './protocol.js';
import { Prng } from './prng.js';
import { ModelError } from './model-error.js';

export interface DispatchTable {
  readonly handlers: ReadonlyMap<string, EffectHandler<never>>;
  readonly kinds: ReadonlyMap<string, ResourceKind>;
}

/** Index kinds and families; an effect type or kind served twice (by different code) is a model error. */
export function buildTable(kinds: readonly ResourceKind[], families: readonly EffectFamily[]): DispatchTable {
  const handlers = new Map<string, EffectHandler<never>>();
  const owner = new Map<string, string>();
  const kindMap = new Map<string, ResourceKind>();
  const add = (effects: Readonly<Record<string, EffectHandler<never>>> | undefined, by: string): void => {
    for (const [type, h] of Object.entries(effects ?? {})) {
      const had = handlers.get(type);
      // Kinds that share a family (channel and pipe) list the same handler object: that is one handler.
      if (had !== undefined && had !== h) throw new ModelError(`effect '${type}' is served by both ${owner.get(type)} and ${by}`);
      handlers.set(type, h);
      owner.set(type, by);
    }
  };
  for (const k of kinds) {
    if (kindMap.has(k.kind)) throw new ModelError(`resource kind '${k.kind}' is registered twice`);
    kindMap.set(k.kind, k as ResourceKind);
    add(k.effects, `resource kind '${k.kind}'`);
  }
  for (const f of families) add(f.effects, `effect family '${f.name}'`);
  return { handlers, kinds: kindMap };
}

/**
 * Instantiate a system's resources from their specs, in spec order (a
 * mempool's backing allocator must be declared before it). Each kind may draw
 * a seeded stream of its own, forked from the run seed by a key it chooses.
 */
export function createResources(
  specs: readonly ResourceSpecLike[],
  table: DispatchTable,
  clock: SimClock,
  seed: number,
  onCreate: (r: Resource, spec: ResourceSpecLike, kind: ResourceKind) => void,
): Map<string, Resource> {
  const out = new Map<string, Resource>();
  const root = new Prng(seed);
  const env = {
    clock,
    // The Prng itself, not a closure over it: a resource saves its position with its state.
    random: (key: string) => root.fork(key),
    declared: (name: string) => out.get(name),
  };
  for (const s of specs) {
    if (out.has(s.name)) throw new ModelError(`resource '${s.name}' is declared twice`);
    const kind = table.kinds.get(s.kind);
    if (!kind) throw new ModelError(`resource '${s.name}': unknown kind '${s.kind}' (known: ${[...table.kinds.keys()].join(', ')})`);
    const r = kind.create(s, env);
    out.set(s.name, r);
    onCreate(r, s, kind);
  }
  return out;
}
