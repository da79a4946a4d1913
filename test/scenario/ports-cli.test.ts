/**
 * A scenario whose wiring is refused is refused when it loads (defineScenario
 * builds every variant at its defaults), and the command line reports that
 * as bad input: exit 2, one line naming the scenario, the port and both
 * contexts, never a crash on import.
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, ModelError, wiring } from '../../src/index.js';
import { failure } from '../../src/cli/failure.js';
import { ubdIrq } from '../../machines/ubd-irq.js';

const broken = () =>
  defineScenario({
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

const MESSAGE = "scenario ubd-pipe-fill, variant buggy: pipe 'aio->ubd' is declared with 1 reader but is read by 'ubd-irq' and 'other'";

describe('a refused wiring', () => {
  it('is refused at load time, naming the scenario, the variant, the port and both contexts', () => {
    expect(broken).toThrow(ModelError);
    expect(broken).toThrow(MESSAGE);
  });

  it('the executable reports it as bad input: exit 2, one line', () => {
    let stderr = '';
    let error: unknown;
    try {
      broken();
    } catch (e) {
      error = e;
    }
    expect(failure(error, { out: () => undefined, err: (t) => void (stderr += t), errIsTTY: false })).toBe(2);
    expect(stderr).toBe(`biostack: model error (the scenario or a machine is broken): ${MESSAGE}\n`);
  });
});
