/**
 * The pipeline as a biostack system (a source and five stage contexts, five
 * inboxes), and how to read the sink's cross-check values back from a run.
 */
import { Simulation, type RunOptions, type RunResult, type SystemSpec } from '../src/index.js';
import { BASE, CAP, inbox, M32, NSTAGES, SEEDS, SRC } from './pipeline-model.js';
import { stage } from './machines/stage.js';
import { source } from './machines/source.js';

/** Source + 5 stages (own hardware, no CPU contention), inboxes of capacity CAP. */
export function pipelineSystem(n: number): SystemSpec {
  const stages = Array.from({ length: NSTAGES }, (_, i) => ({
    name: `stage${i}`,
    kind: 'thread' as const,
    machine: stage,
    input: { inbox: inbox(i), next: i + 1 < NSTAGES ? inbox(i + 1) : null, base: BASE[i], seed: SEEDS[i] },
  }));
  return {
    cpus: [],
    contexts: [{ name: 'source', kind: 'thread', machine: source, input: { n, inbox: inbox(0), seed: SEEDS[SRC] } }, ...stages],
    // Declared readers/writers make every wait-for edge certain (only-reader / only-writer).
    resources: Array.from({ length: NSTAGES }, (_, i) => ({
      kind: 'channel' as const,
      name: inbox(i),
      capacity: CAP,
      readers: [`stage${i}`],
      writers: [i === 0 ? 'source' : `stage${i - 1}`],
    })),
  };
}

/** A run needs ~12 steps per bio; the default 1,000,000 budget would stop N = 200,000 early. */
export function pipelineOptions(n: number, extra: RunOptions = {}): RunOptions {
  return { strategy: 'fifo', maxSteps: 20 * n + 1000, ...extra };
}

export interface SinkResult {
  readonly finalT: number;
  readonly checksum: number;
  readonly completed: number;
}

/** The sink's checksum, from the ledger's completion times (so it checks the kernel's clock too). */
export function sinkResult(sim: Simulation): SinkResult {
  let finalT = 0;
  let checksum = 0;
  let completed = 0;
  for (const r of sim.ledger.records()) {
    if (r.completedTime < 0) continue;
    const k = Number(r.id.slice(r.id.indexOf('#') + 1));
    checksum = (checksum + r.completedTime * ((k % 7) + 1)) % M32;
    if (r.completedTime > finalT) finalT = r.completedTime;
    completed++;
  }
  return { finalT, checksum, completed };
}

/** Puts that found the next inbox full, per channel (inbox0 is the source's). */
export function blockedPuts(result: RunResult): { source: number; stages: number } {
  let stages = 0;
  for (let i = 1; i < NSTAGES; i++) stages += result.metrics[`${inbox(i)}.putsBlocked`] ?? 0;
  return { source: result.metrics[`${inbox(0)}.putsBlocked`] ?? 0, stages };
}

export interface BiostackRun {
  readonly sim: Simulation;
  readonly result: RunResult;
  readonly sink: SinkResult;
}

export function runBiostack(n: number, extra: RunOptions = {}): BiostackRun {
  const sim = new Simulation(pipelineSystem(n), pipelineOptions(n, extra));
  const result = sim.run();
  return { sim, result, sink: sinkResult(sim) };
}
