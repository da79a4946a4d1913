/**
 * A mutual-exclusion lock: a spin lock (`ubd_io_lock`, `v_interlock`), whose
 * waiter keeps its CPU, or a sleep lock (a B_BUSY buffer, a vnode lock),
 * whose waiter sleeps. Both park here; what waiting costs the CPU is the
 * kernel's business, told by `flavour`.
 *
 * Recursive acquisition by the owner parks the owner on its own lock instead
 * of throwing: that self-deadlock (vnd's getblk on a buffer it already holds
 * BUSY) is a finding the wait-for graph must report, not a simulator bug.
 */
import {
  NO_WAKEUPS,
  Resource,
  type CtxId,
  type OpResult,
  type Releasers,
  type ResourceState,
  type SimClock,
  type Waiter,
} from './resource.js';
import { WaitQueue, type WaitQueueState } from './wait-queue.js';

export type LockFlavour = 'spin' | 'sleep';

export interface LockOptions {
  readonly name: string;
  readonly flavour: LockFlavour;
}

/** A lock's mutable state (`save` / `restore`). */
export interface LockState extends ResourceState {
  /** The owner; null while free. */
  readonly holder: CtxId | null;
  readonly waiting: WaitQueueState<undefined>;
}

export class Lock extends Resource {
  readonly kind = 'lock';

  readonly flavour: LockFlavour;
  private holder: CtxId | undefined;
  // Hand-off: exclusive waiters, FIFO; release passes ownership to the oldest.
  private readonly parked = new WaitQueue<undefined>();

  constructor(opts: LockOptions, clock: SimClock) {
    super(opts.name, clock);
    this.flavour = opts.flavour;
    this.recordLevel();
  }

  get capacity(): number {
    return 1;
  }

  get level(): number {
    return this.holder === undefined ? 0 : 1;
  }

  /** The context holding the lock, if any. */
  get owner(): CtxId | undefined {
    return this.holder;
  }

  /** Take the lock; `wait: false` is a trylock (spin_trylock, BUSY check without sleeping). */
  acquire(ctx: CtxId, opts: { wait: boolean }): OpResult {
    this.refuseIfParked(ctx, 'acquire');
    if (this.holder === undefined) {
      this.holder = ctx;
      this.recordLevel();
      return { status: 'ok', wakeups: NO_WAKEUPS };
    }
    if (!opts.wait) return { status: 'eagain', wakeups: NO_WAKEUPS };
    this.parked.park({ ctx, what: 'lock', since: this.clock.step, exclusive: true, data: undefined });
    return { status: 'blocked', wakeups: NO_WAKEUPS };
  }

  /** Drop the lock; ownership passes straight to the oldest waiter, so nobody can barge in between. */
  release(ctx: CtxId): OpResult {
    if (this.holder !== ctx) {
      const state = this.holder === undefined ? 'it is not held' : `it is held by ${this.holder}`;
      throw new Error(`${this.flavour} lock ${this.name}: release by ${ctx}, but ${state}`);
    }
    const next = this.parked.wakeOne();
    this.holder = next?.ctx;
    this.recordLevel();
    return { status: 'ok', wakeups: next === undefined ? NO_WAKEUPS : [{ ctx: next.ctx, op: 'acquire' }] };
  }

  /**
   * A timed sleeper on a busy sleep lock gives up: NetBSD getblk() sleeps on a
   * B_BUSY buffer with ltsleep(bp, ..., "getblk", slptimeo) and returns NULL
   * when it fails (sys/kern/vfs_bio.c, NetBSD 2.0/3.0). The owner keeps the lock.
   */
  override withdraw(ctx: CtxId): boolean {
    return this.parked.remove(ctx) !== undefined;
  }

  waiters(): readonly Waiter[] {
    return this.parked.list();
  }

  releasers(_waiter: Waiter): Releasers {
    return this.holder === undefined ? [] : [{ ctx: this.holder, edge: 'held-by' }];
  }

  describe(): string {
    const held = this.holder === undefined ? 'free' : `held by ${this.holder}`;
    const waiting = this.parked.length > 0 ? `, ${this.parked.length} waiting` : '';
    return `${this.flavour} ${this.kind} ${this.name} (${held}${waiting})`;
  }

  checkConservation(): string | undefined {
    if (this.holder === undefined && this.parked.length > 0) {
      return `${this.flavour} ${this.kind} ${this.name} is free while ${this.parked.length} context(s) wait for it`;
    }
    return undefined;
  }

  fingerprint(): string {
    return `${this.kind} ${this.name} owner[${this.holder ?? ''}] wait[${this.parked.fingerprint()}]`;
  }

  save(): LockState {
    return { ...this.saveBase(), holder: this.holder ?? null, waiting: this.parked.save() };
  }

  restore(state: LockState): void {
    this.restoreBase(state);
    this.holder = state.holder ?? undefined;
    this.parked.restore(state.waiting);
  }
}
