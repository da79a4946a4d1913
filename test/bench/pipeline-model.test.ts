/**
 * Pins the benchmark's model without timing anything: the biostack pipeline
 * must be the peer model (same final time and sink checksum as the inline
 * floor), and must cost exactly what the design says per hop, so a kernel
 * change that adds deliveries or steps shows up here rather than as a
 * mysteriously slower benchmark.
 */
import { describe, expect, it } from 'vitest';
import { NSTAGES } from '../../bench/pipeline-model.js';
import { blockedPuts, runBiostack } from '../../bench/pipeline-system.js';
import { runInline } from '../../bench/floor-inline.js';

const N = 2_000;
const HOPS = N * NSTAGES;

describe('bench pipeline model', () => {
  const floor = runInline(N);
  const { result, sink } = runBiostack(N, { recordDeliveries: true });

  it('completes every bio', () => {
    expect(result.outcome).toBe('completed');
    expect(sink.completed).toBe(N);
    expect(floor.hops).toBe(HOPS);
  });

  it('agrees with the inline floor on final time and sink checksum', () => {
    expect({ finalT: sink.finalT, checksum: sink.checksum }).toEqual({ finalT: floor.finalT, checksum: floor.checksum });
    expect(result.time).toBe(floor.finalT);
  });

  it('costs exactly 2 XState deliveries per stage hop (get.ok, service timer)', () => {
    // Context 0 is the source; 1..5 the stages.
    const stageDeliveries = result.deliveryLog!.filter((d) => d.ctx !== 0).length;
    expect(stageDeliveries).toBe(2 * HOPS);
    // The source adds a put.ok per bio (its gap starts at admission) and a gap timer between bios.
    expect(result.deliveries).toBe(2 * HOPS + (2 * N - 1));
  });

  it('adds one resume step per stage put that had to wait, and nothing else', () => {
    const blocked = blockedPuts(result);
    expect(blocked.stages).toBeGreaterThan(0); // the model does exercise back-pressure
    expect(result.steps).toBe(result.deliveries + blocked.stages);
    expect(result.steps / HOPS).toBeCloseTo(2 + (2 * N - 1) / HOPS + blocked.stages / HOPS, 12);
  });
});
