import { describe, it, expect } from 'vitest';
import { checkScenario } from '../../src/index.js';
import { replay } from '../../src/cli/replay.js';
import { resolveParams } from '../../src/scenario/params.js';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';

/**
 * A genuinely non-deterministic model: its build() reads a module-level
 * counter, so consecutive runs of the same inputs get different bursts —
 * the kind of leak (module state, Math.random, Date) replay must catch.
 */
let builds = 0;
const leaky = checkScenario({
  ...ubdPipeFill,
  name: 'ubd-pipe-fill-leaky',
  build: (variant, params) => ubdPipeFill.build(variant, { ...params, burst: (params.burst as number) + (builds++ % 2) }),
});

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { out: (t: string) => void (out.stdout += t), err: (t: string) => void (out.stderr += t), errIsTTY: false } };
}

describe('replay checks determinism by running twice', () => {
  const request = (scenario: typeof ubdPipeFill) => ({
    scenario,
    variant: 'buggy',
    params: resolveParams(scenario, 'buggy', { burst: 5 }),
    inputs: { seed: 3, strategy: 'random' as const },
    json: true,
  });

  it('a scenario whose build() leaks module state gives two different traces: NOT DETERMINISTIC, exit 4', () => {
    const { out, io: sink } = io();
    const code = replay({ ...request(leaky), source: { kind: 'token', token: 'bs1.test', modelHash: 'recorded-elsewhere' } }, sink);
    expect(code).toBe(4);
    const doc = JSON.parse(out.stdout) as { replay: { deterministic: boolean; traceHashes: string[] } };
    expect(doc.replay.deterministic).toBe(false);
    expect(doc.replay.traceHashes[0]).not.toBe(doc.replay.traceHashes[1]);
    expect(out.stderr).toContain('warning: replay token was recorded against model recorded-elsewhere');
    expect(out.stderr).toMatch(/NOT DETERMINISTIC: the same inputs ran twice in this process gave trace \w+ \(\w+\) and then \w+/);
  });

  it('the same request on the real scenario is deterministic: exit 0', () => {
    const { out, io: sink } = io();
    const code = replay({ ...request(ubdPipeFill), source: { kind: 'token', token: 'bs1.test', modelHash: 'recorded-elsewhere' } }, sink);
    expect(code).toBe(0);
    expect((JSON.parse(out.stdout) as { replay: { deterministic: boolean } }).replay.deterministic).toBe(true);
  });
});
