#!/usr/bin/env node
/**
 * The full random-schedule claim of S-B2 (the tests pin a subset): for each
 * configuration (submitters 2..8 x allocFailP 10% / 50%, a test-sized
 * workload of WRITES writes on 64 sectors), run ubd-reorder's buggy variant
 * and its fixes on random seeds 1..SEEDS and count outcomes. Prints one line
 * per (configuration, variant) and, for buggy, the first violating seed and
 * whether its recorded schedule replays to the same violation.
 *
 *   npm run build && node scripts/ubd-reorder-seeds.mjs [SEEDS=1000] [WRITES=300] [WORKERS=2]
 *
 * Each run is one process-independent simulation, so the seeds are shared
 * out to worker threads; the numbers do not depend on how many.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { runScenario } from '../dist/src/index.js';
import { ubdReorder } from '../dist/scenarios/ubd-reorder.js';

const VARIANTS = ['buggy', 'fix-tickets', 'fix-semaphore', 'fix-barriers'];

function configs(writes) {
  const out = [];
  for (const submitters of [2, 4, 6, 8]) for (const allocFailP of [10, 50]) out.push({ submitters, allocFailP, writes, sectors: 64 });
  return out;
}

function params(variant, config) {
  return variant === 'fix-barriers' ? { ...config, barrier: true } : config;
}

if (isMainThread) {
  const seeds = Number(process.argv[2] ?? 1000);
  const writes = Number(process.argv[3] ?? 300);
  const workers = Number(process.argv[4] ?? 2);
  const jobs = [];
  for (const config of configs(writes)) for (const variant of VARIANTS) jobs.push({ config, variant });
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { jobs, seeds, shard: w, shards: workers } });
        worker.on('message', resolve);
        worker.on('error', reject);
      }),
    ),
  );
  console.log(`ubd-reorder, random strategy, seeds 1..${seeds}, ${writes} writes on 64 sectors, chunks 2, latency 1`);
  for (let j = 0; j < jobs.length; j++) {
    const { config, variant } = jobs[j];
    const counts = {};
    let first = Infinity;
    let ms = 0;
    for (const shard of results) {
      const r = shard[j];
      for (const [o, n] of Object.entries(r.counts)) counts[o] = (counts[o] ?? 0) + n;
      first = Math.min(first, r.firstViolation);
      ms += r.ms;
    }
    const violations = counts.violation ?? 0;
    let replay = '';
    if (first !== Infinity) {
      const p = params(variant, config);
      const run = runScenario(ubdReorder, variant, p, { strategy: 'random', seed: first });
      // The allocator's failures come from the seed's own stream: a replay needs the seed as well as the schedule.
      const again = runScenario(ubdReorder, variant, p, { strategy: 'replay', seed: first, schedule: run.result.schedule });
      const same = again.result.outcome === 'violation' && again.result.traceHash === run.result.traceHash && JSON.stringify(again.result.violation) === JSON.stringify(run.result.violation);
      replay = `first at seed ${first}, replay ${same ? 'identical' : 'DIFFERS'}`;
    }
    const pct = ((100 * violations) / seeds).toFixed(1);
    console.log(
      `submitters=${config.submitters} allocFailP=${config.allocFailP}%  ${variant.padEnd(13)} violations ${String(violations).padStart(4)}/${seeds} (${pct.padStart(5)}%)  ${JSON.stringify(counts)}  ${replay}  [${Math.round(ms / 1000)} s in workers]`,
    );
  }
  console.log(`wall ${Math.round((performance.now() - started) / 1000)} s`);
} else {
  const { jobs, seeds, shard, shards } = workerData;
  const out = jobs.map(({ config, variant }) => {
    const counts = {};
    let firstViolation = Infinity;
    const t0 = performance.now();
    for (let seed = 1 + shard; seed <= seeds; seed += shards) {
      const r = runScenario(ubdReorder, variant, params(variant, config), { strategy: 'random', seed });
      counts[r.result.outcome] = (counts[r.result.outcome] ?? 0) + 1;
      if (r.result.outcome === 'violation') firstViolation = Math.min(firstViolation, seed);
    }
    return { counts, firstViolation, ms: performance.now() - t0 };
  });
  parentPort.postMessage(out);
}
