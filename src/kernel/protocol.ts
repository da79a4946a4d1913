/**
 * The effect protocol: how the kernel and the code that performs effects talk.
 *
 * A machine emits an effect; the dispatch table (dispatch.ts) finds the one
 * handler for its type; the handler performs it against a resource and
 * *returns data* — done, parked, call or violation — and the kernel acts on
 * that data. No handler touches a context, a reply queue or the scheduler, and
 * no code but the dispatch table switches on effect types. A resource kind
 * (its spec, its constructor, its effects) is a plug-in: the built-in kinds
 * (kernel/kinds/) register through exactly this interface, and a scenario may
 * hand the kernel kinds of its own in `SystemSpec.kinds`.
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import type { CtxId, Resource, SimClock, Wakeup } from '../resources/resource.js';
import type { RandomStream } from '../resources/random-stream.js';
import type { FaultSpec } from './system.js';
import type { WriteSpec } from '../model/effects.js';
import type { TraceEffect } from './trace.js';
import type { Personality } from './personality.js';

/** What a handler notes; the kernel adds the reply the caller got. */
export type TraceNote = Omit<TraceEffect, 'reply'>;

/** Why a parked operation is being re-run: a resource let it go, its deadline passed, or the scheduler chose a value at its choice point. */
export type WakeReason = 'released' | 'timed-out' | 'chosen';

/** What a resource handed a woken context: the reason and the value the operation returns. */
export interface WakeUp {
  readonly reason: WakeReason;
  /** The item read, the element allocated, the reply a resource chose... */
  readonly value?: unknown;
  /** For `chosen`: what the choice point carried for the re-run (`Choose.carry`). */
  readonly carry?: unknown;
}

/** The operation finished now: an optional reply to the caller and the contexts it let go. */
export interface Done {
  readonly status: 'done';
  readonly reply?: EventObject;
  readonly wakeups?: readonly Wakeup[];
}

/**
 * The caller sleeps on `on` (the resource keeps it among its waiters, as a
 * wait queue does). On a wake-up the kernel calls the handler's `resume` with
 * the same effect: it returns done (the reply), parked again, or violation.
 */
export interface Parked {
  readonly status: 'parked';
  readonly on: Resource;
  /** The blocking operation in the resource's words: `put`, `get`, `acquire`, `down`... */
  readonly op: string;
  /** A host system call: the caller's whole CPU stalls while it blocks (UML). */
  readonly host?: boolean;
  /**
   * The machine already moved on and the context sleeps with an item in hand
   * (a plain blocking put): the wait-for view counts it as mid-work even in
   * an idle state.
   */
  readonly inHand?: boolean;
  /** Virtual time at which the wait gives up (a timed sleep); absent: untimed. */
  readonly deadline?: number;
  /** The timeout of a timed sleep in ticks (its retry period, shown on the timed edge of a cycle). */
  readonly period?: number;
  readonly wakeups?: readonly Wakeup[];
}

/** Push a frame running `machine` on the caller's stack (a synchronous call). */
export interface Call {
  readonly status: 'call';
  readonly machine: AnyStateMachine;
  readonly input: unknown;
}

/** An invariant broke: the run ends with this verdict. */
export interface Broken {
  readonly status: 'violation';
  readonly invariant: string;
  readonly contexts: readonly string[];
  readonly message: string;
}

/**
 * A choice point inside the operation (DESIGN.md: randomness in models is a
 * choice point): a disk's service time, an allocator attempt that may fail,
 * buf_lotsfree's draw. The kernel offers one candidate per option to the
 * scheduler — DFS enumerates them, a replay token records the one taken
 * (`disk.choose:svc=3`), random strategies draw by `weights` — and re-runs
 * the operation through `resume` with `{ reason: 'chosen', value }`.
 * Option 0 is what fifo takes: put the expected value first.
 */
export interface Choose {
  readonly status: 'choose';
  /** The choice point's name, in the schedule label: `svc`, `slab-fail`, `lotsfree`. */
  readonly point: string;
  /** Distinct values, as they appear in labels. */
  readonly options: readonly (string | number)[];
  /** Relative probabilities for random strategies (all > 0), one per option; uniform if absent. */
  readonly weights?: readonly number[];
  /**
   * Plain data handed back with the option (`WakeUp.carry`): where in its
   * operation the handler stood when it drew (a first attempt, or a retry
   * after a timeout), which the effect alone does not say.
   */
  readonly carry?: unknown;
}

export type Performed = Done | Parked | Call | Broken | Choose;

/** Shorthands, so a handler reads as what it does. */
export function done<R extends EventObject>(reply?: R, wakeups?: readonly Wakeup[]): Done {
  if (reply === undefined) return wakeups === undefined ? DONE : { status: 'done', wakeups };
  return wakeups === undefined ? { status: 'done', reply } : { status: 'done', reply, wakeups };
}
const DONE: Done = Object.freeze({ status: 'done' });

/**
 * What a handler may use: the caller's name, the clock, resources by name
 * (every lookup marks the resource for the per-step conservation check), a
 * note for the trace, fault injection, and the kernel-wide books (bio ledger,
 * write-order shadow, metrics, the caller's CPU state) for the built-in
 * families that keep them.
 */
