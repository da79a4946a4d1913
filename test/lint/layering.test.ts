/**
 * The layering rules of eslint.config.js refuse imports against the
 * intended direction. Each case lints a one-line file as if it sat at that
 * path, so the rule itself is under test, not only today's tree.
 */
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function messages(filePath: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath });
  return r.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering lint rule', () => {
  it.each([
    ['machines/bad.ts', "import { Simulation } from '../src/kernel/simulation.js';", /machines import only xstate and biostack\/model/],
    ['machines/bad.ts', "import type { Effect } from '../src/index.js';", /machines import only xstate and biostack\/model/],
    ['src/resources/bad.ts', "import { Simulation } from '../kernel/simulation.js';", /resources must not import the kernel/],
    ['src/resources/bad.ts', "import { setup } from 'xstate';", /resources know nothing of XState/],
    ['src/check/bad.ts', "import type { World } from '../kernel/world.js';", /src\/check must not import the kernel/],
    ['src/kernel/bad.ts', "import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';", /the kernel must not import scenarios/],
    ['src/kernel/bad.ts', "import { exhaust } from '../explore/exhaustive.js';", /the kernel must not import scenarios, machines, explore/],
    ['src/model/bad.ts', "import { Channel } from '../resources/channel.js';", /src\/model is runtime-free/],
  ])('%s: %s is refused', async (file, code, why) => {
    const found = await messages(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^no-restricted-imports: /);
    expect(found[0]).toMatch(why);
  });

  it.each([
    ['machines/ok.ts', "import { setup } from 'xstate';\nimport { EAGAIN, type Effect } from '../src/model/index.js';\nimport type { UbdReply } from './ubd.js';"],
    ['src/resources/ok.ts', "import type { BufId } from '../model/buffer-cache-effects.js';\nimport { Resource } from './resource.js';"],
    ['src/kernel/ok.ts', "import { Channel } from '../resources/channel.js';\nimport type { Effect } from '../model/effects.js';"],
  ])('%s: allowed imports pass', async (file, code) => {
    expect(await messages(file, code)).toEqual([]);
  });
});
