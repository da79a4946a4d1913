/**
 * The "bare loop" reference: the same XState transitions biostack performed,
 * replayed with nothing around them. It takes the delivery log of a biostack
 * run (which context got which event, in order) and feeds it straight to
 * `machine.transition(snapshot, event, scope)`: one reused scope per machine
 * (as MachineHost builds it) whose actionExecutor drops every action, a plain
 * array as the queue, no checks, no trace, no effects performed.
 *
 * biostack / bare is therefore the kernel's overhead per delivery: choosing,
 * performing effects, resources, timers, checks, recording.
 */
import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import type { Delivery, SystemSpec } from '../src/index.js';

export interface BarePlan {
  readonly machines: readonly AnyStateMachine[];
  readonly scopes: readonly AnyActorScope[];
  readonly inputs: readonly unknown[];
}

/** Scopes are built once per machine, outside any timing, as MachineHost caches them per process. */
export function planBare(system: SystemSpec): BarePlan {
  const byMachine = new Map<AnyStateMachine, AnyActorScope>();
  const scopes = system.contexts.map(({ machine }) => {
    let scope = byMachine.get(machine);
    if (!scope) {
      const inert = createActor(machine); // supplies self/system; never started
      scope = {
        self: inert,
        id: machine.id,
        sessionId: machine.id,
        logger: () => {},
        defer: () => {},
        system: inert.system,
        stopChild: () => {},
        emit: () => {},
        actionExecutor: () => {},
      } as unknown as AnyActorScope;
      byMachine.set(machine, scope);
    }
    return scope;
  });
  return { machines: system.contexts.map((c) => c.machine), scopes, inputs: system.contexts.map((c) => c.input) };
}

export function initialSnapshots(plan: BarePlan): AnyMachineSnapshot[] {
  return plan.machines.map((m, i) => m.getInitialSnapshot(plan.scopes[i], plan.inputs[i]) as AnyMachineSnapshot);
}

/**
 * A delivery log stored compactly: per delivery, the context, an event
 * template, and (for `get.ok`) the index of the item it carries.
 *
 * Why: keeping the kernel's 2.4 M logged event objects alive (~300 MB of heap
 * at N = 200,000) made every XState transition ~30 % slower in this process,
 * which would flatter biostack. Stored like this the log is ~30 MB, and the
 * replay rebuilds each `get.ok` as a fresh object of the kernel's own shape,
 * as the kernel does when it replies. Events without an item (`put.ok`, timer
 * events) are shared, which is safe: XState never mutates an event.
 */
export interface BareLog {
  readonly length: number;
  readonly ctxs: Uint8Array;
  readonly templates: Uint32Array;
  /** Index into `itemTable`, or -1: deliver the template itself. */
  readonly items: Int32Array;
  readonly templateTable: readonly EventObject[];
  readonly itemTable: readonly unknown[];
}

export function compactLog(log: readonly Delivery[]): BareLog {
  const n = log.length;
  const ctxs = new Uint8Array(n), templates = new Uint32Array(n), items = new Int32Array(n);
  const templateTable: EventObject[] = [], itemTable: unknown[] = [];
  const templateIndex = new Map<string, number>(), itemIndex = new Map<unknown, number>();
  const intern = <K>(index: Map<K, number>, table: unknown[], key: K, value: unknown): number => {
    let i = index.get(key);
    if (i === undefined) {
      i = table.push(value) - 1;
      index.set(key, i);
    }
    return i;
  };
  for (let i = 0; i < n; i++) {
    const { ctx, event } = log[i];
    ctxs[i] = ctx;
    const e = event as EventObject & { chan?: unknown; item?: unknown };
    const keys = Object.keys(e).join(',');
    if (keys === 'type,chan,item' && typeof e.chan === 'string') {
      templates[i] = intern(templateIndex, templateTable, `${e.type}|${e.chan}`, { type: e.type, chan: e.chan });
      items[i] = intern(itemIndex, itemTable, e.item, e.item);
    } else {
      const flat = Object.values(e).every((v) => v === null || typeof v !== 'object');
      // Anything else with only primitive fields is shared by value; the rest is kept as logged.
      templates[i] = flat ? intern(templateIndex, templateTable, JSON.stringify(e), e) : templateTable.push(e) - 1;
      items[i] = -1;
    }
  }
  return { length: n, ctxs, templates, items, templateTable, itemTable };
}

/** Replays `log` onto `snaps` in place; returns the number of transitions. */
export function replayBare(plan: BarePlan, snaps: AnyMachineSnapshot[], log: BareLog): number {
  const { machines, scopes } = plan;
  const { ctxs, templates, items, templateTable, itemTable } = log;
  for (let i = 0; i < log.length; i++) {
    const c = ctxs[i];
    const t = templateTable[templates[i]] as EventObject & { chan: string };
    const it = items[i];
    const event = it < 0 ? t : { type: t.type, chan: t.chan, item: itemTable[it] };
    snaps[c] = machines[c].transition(snaps[c], event, scopes[c]) as AnyMachineSnapshot;
  }
  return log.length;
}
