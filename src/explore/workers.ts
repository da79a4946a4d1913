/**
 * Trials on worker threads. The jobs are dealt round-robin (job j to worker
 * j % K), each worker runs its share in order and sends every trial back with
 * its job index, and the caller puts them in job order: the result does not
 * depend on K or on which worker finished first.
 *
 * Workers run the compiled JavaScript: dist/src/explore/worker.js, found next
 * to this module when it runs from dist/ (the CLI always does), or under
 * dist/ when it runs from src/ (vitest). `npm run build` must have run; it
 * runs on install, `npm start` and `npm test`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from '../input-error.js';
import { ModelError } from '../kernel/model-error.js';
import type { Trial, TrialJob, TrialPlan } from './trial.js';

/** What one worker is given. */
export interface WorkerInput {
  readonly plans: readonly TrialPlan[];
  readonly jobs: readonly (TrialJob & { readonly index: number })[];
}

/** What a worker sends back: each trial, then `done`, or the error that stopped it. */
export type WorkerMessage =
  | { readonly kind: 'trial'; readonly index: number; readonly trial: Trial }
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly name: string; readonly message: string; readonly stack?: string };

export function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL('../../dist/src/explore/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`worker threads run the compiled worker, and neither ${fileURLToPath(here)} nor ${fileURLToPath(built)} exists: run npm run build`);
}

/** Run `jobs` on `workers` threads; `onTrial` gets each trial with its job index. Rejects with the first error. */
export function runInWorkers(plans: readonly TrialPlan[], jobs: readonly TrialJob[], workers: number, onTrial: (index: number, trial: Trial) => void): Promise<void> {
  const url = workerUrl();
  const k = Math.max(1, Math.min(workers, jobs.length));
  const shares: (TrialJob & { index: number })[][] = Array.from({ length: k }, () => []);
  jobs.forEach((job, index) => shares[index % k].push({ ...job, index }));
  const threads: Worker[] = [];
  const finished = shares.map(
    (share) =>
      new Promise<void>((resolve, reject) => {
        const input: WorkerInput = { plans, jobs: share };
        const w = new Worker(url, { workerData: input });
        threads.push(w);
        let done = false;
        w.on('message', (m: WorkerMessage) => {
          if (m.kind === 'trial') onTrial(m.index, m.trial);
          else if (m.kind === 'done') {
            done = true;
            resolve();
          } else reject(rebuild(m));
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (!done) reject(new Error(`an explore worker exited (code ${code}) before finishing its ${share.length} schedules`));
        });
      }),
  );
  return Promise.all(finished).then(
    () => undefined,
    async (e: unknown) => {
      await Promise.all(threads.map((t) => t.terminate()));
      throw e;
    },
  );
}

/** Errors cross threads as data; give them back their class so the CLI maps them to the right exit code. */
function rebuild(m: Extract<WorkerMessage, { kind: 'error' }>): Error {
  if (m.name === 'InputError') return new InputError(m.message);
  if (m.name === 'ModelError') return new ModelError(m.message);
  const e = new Error(`in an explore worker: ${m.message}`);
  if (m.stack) e.stack = `${e.message}\n--- worker stack ---\n${m.stack}`;
  return e;
}
