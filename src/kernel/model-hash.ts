import type { AnyStateMachine } from 'xstate';
import type { SystemSpec } from './system.js';
import { hashString } from './prng.js';

/**
 * A fingerprint of the model a run executed: every machine's definition and
 * the source of its guards, actions and delays, plus the system's resources,
 * contexts and faults. A schedule recorded against one model hash is only
 * guaranteed to replay against the same hash.
 */
const machineTexts = new WeakMap<AnyStateMachine, string>();

function machineText(m: AnyStateMachine): string {
  let t = machineTexts.get(m);
  if (t === undefined) {
    t = `${m.id}:${hashString(JSON.stringify(m.config, fnSource))}:${hashString(JSON.stringify(m.implementations, fnSource))}`;
    machineTexts.set(m, t);
  }
  return t;
}

export function modelHash(system: SystemSpec): string {
  const text = JSON.stringify({
    cpus: system.cpus,
    contexts: system.contexts.map((c) => ({ ...c, machine: machineText(c.machine) })),
    resources: system.resources,
    callable: Object.fromEntries(Object.entries(system.callable ?? {}).map(([k, m]) => [k, machineText(m)])),
    faults: system.faults ?? [],
    // Plug-in kinds change the model: their code is part of it (absent for built-in-only systems, so their hashes stay).
    ...(system.kinds?.length || system.families?.length ? { plugins: JSON.stringify([system.kinds ?? [], system.families ?? []], fnSource) } : {}),
  });
  return (hashString(text) >>> 0).toString(16).padStart(8, '0') + (hashString(text, 0x1234567) >>> 0).toString(16).padStart(8, '0');
}

function fnSource(_key: string, value: unknown): unknown {
  return typeof value === 'function' ? `fn:${value.toString()}` : value;
}
