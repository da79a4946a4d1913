/**
 * A scenario whose wiring is refused at build time is bad input for the CLI:
 * exit 2, one line naming the scenario, the port and the contexts. The
 * catalogue is replaced here by one broken scenario (this file only).
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src/catalogue.js', async () => {
  const { defineScenario, wiring } = await import('../../src/index.js');
  const { InputError } = await import('../../src/input-error.js');
  const { ubdIrq } = await import('../../machines/ubd-irq.js');
  const broken = defineScenario({
    name: 'ubd-pipe-fill',
    title: 'two contexts read a pipe declared with one reader',
    seed: '-',
    ref: '-',
    summary: '-',
    params: {},
    defaultVariant: 'buggy',
    variants: { buggy: { summary: '-', ref: '-', expect: { kind: 'may', outcome: 'deadlock' }, uses: [] } },
    build() {
      const sys = wiring();
      const pipe = sys.pipe('aio->ubd', { capacity: 2, readers: 1 });
      const kick = sys.semaphore('ubd.kick', { count: 0 });
      for (const name of ['ubd-irq', 'other']) sys.context({ name, kind: 'thread', machine: ubdIrq, input: { pipe: pipe.reader, kick: kick.down } });
      return sys.build();
    },
  });
  const CATALOGUE = [broken];
  const findScenario = (name: string) => {
    if (name !== broken.name) throw new InputError(`unknown scenario '${name}'`);
    return broken;
  };
  return { CATALOGUE, findScenario, selectScenarios: () => CATALOGUE };
});

const { main } = await import('../../src/cli/main.js');

describe('a refused wiring on the command line', () => {
  it('run: exit 2, the model error names scenario, variant, port and both contexts', () => {
    let stderr = '';
    const status = main(['run', 'ubd-pipe-fill'], { out: () => undefined, err: (t) => void (stderr += t), errIsTTY: false });
    expect(status).toBe(2);
    expect(stderr).toBe(
      "biostack: model error (the scenario or a machine is broken): scenario ubd-pipe-fill, variant buggy: pipe 'aio->ubd' is declared with 1 reader but is read by 'ubd-irq' and 'other'\n",
    );
  });
});
