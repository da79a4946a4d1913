import type { WriteSpec } from '../model/effects.js';

/**
 * The shadow model of sector contents (DESIGN.md principle 6) and the write
 * ordering invariant of seed 001 (B-3: once the ubd driver may sleep, a later
 * request can reach the host before an earlier one).
 *
 * Two orders meet here. The *queue order* is the order writes entered the
 * stack (`bioSubmit` with a write spec, in the same step as the guest queues
 * the request). The *host order* is the order a device put them on its media
 * (`mediaWrite`, which a host disk reports as it takes requests: host
 * submission order, whatever order they later complete in). Each write gets a
 * version per sector it covers (1 = the first write queued to that sector),
 * so the shadow knows which data every sector should end with.
 *
 * A reordering is a violation when the two writes overlap (the sector would
 * end with the older data: silent corruption) or a barrier lies between them
 * in queue order (the file system asked for that order). Anything else may be
 * reordered, and completions are never looked at: out-of-order completion is
 * legal.
 */

interface QueuedWrite {
  readonly bio: string;
  /** Context that queued it. */
  readonly ctx: string;
  /** Queue position, 0-based. */
  readonly index: number;
  readonly sector: number;
  readonly count: number;
  readonly barrier: boolean;
  /** Version of each sector it covers, in sector order. */
  readonly versions: readonly number[];
}

export interface OrderViolation {
  readonly contexts: readonly string[];
  readonly message: string;
}

export class SectorShadow {
  private writes = new Map<string, QueuedWrite>();
  private order: QueuedWrite[] = [];
  /** Queue positions of barrier writes, ascending. */
  private barriers: number[] = [];
  private queuedVersions = new Map<number, number>();
  /** Sector -> the write whose data it holds now. */
  private media = new Map<number, QueuedWrite>();
  /** Sector -> bios in the order they reached it. */
  private history = new Map<number, string[]>();
  /** Highest queue position of a write that reached the media. */
  private maxApplied = -1;

  /** A write entered the stack (queue order). */
  queue(bio: string, ctx: string, spec: WriteSpec): void {
    const versions: number[] = [];
    for (let s = spec.sector; s < spec.sector + spec.count; s++) {
      const v = (this.queuedVersions.get(s) ?? 0) + 1;
      this.queuedVersions.set(s, v);
      versions.push(v);
    }
    const w: QueuedWrite = { bio, ctx, index: this.order.length, sector: spec.sector, count: spec.count, barrier: spec.barrier === true, versions };
    this.writes.set(bio, w);
    this.order.push(w);
    if (w.barrier) this.barriers.push(w.index);
  }

  /**
   * A device put `count` sectors of `bio` on its media (host order). Returns
   * the violation if this reverses the queue order of overlapping writes or
   * of writes a barrier separates. Writes the shadow was not told about are
   * recorded but never judged.
   */
  apply(bio: string, sector: number, count = 1): OrderViolation | undefined {
    for (let s = sector; s < sector + count; s++) {
      let h = this.history.get(s);
      if (h === undefined) this.history.set(s, (h = []));
      h.push(bio);
    }
    const w = this.writes.get(bio);
    if (w === undefined) return undefined;
    for (let s = sector; s < sector + count; s++) {
      const held = this.media.get(s);
      this.media.set(s, w);
      if (held !== undefined && held.index > w.index) return this.overlapViolation(w, held, s);
    }
    const later = this.maxApplied > w.index ? this.order[this.maxApplied] : undefined;
    this.maxApplied = Math.max(this.maxApplied, w.index);
    if (later !== undefined) {
      const barrier = this.barrierBetween(w.index, later.index);
      if (barrier !== undefined) return this.barrierViolation(w, later, barrier);
    }
    return undefined;
  }

  /**
   * Become a copy of `src` (the fresh shadow of a cloned run). A copy, not
   * save/restore: queued writes are immutable and shared by the queue, the
   * index and the media map, so the copy rebuilds the containers around the
   * same records (no re-linking by index); only each sector's host-order
   * list grows in place, and is copied.
   */
  copyFrom(src: SectorShadow): void {
    this.writes = new Map(src.writes);
    this.order = src.order.slice();
    this.barriers = src.barriers.slice();
    this.queuedVersions = new Map(src.queuedVersions);
    this.media = new Map(src.media);
    this.history = new Map();
    for (const [sector, bios] of src.history) this.history.set(sector, bios.slice());
    this.maxApplied = src.maxApplied;
  }

  /** Bios in the order they reached `sector` (host order there). */
  hostOrderAt(sector: number): readonly string[] {
    return this.history.get(sector) ?? [];
  }

  /** The bio whose data `sector` holds, and that data's version. */
  contents(sector: number): { readonly bio: string; readonly version: number } | undefined {
    const w = this.media.get(sector);
    return w === undefined ? undefined : { bio: w.bio, version: versionAt(w, sector) };
  }

  /** Bios queued so far, in queue order. */
  queueOrder(): readonly string[] {
    return this.order.map((w) => w.bio);
  }

  private barrierBetween(from: number, to: number): QueuedWrite | undefined {
    // First barrier at or after `from` (positions are ascending).
    let lo = 0;
    let hi = this.barriers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.barriers[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.barriers.length && this.barriers[lo] <= to ? this.order[this.barriers[lo]] : undefined;
  }

  private overlapViolation(older: QueuedWrite, newer: QueuedWrite, sector: number): OrderViolation {
    return {
      contexts: contextsOf(older, newer),
      message:
        `overlapping writes reached the host out of order: ${describe(newer)} went to the host before ${describe(older)}, both writing sector ${sector}; ` +
        `host order at sector ${sector}: ${this.hostOrderAt(sector).join(', ')}; the sector now holds version ${versionAt(older, sector)} (${older.bio}'s data) ` +
        `where version ${versionAt(newer, sector)} (${newer.bio}'s) belongs: the older data wins (silent corruption)`,
    };
  }

  private barrierViolation(earlier: QueuedWrite, later: QueuedWrite, barrier: QueuedWrite): OrderViolation {
    const which = barrier === earlier || barrier === later ? `barrier write ${barrier.bio}` : `barrier ${barrier.bio} between them`;
    return {
      contexts: contextsOf(earlier, later),
      message:
        `writes ordered by a barrier reached the host out of order: ${describe(later)} went to the host before ${describe(earlier)}, ` +
        `although ${which} requires every write queued before it to reach the media first`,
    };
  }
}

function versionAt(w: QueuedWrite, sector: number): number {
  return w.versions[sector - w.sector];
}

function describe(w: QueuedWrite): string {
  return `${w.bio} (queued ${ordinal(w.index + 1)}, by ${w.ctx}${w.barrier ? ', barrier' : ''})`;
}

function contextsOf(a: QueuedWrite, b: QueuedWrite): string[] {
  return a.ctx === b.ctx ? [a.ctx] : [a.ctx, b.ctx];
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
