/**
 * Snapshots of a run: the canonical fingerprint that exhaustive search
 * hashes, and an independent copy of the world for explorers that branch.
 */
import { World } from './world.js';

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
    const flags = `${c.irqActive ? 1 : 0}${c.irqRaised ? 1 : 0}${c.exited ? 1 : 0}${c.relock === undefined ? '' : `+${c.relock}`}`;
    const r = c.rerun;
    const rerun = r === null ? '' : `|${r.kind}:${JSON.stringify(r.effect)}:${r.kind === 'retry' ? `${r.why!.reason}:${JSON.stringify(r.why!.value)}` : `${r.labels!.join(',')}:${JSON.stringify(r.carry)}`}`;
    parts.push(`${c.name}|${frames}|${JSON.stringify(c.replies.map((r) => r.event))}|${JSON.stringify(c.effects)}|${blocked}|${flags}|${c.mailboxSeqs.length}${rerun}`);
  }
  for (const cpu of w.cpus.values()) parts.push(`cpu ${cpu.name}:${cpu.fingerprint()}`);
  for (const r of w.resources.values()) parts.push(r.fingerprint());
  parts.push(`timers:${w.timers.fingerprint(w.clock.now)}`);
  parts.push(`open:${w.ledger.stuck().join(',')}`);
  // Once no-progress is judged in time, how long the open bios have gone without
  // progress decides the future (the verdict comes when it passes the window):
  // without it, a timed retry loop would fold onto itself and exhaustive search
  // would never reach its no-progress. Capped: past the window it is all one.
  const win = w.progress.window();
  if (win.unit === 'ticks' && w.ledger.outstanding > 0) parts.push(`stalled:${Math.min(w.clock.now - w.progress.lastProgressTime, win.size + 1)}/${win.size}`);
  return parts.join('\n');
}

/**
 * An independent copy of the world: stepping one never changes the other,
 * and the copy continues exactly as the original would.
 *
 * The copy is data, part by part, never a reflective walk of the object
 * graph: a fresh World is built from the same system, table and options (so
 * every resource is an instance of its kind made from its own spec, with the
 * same seeded streams, and every context already points at the fresh CPUs,
 * lines and mailboxes), then each part takes the original's state:
 *
 *   save/restore (plain data a checkpoint could keep): resources, CPUs,
 *     the fault injector (its streams are Prngs), the bio ledger;
 *   copy (sharing immutable parts, for speed): contexts (machine hosts and
 *     XState snapshots, effects, events), the timer queue (events), the
 *     trace (recorded steps), the sector shadow (queued writes), and the
 *     pending candidates (re-pointed to the copied timers).
 *
 * What a run only reads is shared: the system and its machines and specs,
 * the dispatch table, and the verdict objects, which are never changed.
 */
export function cloneWorld(w: World): World {
  const c = new World(w.system, w.table, w.options);
  c.clock.now = w.clock.now;
  c.clock.step = w.clock.step;
  for (const [name, r] of w.resources) c.resources.get(name)!.restore(r.save());
  for (const [name, cpu] of w.cpus) c.cpus.get(name)!.restore(cpu.save());
  w.contexts.forEach((ctx, i) => c.contexts[i].copyFrom(ctx, c.resources));
  const timer = c.timers.copyFrom(w.timers);
  for (const cand of w.cands) c.cands.push(cand.timer === undefined ? cand : { ...cand, timer: timer(cand.timer) });
  c.ledger.restore(w.ledger.save());
  c.progress.copyFrom(w.progress);
  c.shadow.copyFrom(w.shadow);
  c.faults.restore(w.faults.save());
  // The effects of the step last recorded stay one list with that step's trace entry (trace.ts).
  c.stepEffects = w.stepEffects.slice();
  c.trace.copyFrom(w.trace, { was: w.stepEffects, now: c.stepEffects });
  Object.assign(c.metrics, w.metrics);
  refill(c.warnings, w.warnings);
  refill(c.schedule, w.schedule);
  if (w.deliveryLog !== undefined) refill(c.deliveryLog!, w.deliveryLog);
  // Empty between steps; before boot it holds what the constructor looked up (lines, mailboxes).
  // The fresh world's constructor looked them up too: start from the original's set, not from both.
  c.touched.clear();
  for (const r of w.touched) c.touched.add(c.resources.get(r.name)!);
  c.seq = w.seq;
  c.frameSerial = w.frameSerial;
  c.deliveries = w.deliveries;
  c.choicePoints = w.choicePoints;
  c.pendingChoices = w.pendingChoices;
  c.sinceCheck = w.sinceCheck;
  c.booted = w.booted;
  c.stopped = w.stopped;
  c.violation = w.violation;
  c.overflow = w.overflow;
  c.deadlock = w.deadlock;
  c.noProgress = w.noProgress;
  return c;
}

/** Make the (fresh, readonly) list `dst` hold what `src` holds; elements are immutable and shared. */
function refill<T>(dst: T[], src: readonly T[]): void {
  dst.length = 0;
  for (let i = 0; i < src.length; i++) dst.push(src[i]);
}
