/**
 * The one wait queue every resource parks its contexts on, modelled on the
 * kernel's `wait_queue_head` (include/linux/wait.h, kernel/sched/wait.c).
 * Before it, each resource kept hand-written waiter arrays and each re-did
 * FIFO order, removal and the listing for the wait-for graph; now a resource
 * says only *whom* a change lets go, in one of three disciplines:
 *
 * - hand-off (`wakeOne`): the oldest waiter is removed and handed what it
 *   waited for (the lock's ownership, a channel item, a freed element), so
 *   nobody can barge in between the wake-up and the waiter running — what
 *   the kernel gets from a FIFO of exclusive waiters plus a hand-off
 *   (mutex's MUTEX_FLAG_HANDOFF, a pipe write copying into a sleeping
 *   reader's buffer).
 * - wake-all (`wakeAll`, `wake_up_all`): every waiter goes, and each
 *   re-checks its own condition (a completion, needbuffer).
 * - exclusive wake-one (`wake(nrExclusive)`, `__wake_up`): every
 *   non-exclusive waiter and the first `nrExclusive` exclusive ones.
 *
 * Entries keep arrival order (oldest first) whatever their flag; see `park`
 * for where that differs from `add_wait_queue`. An entry may carry a
 * `deadline` (virtual time) for the timed sleeps the kernel has
 * (`schedule_timeout`, `wait_event_timeout`, NetBSD's `cv_timedwait`):
 * `expired(now)` takes out those whose time is up.
 *
 * The queue knows nothing of what the waiters wait for: `data` is the
 * resource's own payload (the item a blocked writer holds, io_getevents'
 * min/max, the ticket wanted), kept as plain data so `save()` is plain.
 */
import type { CtxId, Waiter } from './resource.js';

/** One parked context (the kernel's `wait_queue_entry`, with its task and flags). */
export interface WaitEntry<T> {
  readonly ctx: CtxId;
  /** What it waits for, in domain words (`space`, `lock`, `ticket 3`), as `Waiter.what`. */
  readonly what: string;
  /** Step at which it started waiting. */
  readonly since: number;
  /** Virtual time at which a timed sleep gives up; absent for an untimed sleep. */
  readonly deadline?: number;
  /** WQ_FLAG_EXCLUSIVE: counted by `wake(nrExclusive)`, which stops after the nr-th. */
  readonly exclusive: boolean;
  /** The resource's payload for this waiter. */
  readonly data: T;
}

/** A queue's whole state as plain data: its entries, oldest first. */
export interface WaitQueueState<T> {
  readonly entries: readonly WaitEntry<T>[];
}

/**
 * Decides, for one entry a wake walks past, whether this wake concerns it;
 * an entry it declines stays where it is and is not counted against
 * nrExclusive. The kernel's keyed wake-ups do the same: `__wake_up(wq, mode,
 * nr, key)` passes `key` to each entry's wake function, and one that does not
 * match (`wake_bit_function`, `var_wake_function`) returns 0.
 */
export type WakeMatch<T> = (entry: WaitEntry<T>) => boolean;

const EVERYONE = (): boolean => true;

export class WaitQueue<T = undefined> {
  private entries: WaitEntry<T>[] = [];

  /** Entries parked now. */
  get length(): number {
    return this.entries.length;
  }

  /**
   * Park a context at the tail, exclusive or not. The kernel's
   * `add_wait_queue_exclusive` (and `prepare_to_wait_exclusive`) adds at the
   * tail too, but `add_wait_queue` adds a non-exclusive entry at the *head*.
   * Here every entry keeps arrival order instead, so `list()` is oldest first
   * (the order deadlock reports and fingerprints use) and a wake reaches
   * waiters in the order they slept; `wake` still wakes every non-exclusive
   * entry it walks past, as `__wake_up_common` does.
   */
  park(entry: WaitEntry<T>): void {
    if (this.has(entry.ctx)) throw new Error(`wait queue: ${entry.ctx} is already parked on it (waiting for ${this.find(entry.ctx)?.what})`);
    this.entries.push(entry);
  }

