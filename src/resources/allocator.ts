/**
 * The backing allocator (kmalloc, a slab cache, the page allocator) that a
 * mempool sits in front of. It never sleeps here: memory pressure shows up as
 * a failed no-wait attempt, which is exactly what mempool_alloc's first try
 * sees. Whether to wait is the mempool's business.
 */
import { Resource, type CtxId, type Releasers, type SimClock, type Waiter } from './resource.js';

/**
 * `none`: every attempt succeeds (up to `limit`); `always`: every attempt
 * fails (the "failAll" switch); `failP`: each attempt fails with that
 * probability, drawn from the seeded stream.
 */
export type MemoryPressure = 'none' | 'always' | { readonly failP: number };

export interface PageAllocatorOptions {
  readonly name: string;
  readonly pressure: MemoryPressure;
  /** Hard cap on elements out at once; unlimited if absent. */
  readonly limit?: number;
}

export class PageAllocator extends Resource {
  readonly kind = 'allocator';

  /** Attempts that failed (pressure or limit). */
  failCount = 0;

  readonly pressure: MemoryPressure;
  private readonly limit: number;
  // Element -> context it was handed to; insertion order is allocation order.
  private readonly out = new Map<string, CtxId>();
  private seq = 0;

  constructor(
    opts: PageAllocatorOptions,
    clock: SimClock,
    private readonly rng: () => number,
  ) {
    super(opts.name, clock);
    const { pressure, limit } = opts;
    if (typeof pressure === 'object' && !(pressure.failP >= 0 && pressure.failP <= 1)) {
      throw new Error(`allocator ${opts.name}: pressure.failP must be in [0, 1], got ${pressure.failP}`);
    }
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new Error(`allocator ${opts.name}: limit must be a whole number >= 0, got ${limit}`);
    }
    this.pressure = pressure;
    this.limit = limit ?? Infinity;
    this.recordLevel();
  }

  get capacity(): number {
    return this.limit;
  }

  get level(): number {
    return this.out.size;
  }

  /**
   * One no-wait attempt (GFP_NOWAIT). `ignorePressure` is for boot-time
   * allocations such as mempool_create's reserve fill, which happen before
   * any pressure exists; the limit still applies.
   */
  tryAlloc(ctx: CtxId, opts: { ignorePressure?: boolean } = {}): string | undefined {
    if (this.out.size >= this.limit || (!opts.ignorePressure && this.underPressure())) {
      this.failCount++;
      return undefined;
    }
    const element = `${this.name}#${++this.seq}`;
    this.out.set(element, ctx);
    this.recordLevel();
    return element;
  }

  free(element: string): void {
    if (!this.out.delete(element)) {
      throw new Error(`allocator ${this.name}: free of ${element}, which it did not hand out or was already freed`);
    }
    this.recordLevel();
  }

  /** Nobody parks here: failure is immediate. */
  waiters(): readonly Waiter[] {
    return [];
  }

  /** Any free anywhere may refill it, so it never closes a cycle. */
  releasers(_waiter: Waiter): Releasers {
    return 'anyone';
  }

  describe(): string {
    const fill = this.limit === Infinity ? `${this.out.size} out` : `${this.out.size}/${this.limit} out`;
    return `${this.kind} ${this.name} (${fill}, pressure ${pressureText(this.pressure)})`;
  }

  checkConservation(): string | undefined {
    if (this.out.size > this.limit) {
      return `${this.kind} ${this.name} has ${this.out.size} elements out, more than its limit ${this.limit}`;
    }
    return undefined;
  }

  /**
   * Elements out and their holders. The id sequence is left out: states that
   * differ only in the next id behave the same up to renaming.
   */
  fingerprint(): string {
    const out = [...this.out].map(([element, ctx]) => `${element}@${ctx}`).join(',');
    return `${this.kind} ${this.name} out[${out}]`;
  }

  private underPressure(): boolean {
    if (this.pressure === 'none') return false;
    if (this.pressure === 'always') return true;
    return this.rng() < this.pressure.failP;
  }
}

function pressureText(pressure: MemoryPressure): string {
  return typeof pressure === 'object' ? `failP ${pressure.failP}` : pressure;
}
