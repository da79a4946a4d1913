import type { FaultSpec } from './system.js';
import { Prng, type PrngState } from './prng.js';

/**
 * Deterministic error injection. Each fault point has its own seeded stream
 * (forked from the run seed by point name), so adding a fault elsewhere, or a
 * strategy drawing more numbers, never shifts when this one fires.
 */
export class FaultInjector {
  private readonly calls = new Map<FaultSpec, number>();
  private readonly streams = new Map<FaultSpec, Prng>();
  /** Faults injected so far, per point (a metric, and evidence the fault path ran). */
  readonly injected: Record<string, number> = {};

  constructor(
    private readonly specs: readonly FaultSpec[],
    seed: number,
  ) {
    const root = new Prng(seed);
    specs.forEach((s, i) => this.streams.set(s, root.fork(`fault:${i}:${s.at}:${s.ring ?? ''}`)));
  }

  /**
   * The mutable state as plain data, per fault point in spec order (the
   * `calls` and `streams` maps are keyed by the shared FaultSpec objects, so
   * an index names a point in any instance built from the same specs): how
   * often it was reached and its stream's position. Save/restore rather than
   * a copy, since the streams are Prngs, whose position is data already.
   */
  save(): FaultState {
    return {
      calls: this.specs.map((s) => this.calls.get(s) ?? 0),
      streams: this.specs.map((s) => this.streams.get(s)!.save()),
      injected: { ...this.injected },
    };
  }

  /** Continue exactly where the injector that saved `state` (built from the same specs) was. */
  restore(state: FaultState): void {
    if (state.calls.length !== this.specs.length) throw new Error(`faults: a state of ${state.calls.length} fault points cannot be restored into ${this.specs.length}`);
    this.specs.forEach((s, i) => {
      if (state.calls[i] > 0) this.calls.set(s, state.calls[i]);
      else this.calls.delete(s);
      this.streams.get(s)!.restore(state.streams[i]);
    });
    for (const k of Object.keys(this.injected)) delete this.injected[k];
    Object.assign(this.injected, state.injected);
  }

  /** The errno to inject for this call at `at` on `ring`, or 0. */
  check(at: FaultSpec['at'], ring: string): number {
    for (const spec of this.specs) {
      if (spec.at !== at || (spec.ring !== undefined && spec.ring !== ring)) continue;
      const n = (this.calls.get(spec) ?? 0) + 1;
      this.calls.set(spec, n);
      const hit = spec.nth ? spec.nth.includes(n) : spec.p !== undefined && this.streams.get(spec)!.next() < spec.p;
      if (hit) {
        this.injected[at] = (this.injected[at] ?? 0) + 1;
        return spec.errno;
      }
    }
    return 0;
  }
}

/** A FaultInjector's mutable state (`save`), indexed like the fault specs. */
export interface FaultState {
  readonly calls: readonly number[];
  readonly streams: readonly PrngState[];
  readonly injected: Readonly<Record<string, number>>;
}
