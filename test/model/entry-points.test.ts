/**
 * The package's entry points resolve as a user's import would (package.json
 * `exports`), with type declarations beside them, and `biostack/model` is the
 * runtime-free vocabulary: constants and types, no Simulation.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const load = (spec: string): string[] =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import('${spec}'); console.log(JSON.stringify(Object.keys(m).sort()))`], { encoding: 'utf8' })) as string[];

describe('package entry points', () => {
  it('biostack/model exports the errno and IPL constants, the effect creators, the event readers and the action readers for machine tests, nothing of the runtime', () => {
    const creators = ['put', 'get', 'ioSubmit', 'ioGetevents', 'ioComplete', 'kmalloc', 'kfree', 'alloc', 'free', 'lock', 'unlock', 'down', 'up', 'ticketTake', 'ticketWait', 'ticketAdvance', 'spl', 'iret', 'raiseIrq', 'call', 'bioSubmit', 'bioComplete', 'mediaWrite', 'metric'];
    const bufferCacheCreators = ['getblk', 'bufMalloc', 'getnewbuf', 'needbuffer', 'bufio', 'bufHandoff', 'biowait', 'biodone', 'brelse', 'vflushbuf'];
    const rest = ['EAGAIN', 'EIO', 'IPL_BIO', 'IPL_HIGH', 'IPL_NONE', 'IPL_SOFTBIO', 'IPL_VM', 'effectsOf', 'splitActions', 'timersOf', 'itemOf', 'outputOf', 'required', 'layerTypes'];
    expect(load('biostack/model')).toEqual([...creators, ...bufferCacheCreators, ...rest].sort());
  });

  it('biostack exports the model too, plus the Simulation and the scenario API', () => {
    const keys = load('biostack');
    for (const k of ['EAGAIN', 'IPL_BIO', 'Simulation', 'defineScenario', 'runScenario', 'expectOutcome']) expect(keys).toContain(k);
  });

  it('each entry point ships type declarations (no TS7016 for a user)', () => {
    for (const f of ['dist/src/index.d.ts', 'dist/src/model/index.d.ts', 'dist/src/model/effects.d.ts']) expect(existsSync(f), f).toBe(true);
  });
});
