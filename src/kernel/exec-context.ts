import type { AnyMachineSnapshot, EventObject } from 'xstate';
import type { Effect } from '../model/effects.js';
import type { MachineHost } from './xstate-adapter.js';
import type { Cpu } from './cpu.js';
import type { ContextSpec } from './system.js';
import type { Releasers, Resource } from '../resources/resource.js';
import type { Channel } from '../resources/channel.js';
import type { WakeUp } from './protocol.js';

/** One activation of a machine on a context's stack (principle 4 of DESIGN.md). */
export interface Frame {
  /** Serial, unique in the run: timers belong to a frame. */
  readonly serial: number;
  readonly host: MachineHost;
  snapshot: AnyMachineSnapshot;
  /** Effects the caller emitted after its `call`, run when this frame returns. */
  callerRest: Effect[];
}

/** Where a context is parked, and on which operation (re-run through its handler when woken). */
export interface Blocked {
  readonly resource: Resource;
  /** The blocking operation in the resource's words: `put`, `get`, `getevents`, `alloc`, `acquire`, `down`, `waitFor`. */
  readonly op: string;
  /** The effect that parked: its handler's `resume` re-runs it on a wake-up. */
  readonly effect: Effect;
  /** A host system call: the whole CPU is stalled while it blocks. */
  readonly host: boolean;
  /** Parked with an item in hand after the machine moved on (a plain blocking put). */
  readonly inHand: boolean;
  /** Step at which it blocked. */
  readonly since: number;
  /** Virtual time at which a timed sleep gives up, if it is one. */
  readonly deadline?: number;
  /** Its timeout in ticks (the retry period a report shows on a timed edge). */
  readonly period?: number;
}

/**
 * An operation the context re-runs through its handler's `resume` when the
 * scheduler next runs it: a `retry` (woken without a hand-off, or its timed
 * sleep expired: it re-tests its condition, and may sleep again), or a
 * `choose` (a choice point: one candidate per option). Immutable: a clone shares it.
 */
export interface Rerun {
  readonly kind: 'retry' | 'choose';
  readonly effect: Effect;
  /** For a retry: why it was let go. */
  readonly why?: WakeUp;
  /** For a choice: its point, options, their labels and weights. */
  readonly point?: string;
  readonly options?: readonly (string | number)[];
  readonly labels?: readonly string[];
  readonly weights?: readonly number[];
  /** What the choice carries back to the re-run (Choose.carry). */
  readonly carry?: unknown;
  /** When it became pending (fifo order). */
  readonly seq: number;
}

/**
 * The last timed sleep of a context that ended by timing out, as the wait-for
 * view saw it then. A context between two retries of a timed wait is not
 * parked, yet it is still waiting for the same thing: explaining a
 * no-progress counts it as waiting (wait-view.ts) while this is recent.
 */
export interface TimedOutWait {
  /** The resource it slept on, by name. */
  readonly resource: string;
  readonly what: string;
  /** Who could have let it go, as the resource said when it timed out. */
  readonly releasers: Releasers;
  /** Its timeout in ticks. */
  readonly period: number;
  /** Virtual time it timed out. */
  readonly at: number;
}

/**
 * An execution context: a thread, an interrupt handler, a host thread or a
 * device. It owns a stack of frames (the top one receives deliveries), the
 * replies waiting for it, the effects it still has to perform, and at most one
 * blocking operation in progress.
 */
