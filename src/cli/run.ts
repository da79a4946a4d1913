/** `biostack run`: one run of one variant, told as a story or as JSON. */
import { performance } from 'node:perf_hooks';
import { modelHash } from '../kernel/model-hash.js';
import { runScenario } from '../scenario/run.js';
import { runJson } from '../report/run-json.js';
import { storyOf } from '../report/story.js';
import { toScheduleFile } from '../report/schedule-file.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import { RUN_OPTIONS, runRequest } from './run-request.js';
import { writeFilesAtomically, type OutputFile } from './atomic-write.js';
import { traceJsonl } from './trace-file.js';
import { reproduceLines } from './reproduce.js';

export const runCommand = defineCommand({
  name: 'run',
  summary: 'run one variant of a scenario once and explain the verdict',
  usage: '<scenario> [options]   |   run --schedule <file> [options]',
  description: [
    'Runs the variant (default: the scenario\'s default) on its default parameters, or those given',
    'with --set, under one schedule, and tells the story: the verdict, the wait-for cycle, the stuck',
    'bios, the last steps and a command line that reproduces it.',
    '',
    'Exit status: 0 a verdict was produced; 1 --expect was given and the outcome differs;',
    '2 bad input; 3 internal error; 4 a replayed schedule diverged from the model.',
  ].join('\n'),
  options: RUN_OPTIONS,
  run({ values, positionals }, io) {
    const req = runRequest(values, positionals);
    if (req.replay) {
      // Before running: a replay against another model may diverge, and this says why.
      const { path, file } = req.replay;
      const now = modelHash(req.scenario.build(req.variant, req.params));
      if (file.modelHash !== now) {
        io.err(`biostack: warning: schedule file '${path}' was recorded against model ${file.modelHash}; this is model ${now} (the machines or scenario changed)\n`);
      }
    }
    const started = performance.now();
    const run = runScenario(req.scenario, req.variant, req.params, {
      seed: req.inputs.seed,
      strategy: req.inputs.strategy,
      pctDepth: req.inputs.pctDepth,
      schedule: req.replay?.file.choices,
      maxSteps: req.maxSteps,
      recordTrace: req.tracePath !== undefined,
    });
    const wallMs = Math.round(performance.now() - started);

    if (req.replay) {
      const { file } = req.replay;
      if (file.outcome !== run.result.outcome || file.traceHash !== run.result.traceHash) {
        io.err(`biostack: warning: the replay gave ${run.result.outcome} (trace ${run.result.traceHash}); the recording gave ${file.outcome} (trace ${file.traceHash})\n`);
      }
    }

    const files: OutputFile[] = [];
    if (req.tracePath !== undefined) files.push({ flag: 'trace', path: req.tracePath, content: traceJsonl(run, req.inputs) });
    if (req.saveSchedulePath !== undefined) {
      files.push({ flag: 'save-schedule', path: req.saveSchedulePath, content: JSON.stringify(toScheduleFile(run, req.inputs), null, 2) + '\n' });
    }
    writeFilesAtomically(files);

    const doc = runJson(req.scenario, run, req.inputs, wallMs);
    if (req.json) {
      io.out(JSON.stringify(doc, null, 2) + '\n');
    } else {
      const reproduce = reproduceLines({
        scenario: req.scenario,
        variant: run.variant,
        params: run.params,
        inputs: req.inputs,
        maxSteps: req.maxSteps,
        replayed: req.replay?.path,
        saved: req.saveSchedulePath,
      });
      io.out(storyOf(doc, req.scenario, reproduce).join('\n') + '\n');
    }

    if (req.expect !== undefined && req.expect !== run.result.outcome) {
      io.err(`biostack: expected outcome ${req.expect}, got ${run.result.outcome}\n`);
      return EXIT.verdictDiffers;
    }
    return EXIT.ok;
  },
});