  /**
   * Hand-off: remove and return the oldest entry (undefined if none), whose
   * resource then gives it what it waited for. Matching by `match` takes the
   * oldest entry it accepts instead (the oldest sleeper on *this* buffer).
   */
  wakeOne(match: WakeMatch<T> = EVERYONE): WaitEntry<T> | undefined {
    const i = this.entries.findIndex(match);
    if (i < 0) return undefined;
    return this.entries.splice(i, 1)[0];
  }

  /**
   * `__wake_up(wq, mode, nrExclusive, key)`: walk the queue in order, waking
   * (removing and returning, in order) every non-exclusive entry and
   * exclusive ones until `nrExclusive` of them have been woken, then stop —
   * a non-exclusive entry behind the nr-th exclusive one stays. `nrExclusive`
   * 0 wakes everyone, as in the kernel (`wake_up_all` passes 0). Entries
   * `match` declines are skipped and not counted.
   */
  wake(nrExclusive: number, match: WakeMatch<T> = EVERYONE): WaitEntry<T>[] {
    if (!Number.isInteger(nrExclusive) || nrExclusive < 0) throw new Error(`wait queue: nrExclusive must be a whole number >= 0, got ${nrExclusive}`);
    const woken: WaitEntry<T>[] = [];
    const kept: WaitEntry<T>[] = [];
    let left = nrExclusive === 0 ? Infinity : nrExclusive;
    for (const e of this.entries) {
      if (left === 0 || !match(e)) {
        kept.push(e);
        continue;
      }
      woken.push(e);
      if (e.exclusive) left--;
    }
    this.entries = kept;
    return woken;
  }

  /** `wake_up_all`: remove and return every entry `match` accepts (all by default), in order. */
  wakeAll(match: WakeMatch<T> = EVERYONE): WaitEntry<T>[] {
    return this.wake(0, match);
  }

  /**
   * A waiter leaving on its own — a timed sleep that timed out, a signal —
   * as `remove_wait_queue` / `finish_wait` take it off. Returns its entry,
   * or undefined if it was not parked (already woken).
   */
  remove(ctx: CtxId): WaitEntry<T> | undefined {
    const i = this.entries.findIndex((e) => e.ctx === ctx);
    if (i < 0) return undefined;
    return this.entries.splice(i, 1)[0];
  }

  /**
   * Timed sleeps whose deadline has come (`deadline <= now`): removed and
   * returned oldest first, for the caller to resume with a timeout (what
   * `schedule_timeout` returning 0 means to the sleeper).
   */
  expired(now: number): WaitEntry<T>[] {
    const out: WaitEntry<T>[] = [];
    const kept: WaitEntry<T>[] = [];
    for (const e of this.entries) (e.deadline !== undefined && e.deadline <= now ? out : kept).push(e);
    if (out.length > 0) this.entries = kept;
    return out;
  }

  /** The oldest entry, left in place (a head whose condition decides whether to wake it). */
  peek(): WaitEntry<T> | undefined {
    return this.entries[0];
  }

  /** The entry of `ctx`, if it is parked here. */
  find(ctx: CtxId): WaitEntry<T> | undefined {
    return this.entries.find((e) => e.ctx === ctx);
  }

  has(ctx: CtxId): boolean {
    return this.entries.some((e) => e.ctx === ctx);
  }

  /** Every entry, oldest first (a copy: waking while iterating it is safe). */
  all(): readonly WaitEntry<T>[] {
    return this.entries.slice();
  }

  /** The entries as the wait-for graph sees them, oldest first. */
  list(): Waiter[] {
    return this.entries.map(({ ctx, what, since }) => ({ ctx, what, since }));
  }

  /**
   * Order-stable text of the entries, each as `render` writes it (its
   * context by default), comma-separated in queue order. Callers leave
   * `since` out, as history rather than state.
   */
  fingerprint(render: (entry: WaitEntry<T>) => string = (e) => e.ctx): string {
    return this.entries.map(render).join(',');
  }

  /** The entries as plain data (entries copied; payloads are the resource's plain values). */
  save(): WaitQueueState<T> {
    return { entries: this.entries.map((e) => ({ ...e })) };
  }

  /** Take the entries of `state` (copied, so the same state can be restored again). */
  restore(state: WaitQueueState<T>): void {
    this.entries = state.entries.map((e) => ({ ...e }));
  }
}
