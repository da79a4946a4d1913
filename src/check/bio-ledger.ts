/**
 * Every bio is an obligation (DESIGN.md principle 6): from `bioSubmit` it must
 * be completed exactly once. Completing an unknown bio or completing one twice
 * is a violation at that step; a bio still open at the end is named as stuck.
 */
export interface BioRecord {
  readonly id: string;
  readonly submittedAt: number;
  completedAt: number;
  /** Virtual time of completion (-1 while open). */
  completedTime: number;
  error: number;
}

export class BioLedger {
  private readonly bios = new Map<string, BioRecord>();
  private open = 0;
  completed = 0;
  /** Step of the latest completion (for the no-progress window). */
  lastCompletionStep = 0;

  /** Returns a violation sentence, or undefined. */
  submit(id: string, step: number): string | undefined {
    if (this.bios.has(id)) return `bio ${id} submitted twice (ids must be unique: creator#sequence)`;
    this.bios.set(id, { id, submittedAt: step, completedAt: -1, completedTime: -1, error: 0 });
    this.open++;
    return undefined;
  }

  /** Returns a violation sentence, or undefined. */
  complete(id: string, error: number, step: number, time = 0): string | undefined {
    const b = this.bios.get(id);
    if (!b) return `bio ${id} completed but never submitted`;
    if (b.completedAt >= 0) return `bio ${id} completed twice (first at step ${b.completedAt}, again at step ${step})`;
    b.completedAt = step;
    b.completedTime = time;
    b.error = error;
    this.open--;
    this.completed++;
    this.lastCompletionStep = step;
    return undefined;
  }

  /**
   * Every record and counter as plain data, records in submission order.
   * Save/restore rather than a copy: records are small plain objects that
   * `complete` mutates, so they are copied either way, and data is what a
   * checkpoint can store.
   */
  save(): LedgerState {
    const bios: BioRecord[] = [];
    for (const b of this.bios.values()) bios.push({ ...b });
    return { bios, completed: this.completed, lastCompletionStep: this.lastCompletionStep };
  }

  /** Become the ledger that saved `state` (copied, never adopted: a state may be restored many times). */
  restore(state: LedgerState): void {
    this.bios.clear();
    let open = 0;
    for (const b of state.bios) {
      this.bios.set(b.id, { ...b });
      if (b.completedAt < 0) open++;
    }
    this.open = open;
    this.completed = state.completed;
    this.lastCompletionStep = state.lastCompletionStep;
  }

  get submitted(): number {
    return this.bios.size;
  }

  get outstanding(): number {
    return this.open;
  }

  /** Completed with an error (errno != 0). */
  get failed(): number {
    let n = 0;
    for (const b of this.bios.values()) if (b.completedAt >= 0 && b.error !== 0) n++;
    return n;
  }

  /** Every bio, in submission order. */
  records(): IterableIterator<Readonly<BioRecord>> {
    return this.bios.values();
  }

  /** Open bios in submission order. */
  stuck(): string[] {
    const out: string[] = [];
    for (const b of this.bios.values()) if (b.completedAt < 0) out.push(b.id);
    return out;
  }
}

/** A ledger's state (`BioLedger.save`): its records in submission order, and the counters. */
export interface LedgerState {
  readonly bios: readonly Readonly<BioRecord>[];
  readonly completed: number;
  readonly lastCompletionStep: number;
}