export class ExecContext {
  readonly name: string;
  readonly kind: ContextSpec['kind'];
  readonly stackLimit: number;
  readonly irqLevel: number;
  /** A user process (ContextSpec.user): at its base frame it is in user mode, where it may be preempted. */
  readonly user: boolean;
  /** Resource whose readability asserts this handler's line, if any. */
  irqLine: Resource | undefined;
  /** Channel fed to this context as events (see ContextSpec.mailbox), with when each item became pending. */
  mailbox: Channel | undefined;
  readonly mailboxSeqs: number[] = [];
  readonly frames: Frame[] = [];
  /** Replies to deliver to the top frame, in order, with when each became pending. */
  readonly replies: { event: EventObject; seq: number }[] = [];
  /** Effects emitted but not yet performed (they wait behind a blocking one). */
  effects: Effect[] = [];
  /** When the deferred effects became runnable again (fifo order of the resume). */
  resumeSeq = -1;
  blocked: Blocked | null = null;
  /** An operation to re-run when it next runs (a retry or a choice point), or null. */
  rerun: Rerun | null = null;
  /** Its latest timed sleep that timed out, until one of its sleeps is satisfied by a release. */
  lastTimedWait: TimedOutWait | undefined;
  /** Interrupt asserted and not yet taken: when it became pending, or -1. */
  irqPendingSeq = -1;
  /** Set by `raiseIrq`: an edge-triggered request. */
  irqRaised = false;
  /** Handler currently running (it borrowed its CPU). */
  irqActive = false;
  /** The base frame reached a final state: the context exited. */
  exited = false;
  /** Deepest stack seen. */
  maxDepth = 0;
  /** Woken from a sleep that released this interlock (ltsleep): it takes it back as it next runs. */
  relock: string | undefined = undefined;
  /** Schedule labels of this context's delivery channels (built once: they are on the hot path). */
  readonly labels: { readonly reply: string; readonly resume: string; readonly irq: string; readonly mailbox: string; readonly retry: string };

  constructor(
    readonly index: number,
    spec: ContextSpec,
    readonly cpu: Cpu | undefined,
  ) {
    this.name = spec.name;
    this.kind = spec.kind;
    this.stackLimit = spec.stackLimit ?? 64;
    this.irqLevel = spec.irq?.level ?? 0;
    this.user = spec.user === true;
    const n = spec.name;
    this.labels = { reply: `${n}.reply`, resume: `${n}.resume`, irq: `${n}.irq`, mailbox: `${n}.mailbox`, retry: `${n}.retry` };
  }

  private readonly timerLabels = new Map<string, string>();

  /** Schedule label of a timer, interned: a long run would otherwise keep one new string per timer step. */
  timerLabel(id: string): string {
    let l = this.timerLabels.get(id);
    if (l === undefined) {
      l = `${this.name}.timer:${id}`;
      this.timerLabels.set(id, l);
    }
    return l;
  }

  /**
   * Become a copy of `src`, the same context in the world being cloned. This
   * context was built from the same spec in the fresh world, so its CPU,
   * interrupt line and mailbox already point into that world; `resources`
   * are the fresh world's, for the resource a blocked operation parked on.
   *
   * A copy, not save/restore: frames hold their machine host and XState
   * snapshot, immutable values the copy shares (a snapshot is replaced by a
   * transition, never changed), and effects and events are immutable data,
   * shared too. What is mutable is copied: the frames themselves (their
   * snapshot is replaced), the arrays (shifted and pushed), the flags.
   */
  copyFrom(src: ExecContext, resources: ReadonlyMap<string, Resource>): void {
    this.frames.length = 0;
    for (const f of src.frames) this.frames.push({ serial: f.serial, host: f.host, snapshot: f.snapshot, callerRest: f.callerRest.slice() });
    this.replies.length = 0;
    for (const r of src.replies) this.replies.push(r);
    this.mailboxSeqs.length = 0;
    for (const seq of src.mailboxSeqs) this.mailboxSeqs.push(seq);
    this.effects = src.effects.slice();
    const b = src.blocked;
    if (b === null) this.blocked = null;
    else {
      const resource = resources.get(b.resource.name);
      if (resource === undefined) throw new Error(`context ${this.name}: the copy has no resource '${b.resource.name}' to stay blocked on`);
      this.blocked = { ...b, resource };
    }
    this.rerun = src.rerun;
    // Plain immutable data: shared.
    this.lastTimedWait = src.lastTimedWait;
    this.resumeSeq = src.resumeSeq;
    this.irqPendingSeq = src.irqPendingSeq;
    this.irqRaised = src.irqRaised;
    this.irqActive = src.irqActive;
    this.exited = src.exited;
    this.maxDepth = src.maxDepth;
    this.relock = src.relock;
    this.timerLabels.clear();
    for (const [id, label] of src.timerLabels) this.timerLabels.set(id, label);
  }

  get top(): Frame {
    return this.frames[this.frames.length - 1];
  }

  get isHandler(): boolean {
    return this.kind === 'irq';
  }

  /** Interrupt line asserted: level-triggered on a readable resource, or raised explicitly. */
  get irqAsserted(): boolean {
    return this.irqRaised || (this.irqLine !== undefined && this.irqLine.level > 0);
  }
}
