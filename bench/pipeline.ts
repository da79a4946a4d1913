/**
 * Throughput benchmark: the 5-stage pipeline (peers/README.md §1) timed three
 * ways in one process, so the ratios are measured on one machine in one run:
 *
 *   biostack  the full kernel (fifo, every check on, no delivery log)
 *   bare      the same XState transitions replayed with no kernel around them
 *   floor     hand-written inline TypeScript (the practical limit on Node)
 *
 * Every biostack and floor run must reproduce the peers' cross-check values
 * (or, for an N the peers did not publish, agree with each other); a mismatch
 * means the model is not the peer model, and exits 1.
 *
 *   node dist/bench/pipeline.js [--n 200000] [--reps 3] [--only biostack|bare|floor]
 *
 * `--only` runs just one implementation (no warm-up of the others), for
 * `node --cpu-prof`.
 */
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { CROSS_CHECK, NSTAGES } from './pipeline-model.js';
import { blockedPuts, pipelineSystem, runBiostack, type BiostackRun, type SinkResult } from './pipeline-system.js';
import { compactLog, initialSnapshots, planBare, replayBare, type BareLog } from './bare-replay.js';
import { runInline } from './floor-inline.js';

const WARMUP_N = 20_000;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const N = Number(arg('n', '200000'));
const REPS = Number(arg('reps', '3'));
const ONLY = arg('only', 'all');
if (!(Number.isInteger(N) && N > 0 && Number.isInteger(REPS) && REPS > 0) || !['all', 'biostack', 'bare', 'floor'].includes(ONLY)) {
  console.error('usage: node dist/bench/pipeline.js [--n <bios>] [--reps <k>] [--only biostack|bare|floor]');
  process.exit(2);
}

let failed = false;
function check(what: string, n: number, got: SinkResult | { finalT: number; checksum: number }, want?: { finalT: number; checksum: number }): void {
  const ref = want ?? CROSS_CHECK[n];
  if (!ref) return;
  if (got.finalT !== ref.finalT || got.checksum !== ref.checksum) {
    console.error(`CROSS-CHECK FAILED: ${what} N=${n}: time ${got.finalT} checksum ${got.checksum}, expected ${ref.finalT} / ${ref.checksum}`);
    failed = true;
  }
}

function biostack(n: number, recordDeliveries = false): BiostackRun {
  const run = runBiostack(n, { recordDeliveries });
  if (run.result.outcome !== 'completed' || run.sink.completed !== n) {
    console.error(`biostack N=${n}: ${run.result.explanation}`);
    process.exit(1);
  }
  check('biostack', n, run.sink);
  return run;
}

/**
 * Wall time and this process's CPU time (user + system, all threads, so GC
 * helper threads count). The benchmark shares a 2-core machine with other
 * work; CPU time is what the figures use, as wall time there measures the
 * neighbours too.
 */
function timed<T>(f: () => T): { ms: number; wallMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms: (c.user + c.system) / 1000, wallMs, value };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** What a bare rep needs from a recording run; the run itself (schedule, ledger) is dropped first. */
interface Recording {
  readonly log: BareLog;
  /** Final state and random stream of each context still running, to check the replay against. */
  readonly finals: readonly ({ name: string; value: unknown; rng: unknown } | undefined)[];
}

function record(n: number): Recording {
  const run = biostack(n, true);
  return {
    log: compactLog(run.result.deliveryLog!),
    finals: run.sim.contexts.map((c) => (c.exited ? undefined : { name: c.name, value: c.top.snapshot.value, rng: c.top.snapshot.context.rng })),
  };
}

/**
 * Replays a recording, timed (initial snapshots timed apart), and checks the
 * replay ended where biostack did (same state, same random stream), so both
 * did the same work.
 */
function bare(rec: Recording, n: number): { ms: number; wallMs: number; initMs: number } {
  const plan = planBare(pipelineSystem(n));
  const init = timed(() => initialSnapshots(plan));
  const run = timed(() => replayBare(plan, init.value, rec.log));
  rec.finals.forEach((want, i) => {
    const got = init.value[i];
    if (want && (got.value !== want.value || got.context.rng !== want.rng)) {
      console.error(`bare replay diverged on ${want.name}: ${String(got.value)}/${got.context.rng} vs biostack ${String(want.value)}/${want.rng}`);
      process.exit(1);
    }
  });
  return { ms: run.ms, wallMs: run.wallMs, initMs: init.wallMs };
}

// ---- warm-up: one run of each at 20,000 (JIT, inline caches, machine hosts) ------------
if (ONLY === 'all') {
  biostack(WARMUP_N);
  bare(record(WARMUP_N), WARMUP_N);
  check('floor', WARMUP_N, runInline(WARMUP_N));
}

