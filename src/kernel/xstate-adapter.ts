/**
 * How the kernel runs a machine's pure transition with a reused actor scope.
 * The shapes of the action objects it returns are read by
 * src/model/actions.ts (`splitActions`), which machine tests use too.
 *
 * Why not `transition()` from 'xstate': it builds a throw-away actor per call
 * (~10x slower, XSTATE-NOTES.md §2). We call `machine.transition(snapshot,
 * event, scope)` with one scope per machine whose `actionExecutor` collects the
 * actions instead of running them.
 */
import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { splitActions, type ActionObject, type TimerRequest } from '../model/actions.js';
import type { Effect } from '../model/effects.js';

export type { TimerRequest };

/** What one transition produced, in emission order. */
export interface MachineStep {
  readonly snapshot: AnyMachineSnapshot;
  readonly effects: Effect[];
  readonly timers: TimerRequest[];
  /** Ids of timers to cancel (leaving a state with `after`, or `cancel(id)`). */
  readonly cancels: string[];
}

const hosts = new WeakMap<AnyStateMachine, MachineHost>();

/**
 * Runs one machine's pure transitions. Snapshots are values and the host
 * keeps no state between calls, so one host per machine serves every frame
 * and every simulation in the process (creating the inert actor costs ~25 µs).
 */
export class MachineHost {
  /** The shared host of `machine`. */
  static for(machine: AnyStateMachine): MachineHost {
    let h = hosts.get(machine);
    if (!h) {
      h = new MachineHost(machine);
      hosts.set(machine, h);
    }
    return h;
  }

  private collected: ActionObject[] = [];
  private scope: AnyActorScope | undefined;

  private constructor(readonly machine: AnyStateMachine) {}

  /**
   * The reused scope. Its inert actor supplies `self` and `system`
   * (inspection hooks, ids) and is never started. It is made on the first
   * `initial(input)` with that real input: `createActor` eagerly computes an
   * initial snapshot, and a machine whose context and delays come from its
   * input may loop forever without one (an undefined delay makes XState raise
   * the `after` event at once, again and again).
   */
  private scopeFor(input: unknown): AnyActorScope {
    if (this.scope) return this.scope;
    const inert = createActor(this.machine, { input });
    this.scope = {
      self: inert,
      id: this.machine.id,
      sessionId: this.machine.id,
      logger: () => {},
      defer: () => {},
      system: inert.system,
      stopChild: () => {},
      emit: () => {},
      actionExecutor: (action: ActionObject) => {
        this.collected.push(action);
      },
    } as unknown as AnyActorScope;
    return this.scope;
  }

  /** Initial snapshot and the entry actions of the initial states. */
  initial(input: unknown): MachineStep {
    this.collected = [];
    const snapshot = this.machine.getInitialSnapshot(this.scopeFor(input), input) as AnyMachineSnapshot;
    return this.split(snapshot);
  }

  transition(snapshot: AnyMachineSnapshot, event: EventObject): MachineStep {
    this.collected = [];
    const next = this.machine.transition(snapshot, event, this.scope!) as AnyMachineSnapshot;
    return this.split(next);
  }

  private split(snapshot: AnyMachineSnapshot): MachineStep {
    // XState turns an error thrown by a context factory, a guard or an action into
    // an `error` snapshot instead of throwing: surface it, or the machine would
    // sit silently in a state it never entered properly.
    if (snapshot.status === 'error') {
      const err = (snapshot as { error?: unknown }).error;
      throw new Error(`machine '${this.machine.id}' failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const { effects, timers, cancels, refused } = splitActions(this.collected);
    this.collected = [];
    if (refused !== undefined) {
      throw new Error(`machine '${this.machine.id}' used ${refused}: layer machines must not address other actors; emit an effect (put, ioSubmit, ...) instead`);
    }
    return { snapshot, effects, timers, cancels };
  }
}

/** Text of a snapshot's state value: `idle`, or `{"io":"seeking"}` for nested states. */
export function stateText(snapshot: AnyMachineSnapshot): string {
  const v = snapshot.value;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** True when the machine reached a top-level final state (a frame returns). */
export function isDone(snapshot: AnyMachineSnapshot): boolean {
  return snapshot.status === 'done';
}

/** The output of a finished machine (`call.return`'s payload). */
export function outputOf(snapshot: AnyMachineSnapshot): unknown {
  return snapshot.output;
}
