/**
 * CPU and interrupt effects (spl, iret, raiseIrq): NetBSD's splbio()/splx()
 * (each port's sys/arch/<port>/include/intr.h) and Linux's local_irq_save/restore raise and
 * lower the CPU's priority level; a handler returns with iret; a device
 * asserts its line.
 */
import type { Effect } from '../../model/effects.js';
import { defineEffectFamily, done, handler, type Performed } from '../protocol.js';
import { ModelError } from '../model-error.js';

type Spl = Extract<Effect, { type: 'spl' }>;
type Iret = Extract<Effect, { type: 'iret' }>;
type RaiseIrq = Extract<Effect, { type: 'raiseIrq' }>;

export const cpuFamily = defineEffectFamily({
  name: 'cpu',
  effects: {
    spl: handler<Spl>({
      perform(e, env): Performed {
        if (!env.kernel.setIpl(e.level)) throw new ModelError(`context '${env.caller}' emitted spl but runs on no cpu`);
        env.note({ effect: 'spl', subject: String(e.level), status: 'ok' });
        return done();
      },
    }),
    iret: handler<Iret>({
      perform(_e, env): Performed {
        if (!env.kernel.iret()) throw new ModelError(`context '${env.caller}' emitted iret outside an interrupt`);
        env.note({ effect: 'iret', status: 'ok' });
        return done();
      },
    }),
    raiseIrq: handler<RaiseIrq>({
      perform(e, env): Performed {
        if (!env.kernel.raiseIrq(e.handler)) throw new ModelError(`raiseIrq: '${e.handler}' is not an interrupt handler context`);
        env.note({ effect: 'raiseIrq', subject: e.handler, status: 'ok' });
        return done();
      },
    }),
  },
});
