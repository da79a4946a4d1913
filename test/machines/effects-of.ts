/** The effects a transition emitted (the `xstate.emit` actions' events), for machine unit tests. */
export function effectsOf(actions: readonly { type: string; params?: unknown }[]): unknown[] {
  return actions.filter((a) => a.type === 'xstate.emit').map((a) => (a.params as { event: unknown }).event);
}

/** Delayed raises (timers) a transition scheduled: `{ id, delay, event }`. */
export function timersOf(actions: readonly { type: string; params?: unknown }[]): { id: string; delay: number; event: unknown }[] {
  return actions
    .filter((a) => a.type === 'xstate.raise' && typeof (a.params as { delay?: unknown }).delay === 'number')
    .map((a) => a.params as { id: string; delay: number; event: unknown });
}
