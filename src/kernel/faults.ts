import type { FaultSpec } from './system.js';
import { Prng } from './prng.js';

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
