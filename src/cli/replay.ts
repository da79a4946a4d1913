/**
 * `biostack replay <token|file>`: reproduce a finding exactly, tell its story,
 * and run it a second time to check that the model is deterministic
 * (PEERS.md §5.4, FoundationDB's self-check): the same inputs must give the
 * same trace hash. If they do not, something leaks into the simulation
 * (Math.random, Date, module state, Map order) and no replay can be trusted.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { findScenario } from '../catalogue.js';
import { InputError } from '../input-error.js';
import { modelHash } from '../kernel/model-hash.js';
import { resolveParams } from '../scenario/params.js';
import { runScenario, type ScenarioRun } from '../scenario/run.js';
import type { Params, Scenario } from '../scenario/scenario.js';
import { runJson, type RunInputs } from '../report/run-json.js';
import type { ScheduleFile } from '../report/schedule-file.js';
import { storyOf } from '../report/story.js';
import { decodeToken, looksLikeToken } from '../explore/token.js';
import { defineCommand } from './command.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';
import { reproduceLines } from './reproduce.js';
import { runRequest } from './run-request.js';
import { shellQuote } from './shell-quote.js';

/** What to replay, from a token or a schedule file. */
export interface ReplayRequest {
  readonly scenario: Scenario;
  readonly variant: string;
  readonly params: Params;
  readonly inputs: RunInputs;
  /** Strategy `replay`: the recorded deliveries. */
  readonly choices?: readonly string[];
  readonly source: { readonly kind: 'token'; readonly token: string; readonly modelHash: string } | { readonly kind: 'file'; readonly path: string; readonly file: ScheduleFile };
  readonly json: boolean;
}

export const replayCommand = defineCommand({
  name: 'replay',
  summary: 'reproduce a finding from its replay token or schedule file, and check determinism',
  usage: '<token|file> [--json]',
  description: [
    'Runs what a replay token (printed by explore) or a schedule file (run --save-schedule,',
    'explore --out) names, tells the story as run does, then runs it again: both runs must give',
    'the same trace hash (and a schedule file the hash it recorded, on the same model).',
    'A token or file recorded against another model hash is replayed with a warning.',
    '',
    'Exit status: 0 reproduced, deterministically; 2 bad token or file; 4 the replay diverged',
    'from the recording or two runs of the same inputs differed.',
  ].join('\n'),
  options: {
    json: { type: 'boolean', help: 'print the run JSON (as run --json) with a replay section' },
  },
  run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new InputError(`replay takes one token or schedule file, got ${positionals.length ? `'${positionals.join(' ')}'` : 'none'}`);
    return replay(replayRequest(positionals[0], values.json === true), io);
  },
});

/** A file if one exists by that name, else a token. */
export function replayRequest(target: string, json: boolean): ReplayRequest {
  if (existsSync(target) || !looksLikeToken(target)) {
    if (!existsSync(target)) throw new InputError(`replay: '${target}' is neither a replay token (bs1.…) nor an existing schedule file`);
    const req = runRequest({ schedule: target }, []);
    const file = req.replay!.file;
    return { scenario: req.scenario, variant: req.variant, params: req.params, inputs: req.inputs, choices: file.choices, source: { kind: 'file', path: target, file }, json };
  }
  const t = decodeToken(target);
  const inToken = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`replay token: ${e.message}`);
      throw e;
    }
  };
  const scenario = inToken(() => findScenario(t.scenario));
  const params = inToken(() => resolveParams(scenario, t.variant, t.params));
  const missing = Object.keys(params).filter((p) => !Object.hasOwn(t.params, p));
  if (missing.length) throw new InputError(`replay token: field 'params' lacks ${missing.map((p) => `'${p}'`).join(', ')}, which variant ${t.variant} uses`);
  const inputs: RunInputs = { seed: t.seed, strategy: t.strategy, ...(t.pctDepth !== undefined ? { pctDepth: t.pctDepth } : {}) };
  return { scenario, variant: t.variant, params, inputs, choices: t.choices, source: { kind: 'token', token: target, modelHash: t.modelHash }, json };
}

/** Run it twice, tell the first run's story, and say whether the two agree (exit 4 when not). */
export function replay(req: ReplayRequest, io: Io): number {
  const recordedModel = req.source.kind === 'token' ? req.source.modelHash : req.source.file.modelHash;
  const what = req.source.kind === 'token' ? 'replay token' : `schedule file '${req.source.path}'`;
  const model = modelHash(req.scenario.build(req.variant, req.params));
  const sameModel = model === recordedModel;
  if (!sameModel) io.err(`biostack: warning: ${what} was recorded against model ${recordedModel}; this is model ${model} (the machines or scenario changed), so it may not reproduce\n`);

  const once = (): ScenarioRun =>
    runScenario(req.scenario, req.variant, req.params, { seed: req.inputs.seed, strategy: req.inputs.strategy, pctDepth: req.inputs.pctDepth, schedule: req.choices });
  const started = performance.now();
  const first = once();
  const wallMs = Math.round(performance.now() - started);
  const second = once();

  const hashes = [first.result.traceHash, second.result.traceHash];
  const problems: string[] = [];
  if (hashes[0] !== hashes[1]) {
    problems.push(`NOT DETERMINISTIC: the same inputs ran twice in this process gave trace ${hashes[0]} (${first.result.outcome}) and then ${hashes[1]} (${second.result.outcome})`);
  }
  if (req.source.kind === 'file') {
    const f = req.source.file;
    if (f.traceHash !== hashes[0]) {
      const differs = `the replay gave ${first.result.outcome} (trace ${hashes[0]}); the recording gave ${f.outcome} (trace ${f.traceHash})`;
      if (sameModel) problems.push(`NOT REPRODUCED on the model it was recorded on: ${differs}`);
      else io.err(`biostack: warning: ${differs}\n`);
    }
  }

  const doc = runJson(req.scenario, first, req.inputs, wallMs);
  const deterministic = problems.length === 0;
  if (req.json) {
    const { wallMs: _w, ...rest } = doc;
    const source = req.source.kind === 'token' ? { token: req.source.token } : { file: req.source.path };
    io.out(JSON.stringify({ ...rest, replay: { ...source, traceHashes: hashes, deterministic }, wallMs }, null, 2) + '\n');
  } else {
    io.out([...storyOf(doc, req.scenario, reproduce(req)), `determinism: run twice, ${deterministic ? `same trace hash ${hashes[0]}` : 'DIFFERENT traces (see stderr)'}`].join('\n') + '\n');
  }
  if (deterministic) return EXIT.ok;
  for (const p of problems) io.err(`biostack: ${p}\n`);
  io.err('biostack: something outside the model leaks into the simulation (Math.random, Date.now, module-level state, iteration order of an unordered collection); see docs/kernel.md, "Steps, strategies and time"\n');
  return EXIT.replayDiverged;
}

function reproduce(req: ReplayRequest): string[] {
  const again = `biostack replay ${shellQuote(req.source.kind === 'token' ? req.source.token : req.source.path)}`;
  if (req.source.kind === 'file') return [again, `or: ${reproduceLines({ scenario: req.scenario, variant: req.variant, params: req.params, inputs: req.inputs, replayed: req.source.path })[0]}`];
  if (req.inputs.strategy === 'replay') return [again];
  return [again, `or: ${reproduceLines({ scenario: req.scenario, variant: req.variant, params: req.params, inputs: req.inputs })[0]}`];
}