const hops = N * NSTAGES;
type Impl = 'biostack' | 'bare' | 'floor';
const IMPLS: readonly Impl[] = ['biostack', 'bare', 'floor'];
const cpu: Record<Impl, number[]> = { biostack: [], bare: [], floor: [] };
const wall: Record<Impl, number[]> = { biostack: [], bare: [], floor: [] };
const initMs: number[] = [];
let floorRef: { finalT: number; checksum: number } | undefined;
let last: BiostackRun | undefined;
const runs = (what: Impl) => ONLY === 'all' || ONLY === what;
const keep = (impl: Impl, t: { ms: number; wallMs: number }) => {
  cpu[impl].push(t.ms);
  wall[impl].push(t.wallMs);
};

// Reps go round-robin (biostack, bare, floor, biostack, ...) so that load from other
// processes on a shared machine falls on all three alike; ratios are also given per rep
// (paired). Each bare rep replays a log recorded just before it and dropped after, so no
// biostack rep runs with ~100 MB of logged events in the heap to mark.
for (let r = 0; r < REPS; r++) {
  if (runs('biostack')) {
    const t = timed(() => biostack(N));
    keep('biostack', t);
    last = t.value;
  }
  if (runs('bare')) {
    const t = bare(record(N), N);
    keep('bare', t);
    initMs.push(t.initMs);
  }
  if (runs('floor')) {
    const t = timed(() => runInline(N));
    check('floor', N, t.value);
    floorRef = t.value;
    keep('floor', t);
  }
}
// An N the peers did not publish: biostack must still agree with the floor.
if (last && floorRef && !CROSS_CHECK[N]) check('biostack vs floor', N, last.sink, floorRef);
if (failed) process.exit(1);

// ---- report ------------------------------------------------------------------------------
const xstateVersion = (createRequire(import.meta.url)('xstate/package.json') as { version: string }).version;
console.log(`biostack pipeline benchmark: N = ${N} bios, ${hops} hops, median of ${REPS} rep(s)${ONLY === 'all' ? ' after one warm-up of each at N = 20,000' : `, --only ${ONLY}, no warm-up`}`);
console.log(`machine: ${cpus()[0]?.model ?? '?'} x ${cpus().length} cores; node ${process.version}; xstate ${xstateVersion}; ${new Date().toISOString()}`);
console.log('');
const fmt = (ms: number) => ms.toFixed(0);
console.log(`${'impl'.padEnd(9)} ${'cpu ms'.padStart(9)} ${'hops/s (cpu)'.padStart(14)} ${'wall ms'.padStart(9)}   reps cpu / wall ms`);
for (const impl of IMPLS) {
  if (!cpu[impl].length) continue;
  const m = median(cpu[impl]);
  const reps = cpu[impl].map((c, i) => `${fmt(c)}/${fmt(wall[impl][i])}`).join(', ');
  const init = impl === 'bare' && initMs.length ? `; initial snapshots ${median(initMs).toFixed(3)} ms wall` : '';
  console.log(`${impl.padEnd(9)} ${fmt(m).padStart(9)} ${Math.round(hops / (m / 1000)).toLocaleString('en-US').padStart(14)} ${fmt(median(wall[impl])).padStart(9)}   ${reps}${init}`);
}
console.log('');
const ratio = (a: Impl, c: Impl, digits: number, note = '') => {
  if (!cpu[a].length || !cpu[c].length) return;
  const paired = cpu[a].map((v, i) => (v / cpu[c][i]).toFixed(digits)).join(', ');
  console.log(`${`${a} / ${c}`.padEnd(16)} = ${(median(cpu[a]) / median(cpu[c])).toFixed(digits)}x cpu, ${(median(wall[a]) / median(wall[c])).toFixed(digits)}x wall${note}   (per rep, cpu: ${paired})`);
};
ratio('biostack', 'bare', 2, ' (target 1.3x)');
ratio('biostack', 'floor', 1);
ratio('bare', 'floor', 1);
if (last) {
  const res = last.result;
  const blocked = blockedPuts(res);
  const resumes = res.steps - res.deliveries;
  console.log('');
  console.log(`XState deliveries per hop  ${(res.deliveries / hops).toFixed(4)}   (${res.deliveries} = 2 x ${hops} hops + ${res.deliveries - 2 * hops} source: a put.ok per bio and a gap timer between bios)`);
  console.log(`scheduler steps per hop    ${(res.steps / hops).toFixed(4)}   (${res.steps} steps)`);
  console.log(`resumes (steps, no XState) ${resumes}   (= stage puts that had to wait: ${blocked.stages}; source puts that waited: ${blocked.source}, acked, so no resume)`);
  console.log(`cross-check                time ${last.sink.finalT}, checksum ${last.sink.checksum}${CROSS_CHECK[N] ? ' (= peers)' : floorRef ? ' (= floor)' : ''}`);
}
