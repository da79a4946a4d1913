/**
 * The shapes of XState v5's built-in action objects that matter to biostack
 * (`xstate.emit`, delayed `xstate.raise`, `xstate.cancel`), read in one place:
 * the kernel's adapter splits a transition's actions with `splitActions`, and
 * machine unit tests read them with `effectsOf` / `timersOf`. XState v6
 * changes these shapes; only this file should have to follow.
 *
 *   const [next, actions] = transition(ubd, snapshot, { type: 'down.ok' });
 *   expect(effectsOf(actions)).toEqual([{ type: 'spl', level: IPL_HIGH }, ...]);
 */
import type { Effect } from './effects.js';

/** An action object as XState's `transition` / `initialTransition` return them. */
export interface ActionObject {
  readonly type: string;
  readonly params?: unknown;
}

/** A delayed event the machine scheduled (`after`, or `raise(..., { delay })`). */
export interface TimerRequest {
  readonly id: string;
  readonly delay: number;
  readonly event: { readonly type: string };
}

/** A transition's actions, split into what the kernel acts on, in emission order. */
export interface SplitActions {
  readonly effects: Effect[];
  readonly timers: TimerRequest[];
  /** Ids of timers to cancel (leaving a state with `after`, or `cancel(id)`). */
  readonly cancels: string[];
  /** The first action that addresses another actor (`sendTo`, `sendParent`, `spawnChild`), refused by the kernel. */
  readonly refused?: string;
}

type Params = { event?: unknown; delay?: unknown; id?: unknown; sendId?: unknown } | undefined;

/** Split `actions` (see SplitActions); custom named actions are inert labels and are skipped. */
export function splitActions(actions: readonly ActionObject[]): SplitActions {
  const effects: Effect[] = [];
  const timers: TimerRequest[] = [];
  const cancels: string[] = [];
  let refused: string | undefined;
  for (const action of actions) {
    const p = action.params as Params;
    switch (action.type) {
      case 'xstate.emit':
        effects.push(p!.event as Effect);
        break;
      case 'xstate.raise':
        // A raise without a delay was already processed inside the macrostep.
        if (typeof p?.delay === 'number') timers.push({ id: String(p.id), delay: p.delay, event: p.event as TimerRequest['event'] });
        break;
      case 'xstate.cancel':
        cancels.push(String(p!.sendId));
        break;
      case 'xstate.sendTo':
      case 'xstate.sendParent':
      case 'xstate.spawnChild':
        refused ??= action.type;
        break;
      default:
        break;
    }
  }
  return refused === undefined ? { effects, timers, cancels } : { effects, timers, cancels, refused };
}

/** The effects a transition emitted, in order: what the kernel will perform. */
export function effectsOf(actions: readonly ActionObject[]): Effect[] {
  return splitActions(actions).effects;
}

/** The timers (delayed raises) a transition scheduled: `{ id, delay, event }`. */
export function timersOf(actions: readonly ActionObject[]): TimerRequest[] {
  return splitActions(actions).timers;
}
