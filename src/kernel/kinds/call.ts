/**
 * Synchronous calls (call): a function call into another layer on the same
 * stack — vnd's strategy calling into the file system's VOP_STRATEGY — pushed
 * as a frame, so recursion depth and stack overflow are visible.
 */
import type { Effect } from '../../model/effects.js';
import { defineEffectFamily, handler, type Performed } from '../protocol.js';
import { ModelError } from '../model-error.js';

type CallE = Extract<Effect, { type: 'call' }>;

export const callFamily = defineEffectFamily({
  name: 'call',
  effects: {
    call: handler<CallE>({
      perform(e, env): Performed {
        const machine = env.kernel.callable(e.machine);
        if (!machine) throw new ModelError(`context '${env.caller}' called machine '${e.machine}', which the scenario does not declare callable (callable: ${env.kernel.callableNames().join(', ') || 'none'})`);
        env.note({ effect: 'call', subject: e.machine, status: `depth ${env.kernel.depth() + 1}` });
        return { status: 'call', machine, input: e.input };
      },
    }),
  },
});
