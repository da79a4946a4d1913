/**
 * The package's entry points resolve as a user's import would (package.json
 * `exports`), with type declarations beside them, and `biostack/model` is the
 * runtime-free vocabulary: loading it, or a layer machine, never loads the
 * scheduler (dist/src/kernel) or the explorer (dist/src/explore). That is
 * checked by loading them in a child process with a loader hook that logs
 * every module loaded (fixtures/log-loads.mjs); the same hook must see the
 * kernel and the explorer behind `biostack/testing`, so a hook that logged
 * nothing could not pass the test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const load = (spec: string): string[] =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import('${spec}'); console.log(JSON.stringify(Object.keys(m).sort()))`], { encoding: 'utf8' })) as string[];

interface ExportTarget {
  readonly types: string;
  readonly default: string;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; exports: Record<string, ExportTarget | string> };
const entryPoints = Object.entries(pkg.exports).filter((e): e is [string, ExportTarget] => typeof e[1] !== 'string');

const HOOK = pathToFileURL(join(import.meta.dirname, 'fixtures', 'log-loads.mjs')).href;

/** Every module URL a fresh node process loads to import `spec`. */
function modulesLoadedBy(spec: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'biostack-loads-'));
  const log = join(dir, 'loaded.txt');
  try {
    execFileSync(process.execPath, ['--import', HOOK, '--input-type=module', '-e', `await import(${JSON.stringify(spec)})`], { env: { ...process.env, LOAD_LOG: log }, encoding: 'utf8' });
    return readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const runtimeModules = (urls: readonly string[]): string[] => urls.filter((u) => /\/dist\/src\/(kernel|explore)\//.test(u));

describe('package entry points', () => {
  it('biostack/model exports the errno and IPL constants, the effect creators, the event readers, machine-owned parameter declarations and the action readers for machine tests, nothing of the runtime', () => {
    const creators = ['put', 'get', 'ioSubmit', 'ioGetevents', 'ioComplete', 'kmalloc', 'kfree', 'alloc', 'free', 'getRequest', 'putRequest', 'lock', 'unlock', 'down', 'up', 'ticketTake', 'ticketWait', 'ticketAdvance', 'spl', 'iret', 'raiseIrq', 'call', 'bioSubmit', 'bioComplete', 'mediaWrite', 'metric', 'draw'];
    const bufferCacheCreators = ['getblk', 'bufMalloc', 'getnewbuf', 'needbuffer', 'bufio', 'bufHandoff', 'biowait', 'biodone', 'brelse', 'vflushbuf'];
    const rest = ['EAGAIN', 'EIO', 'IPL_BIO', 'IPL_HIGH', 'IPL_NONE', 'IPL_SOFTBIO', 'IPL_VM', 'effectsOf', 'splitActions', 'timersOf', 'itemOf', 'outputOf', 'required', 'layerTypes', 'defineParams', 'GFP_FLAGS', 'GFP_MASKS', 'parseGfp', 'gfpMayWait'];
    expect(load('biostack/model')).toEqual([...creators, ...bufferCacheCreators, ...rest].sort());
  });

  it('biostack exports the model too, plus the Simulation and the scenario API', () => {
    const keys = load('biostack');
    for (const k of ['EAGAIN', 'IPL_BIO', 'put', 'itemOf', 'Simulation', 'defineScenario', 'runScenario', 'expectOutcome']) expect(keys).toContain(k);
  });

  it('biostack/scenario is defineScenario, the wiring of declared ports and the plug-in kind API (plus their types); biostack/testing the outcome assertions', () => {
    expect(load('biostack/scenario')).toEqual(['AioRingPort', 'ChannelPort', 'CounterPort', 'Cpu', 'DEFAULT_HZ', 'End', 'MempoolPort', 'NO_WAKEUPS', 'PERSONALITIES', 'PREEMPTION_MODES', 'PlainPort', 'Port', 'Resource', 'SemaphorePort', 'Wiring', 'WiringError', 'canonicalText', 'defineEffectFamily', 'defineResourceKind', 'defineScenario', 'done', 'handler', 'mentionsBio', 'wiring']);
    expect(load('biostack/testing')).toEqual(['expectNoFinding', 'expectOutcome']);
  });

  it('every entry point of package.json resolves and ships its type declarations (no TS7016 for a user)', () => {
    expect(entryPoints.map(([k]) => k)).toEqual(['.', './model', './scenario', './testing']);
    for (const [key, target] of entryPoints) {
      const spec = key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`;
      expect(load(spec).length, spec).toBeGreaterThan(0);
      expect(target.types.endsWith('.d.ts'), `${key} types`).toBe(true);
      expect(existsSync(target.types), target.types).toBe(true);
      expect(existsSync(target.default), target.default).toBe(true);
    }
    expect(existsSync('dist/src/model/effects.d.ts')).toBe(true);
  });

  it('the load log sees the kernel and the explorer behind biostack/testing (so the checks below can fail)', () => {
    const loaded = modulesLoadedBy('biostack/testing');
    expect(loaded.some((u) => u.includes('/dist/src/kernel/'))).toBe(true);
    expect(loaded.some((u) => u.includes('/dist/src/explore/'))).toBe(true);
  });

  it('loading biostack/model loads nothing of the scheduler or the explorer', () => {
    const loaded = modulesLoadedBy('biostack/model');
    expect(loaded.some((u) => u.endsWith('/dist/src/model/index.js'))).toBe(true);
    expect(runtimeModules(loaded)).toEqual([]);
  });

  it('loading every layer machine (machines/index.js) loads nothing of the scheduler or the explorer', () => {
    const loaded = modulesLoadedBy(pathToFileURL('dist/machines/index.js').href);
    expect(loaded.some((u) => u.endsWith('/dist/machines/ubd-alloc.js'))).toBe(true);
    expect(loaded.some((u) => u.endsWith('/dist/src/model/creators.js'))).toBe(true);
    expect(runtimeModules(loaded)).toEqual([]);
  });
});
