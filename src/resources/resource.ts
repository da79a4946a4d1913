/**
 * What every simulated resource (channel, pipe, AIO ring, mempool, lock,
 * semaphore, ticket counter) has in common. Resources know nothing of XState
 * or of machines: the kernel calls them on behalf of an execution context and
 * turns their answers into events.
 *
 * A resource keeps its own waiters, so a blocked context is parked *on the
 * resource* (as a thread sleeps on a wait queue: each resource keeps them in
 * `WaitQueue`s, see wait-queue.ts), and the wait-for graph can ask the
 * resource who could ever let it go (`releasers`).
 *
 * A resource's mutable state can be taken out and put back as plain data
 * (`save` / `restore`), so a search can checkpoint a state and come back to
 * it without replaying the schedule that led there.
 */

/** Canonical name of an execution context (thread, interrupt handler, device). */
export type CtxId = string;

/** The virtual instant, shared by the kernel with every resource so histories are stamped. */
export interface SimClock {
  /** Virtual time (ticks). */
  now: number;
  /** Index of the step being executed. */
  step: number;
}

/** A context that a resource lets go of, with what it gets (an item, an element, `ok`). */
export interface Wakeup {
  readonly ctx: CtxId;
  /** The operation the context was blocked in, e.g. `put`, `get`, `alloc`, `down`. */
  readonly op: string;
  /** The value the blocked operation finally returns (item read, element allocated...). */
  readonly value?: unknown;
  /**
   * Let go without a hand-off (wake-all with re-check, `wake_up` on a wait
   * queue whose sleepers loop on their condition): nothing is given; the
   * context re-runs its operation when the scheduler next runs it, and a third
   * party may take the resource in between.
   */
  readonly recheck?: boolean;
}

/** One parked context. */
export interface Waiter {
  readonly ctx: CtxId;
  /** What it waits for, in domain words: `space`, `data`, `events`, `element`, `lock`, `ticket 3`. */
  readonly what: string;
  /** Step at which it started waiting (oldest first). */
  readonly since: number;
}

/**
 * Who could satisfy a waiter: the wait-for graph's resource -> context edges.
 * `anyone` marks a resource the rest of the system can replenish (the page
 * allocator): it never closes a cycle.
 */
export interface Releaser {
  readonly ctx: CtxId;
  /**
   * Relation named in the deadlock report (DESIGN.md "Outcomes").
   * `writeback-of`: only the writeback of a device's dirty pages, which
   * `ctx` performs, could free what the waiter needs (reclaim under
   * exhaustion; `device` names the device).
   */
  readonly edge: 'held-by' | 'only-reader' | 'only-writer' | 'completes' | 'may-release' | 'borrowed-cpu' | 'writeback-of';
  /** For `writeback-of`: the device whose dirty pages `ctx` writes back. */
  readonly device?: string;
}
export type Releasers = readonly Releaser[] | 'anyone';

/** A change of occupancy, for plots and for `maxLevel` metrics. */
export interface OccupancySample {
  readonly time: number;
  readonly step: number;
  readonly level: number;
}

/** Outcome of a resource operation that may block or fail. */
export type OpStatus = 'ok' | 'eagain' | 'blocked';

export interface OpResult<V = unknown> {
  readonly status: OpStatus;
  /** The value returned when `status === 'ok'` (item, element, events). */
  readonly value?: V;
  /** Contexts this operation released (e.g. a get frees room for a blocked put). */
  readonly wakeups: readonly Wakeup[];
}

export const NO_WAKEUPS: readonly Wakeup[] = Object.freeze([]);

/**
 * Everything mutable in a resource, as plain data: objects, arrays, strings,
 * numbers and booleans only (no class instances, no Maps, no functions), so
 * it survives structuredClone or JSON. Each kind extends it with its own
 * fields; configuration (name, capacity, declared readers...) is not in it,
 * because `restore` is called on an instance built from the same options.
 */
export interface ResourceState {
  /** The kind that saved it: a state is never restored into another kind. */
  readonly kind: string;
  /** The resource that saved it. */
  readonly name: string;
  readonly history: readonly OccupancySample[];
  readonly maxLevel: number;
}

/** Base class: name, capacity, occupancy history, and the conservation check. */
export abstract class Resource {
  /** Kind shown in reports: `pipe`, `channel`, `aio-ring`, `mempool`, `lock`, ... */
  abstract readonly kind: string;
  /** Occupancy changes, recorded only when the level changes. */
  readonly history: OccupancySample[] = [];
  /** Highest level ever seen. */
  maxLevel = 0;

  constructor(
    readonly name: string,
    protected readonly clock: SimClock,
  ) {}

