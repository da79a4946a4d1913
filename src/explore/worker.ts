/**
 * The worker thread of workers.ts: run the share of jobs it was given, in
 * order, sending each trial back as it completes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { findScenario } from '../catalogue.js';
import { runTrial } from './trial.js';
import type { WorkerInput, WorkerMessage } from './workers.js';

const port = parentPort;
if (!port) throw new Error('worker.js runs as a worker thread of workers.ts, not on its own');
const { plans, jobs } = workerData as WorkerInput;
const post = (m: WorkerMessage): void => port.postMessage(m);
try {
  for (const job of jobs) {
    const plan = plans[job.plan];
    post({ kind: 'trial', index: job.index, trial: runTrial(findScenario(plan.scenario), plan, job.seed) });
  }
  post({ kind: 'done' });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ kind: 'error', name: err.name, message: err.message, stack: err.stack });
}
