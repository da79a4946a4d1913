/**
 * Snapshots of a run: the canonical fingerprint that exhaustive search
 * hashes, and an independent copy of the world for explorers that branch.
 */
import type { World } from './world.js';

/**
 * Canonical text of the whole simulated state (machines' state values and
 * contexts, queues, blocked operations, CPUs, resources, timers relative to
 * now, open bios). Two states with equal fingerprints have the same futures.
 * Step counts, metrics and pending-order numbers are not part of it.
 */
export function fingerprint(w: World): string {
  const parts: string[] = [];
  for (const c of w.contexts) {
    const frames = c.frames
      .map((f) => `${f.host.machine.id}:${JSON.stringify(f.snapshot.value)}:${JSON.stringify(f.snapshot.context)}:${JSON.stringify(f.callerRest)}`)
      .join('/');
    const b = c.blocked;
    const blocked = b ? `${b.resource.name}.${b.op}${b.deadline === undefined ? '' : `@${b.deadline - w.clock.now}`}` : '';
    const flags = `${c.irqActive ? 1 : 0}${c.irqRaised ? 1 : 0}${c.exited ? 1 : 0}`;
    parts.push(`${c.name}|${frames}|${JSON.stringify(c.replies.map((r) => r.event))}|${JSON.stringify(c.effects)}|${blocked}|${flags}|${c.mailboxSeqs.length}`);
  }
  for (const cpu of w.cpus.values()) parts.push(`cpu ${cpu.name}:${cpu.fingerprint()}`);
  for (const r of w.resources.values()) parts.push(r.fingerprint());
  parts.push(`timers:${w.timers.fingerprint(w.clock.now)}`);
  parts.push(`open:${w.ledger.stuck().join(',')}`);
  return parts.join('\n');
}

/**
 * An independent copy of the world: stepping one never changes the other,
 * and the copy continues exactly as the original would. Everything a run
 * mutates is copied; what it only reads is shared: the system and its
 * machines and specs, the dispatch table, the machine hosts, and XState
 * snapshots, which are immutable values.
 *
 * The copy is structural (copyGraph below), not yet each resource's own
 * save/restore: it keeps shared references shared and prototypes intact.
 */
export function cloneWorld(w: World): World {
  const shared = new Map<object, unknown>();
  const share = (o: object): void => void shared.set(o, o);
  share(w.system);
  share(w.table);
  for (const s of w.system.resources) share(s);
  for (const spec of w.system.contexts) share(spec.machine);
  for (const m of Object.values(w.system.callable ?? {})) share(m);
  for (const c of w.contexts) {
    for (const f of c.frames) {
      share(f.snapshot);
      share(f.host);
    }
  }
  return copyGraph(w, shared) as World;
}

/**
 * Deep copy of an object graph that keeps its shape: shared references stay
 * shared (`memo` maps each original to its copy, and starts with the objects
 * to share as themselves), class instances keep their prototype, arrays, maps
 * and sets are rebuilt. Frozen objects are immutable and shared as they are.
 */
function copyGraph(v: unknown, memo: Map<object, unknown>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const known = memo.get(v);
  if (known !== undefined) return known;
  if (Object.isFrozen(v)) return v;
  if (Array.isArray(v)) {
    const a: unknown[] = new Array(v.length);
    memo.set(v, a);
    for (let i = 0; i < v.length; i++) a[i] = copyGraph(v[i], memo);
    return a;
  }
  if (v instanceof Map) {
    const m = new Map();
    memo.set(v, m);
    for (const [k, x] of v) m.set(copyGraph(k, memo), copyGraph(x, memo));
    return m;
  }
  if (v instanceof Set) {
    const m = new Set();
    memo.set(v, m);
    for (const x of v) m.add(copyGraph(x, memo));
    return m;
  }
  const o = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
  memo.set(v, o);
  for (const k of Object.keys(v)) o[k] = copyGraph((v as Record<string, unknown>)[k], memo);
  return o;
}