  /** Total units (slots, elements, ...). `Infinity` for unbounded. */
  abstract get capacity(): number;
  /** Units in use now. */
  abstract get level(): number;
  /** Contexts currently parked on this resource, oldest first. */
  abstract waiters(): readonly Waiter[];
  /** Who could release `waiter` (see `Releaser`). */
  abstract releasers(waiter: Waiter): Releasers;
  /** One-line state in domain words, e.g. `pipe aio->ubd (2/2 records)`. */
  abstract describe(): string;
  /**
   * Resource conservation: free + held === capacity, and internal bookkeeping
   * agrees with itself. Returns a sentence naming what is wrong, or undefined.
   */
  abstract checkConservation(): string | undefined;
  /** Canonical, order-stable text of the whole state, for state hashing (DFS/BFS). */
  abstract fingerprint(): string;

  /**
   * The whole mutable state (contents, waiters, counters, history, maxLevel,
   * observed users, random stream position) as plain data; later changes to
   * the resource do not change it. Items the resource holds are the callers'
   * values, which it never mutates: they are shared, not copied.
   */
  abstract save(): ResourceState;

  /**
   * Make this instance behave exactly like the one that saved `state` (built
   * from the same options). `state` is copied, never adopted, so one saved
   * state can be restored any number of times.
   */
  abstract restore(state: ResourceState): void;

  /**
   * Whether an item this resource holds names `bio` (as its `bio` or `id`
   * field, exactly). The stuck-bio story asks each resource instead of
   * searching its text, so `guest#1` is never found inside `guest#12.0`.
   */
  holds(_bio: string): boolean {
    return false;
  }

  /**
   * Counters a run reports for this resource, keyed by suffix (`maxLevel`,
   * `eagain`, `waits`...): the result shows them as `<name>.<suffix>`. Each
   * kind adds its own, so the kernel never asks which kind it holds.
   */
  metrics(): Readonly<Record<string, number>> {
    return { maxLevel: this.maxLevel };
  }

  /**
   * Take `ctx` off this resource's waiters because its timed sleep expired
   * (schedule_timeout, cv_timedwait); true if it was parked here. Kinds
   * without timed waits keep this default, and the kernel refuses a deadline
   * on them.
   */
  withdraw(_ctx: CtxId): boolean {
    return false;
  }

  /**
   * The lost-wake-up invariant (check/lost-wakeup.ts), for kinds that can
   * state it: the condition `waiter` tested before it went to sleep, in
   * words (`curr_nr > 0 (1 in reserve)`), if that condition holds now;
   * undefined while it is still false. A parked waiter whose condition holds
   * was owed a wake-up that never came: after every step, the kernel reports
   * it as a violation for the resources the step touched. (A waiter whose
   * condition stays false and that nobody will ever wake is a deadlock, not
   * this.) Kinds without it are not checked.
   */
  readyWaiter?(waiter: Waiter): string | undefined;

  /**
   * A parked context cannot run, so a call from it means the caller's
   * bookkeeping is wrong: fail loudly instead of queueing it twice.
   */
  protected refuseIfParked(ctx: CtxId, op: string): void {
    const parked = this.waiters().find((w) => w.ctx === ctx);
    if (parked === undefined) return;
    throw new Error(
      `${this.kind} ${this.name}: ${ctx} calls ${op} while already parked on it ` +
        `(waiting for ${parked.what} since step ${parked.since})`,
    );
  }

  /** The part of `save()` every kind has: who saved it, history and maxLevel. */
  protected saveBase(): ResourceState {
    return { kind: this.kind, name: this.name, history: this.history.slice(), maxLevel: this.maxLevel };
  }

  /** The part of `restore()` every kind has; refuses a state another resource saved. */
  protected restoreBase(state: ResourceState): void {
    if (state.kind !== this.kind || state.name !== this.name) {
      throw new Error(`${this.kind} ${this.name}: cannot restore a state saved by ${state.kind} ${state.name}`);
    }
    // `history` is a readonly field (callers hold on to it): refill it in place.
    // A loop, not push(...): a long run's history would overflow the argument limit.
    this.history.length = 0;
    for (const sample of state.history) this.history.push(sample);
    this.maxLevel = state.maxLevel;
  }

  /** Called by subclasses after every change of `level`. */
  protected recordLevel(): void {
    const level = this.level;
    const last = this.history.length ? this.history[this.history.length - 1] : undefined;
    if (last !== undefined && last.level === level) return;
    if (level > this.maxLevel) this.maxLevel = level;
    this.history.push({ time: this.clock.now, step: this.clock.step, level });
  }
}

/**
 * Order-stable text of a plain value (object keys sorted, arrays in order), so
 * two equal items fingerprint equally whatever order their fields were set in.
 */
export function canonicalText(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`;
  const keys = Object.keys(value).sort();
  const record = value as Record<string, unknown>;
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalText(record[k])}`).join(',')}}`;
}

/**
 * Whether a plain value names `bio` exactly: a `bio` or `id` field equal to
 * it, at any depth. Equality, never substring: `guest#12.0` does not name `guest#1`.
 */
export function mentionsBio(item: unknown, bio: string): boolean {
  if (item === null || typeof item !== 'object') return item === bio;
  const o = item as Record<string, unknown>;
  if (o.bio === bio || o.id === bio) return true;
  for (const v of Object.values(o)) if (v && typeof v === 'object' && mentionsBio(v, bio)) return true;
  return false;
}