export interface EffectEnv {
  readonly caller: CtxId;
  readonly clock: Readonly<SimClock>;
  /** The resource named `name`; a model error naming `op` when it is missing or not an instance of `cls`. */
  resource<T extends Resource>(name: string, cls: abstract new (...args: never[]) => T, op: string, expected?: string): T;
  /** The spec a resource was declared with (for settings only the kernel side reads). */
  specOf(name: string): ResourceSpecLike | undefined;
  /** One entry of the step's trace, as data (`{ effect: 'put', resource: 'aio->ubd', status: 'blocked' }`). */
  note(entry: TraceNote): void;
  /** The errno to inject at fault point `at` for `target`, or 0. */
  fault(at: FaultSpec['at'], target: string): number;
  /** Kernel services for the built-in families (cpu, call, obligations): see kernel/kinds/. */
  readonly kernel: KernelServices;
}

/** The kernel-wide books, for the families that are not about one resource. */
export interface KernelServices {
  /** The kernel personality the system runs on: its HZ (ticks per second) converts `5*HZ` into ticks. */
  personality(): Personality;
  /** The context a channel feeds as its mailbox, if it is one (nobody else may `get` from it). */
  mailboxOwner(r: Resource): string | undefined;
  callable(name: string): AnyStateMachine | undefined;
  callableNames(): readonly string[];
  /** Set the caller's CPU interrupt level; false if it runs on no CPU. */
  setIpl(level: number): boolean;
  /** Leave the interrupt handler the caller is running; false if it is not in one. */
  iret(): boolean;
  /** Raise an edge-triggered interrupt on handler context `name`; false if it is not one. */
  raiseIrq(name: string): boolean;
  /** The caller's stack depth. */
  depth(): number;
  /** bio bookkeeping (check/bio-ledger.ts, check/write-order.ts); each returns a violation sentence or undefined. */
  bioSubmit(bio: string, write: WriteSpec | undefined): string | undefined;
  bioComplete(bio: string, error: number): string | undefined;
  mediaWrite(bio: string, sector: number, count: number): { readonly message: string; readonly contexts: readonly string[] } | undefined;
  metric(name: string, add: number | undefined, max: number | undefined, peak: string | undefined): void;
}

/** A resource spec as every kind has it; each kind's own fields come on top. */
export interface ResourceSpecLike {
  readonly kind: string;
  readonly name: string;
}

/**
 * The code for one effect type. `perform` runs it; `resume` re-runs a parked
 * operation after a wake-up (required when `perform` can park); `mightSleep`
 * names the call in kernel words when it may sleep (the sleep-in-atomic check
 * runs on the call, before it is performed, whether or not it would block).
 */
export interface EffectHandler<E extends { readonly type: string } = { readonly type: string }> {
  perform(effect: E, env: EffectEnv): Performed;
  resume?(effect: E, wake: WakeUp, env: EffectEnv): Performed;
  mightSleep?(effect: E, lookup: (name: string) => Resource | undefined): string | undefined;
  /**
   * Lint-like warnings the call earns by how it is written (`GFP_KERNEL|GFP_ATOMIC:
   * GFP_ATOMIC must be used alone`), collected before the call is judged;
   * never an outcome (DESIGN.md "Findings that are not outcomes").
   */
  warnings?(effect: E): readonly string[];
}

/** Effects that belong together (`channel`, `aio`, `sync`, `cpu`...), handled by one module. */
export interface EffectFamily {
  readonly name: string;
  readonly effects: Readonly<Record<string, EffectHandler<never>>>;
}

/** What a resource kind's constructor gets besides its spec. */
export interface KindEnv {
  readonly clock: SimClock;
  /** A seeded stream of its own, forked from the run seed by `key` (so adding a resource never shifts another's draws). */
  random(key: string): RandomStream;
  /** A resource declared earlier in the spec list (a mempool's backing allocator). */
  declared(name: string): Resource | undefined;
}

/**
 * A resource kind: the `kind` its specs carry, how to build one, the effects
 * it serves, and whether holding one makes a context atomic (a spin lock).
 * Wait discipline, deadlines, releasers, metrics, fingerprint and the bios it
 * holds are the resource's own methods (resources/resource.ts).
 */
export interface ResourceKind<S extends ResourceSpecLike = ResourceSpecLike> {
  readonly kind: S['kind'];
  create(spec: S, env: KindEnv): Resource;
  readonly effects?: Readonly<Record<string, EffectHandler<never>>>;
  /** The names of what `ctx` holds of this resource that make it atomic (spin locks it holds). */
  atomicHolds?(resource: Resource, ctx: CtxId): readonly string[];
}

/** Identity helpers that type-check a kind or a family where it is written. */
export function defineResourceKind<S extends ResourceSpecLike>(kind: ResourceKind<S>): ResourceKind<S> {
  return kind;
}
export function defineEffectFamily(family: EffectFamily): EffectFamily {
  return family;
}
/** Type-checks one handler against its effect type (the family's table erases it). */
export function handler<E extends { readonly type: string }>(h: EffectHandler<E>): EffectHandler<never> {
  return h as EffectHandler<never>;
}
