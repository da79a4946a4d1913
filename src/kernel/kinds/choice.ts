/**
 * The `draw` effect: randomness inside a model as a scheduler choice
 * (DESIGN.md). The handler only turns the effect into a choice point; the
 * kernel offers its options as candidates and re-runs it with the one taken.
 */
import type { Effect } from '../../model/effects.js';
import { defineEffectFamily, done, handler, type Performed } from '../protocol.js';

type Draw = Extract<Effect, { type: 'draw' }>;

export const choiceFamily = defineEffectFamily({
  name: 'choice',
  effects: {
    draw: handler<Draw>({
      perform(e): Performed {
        return { status: 'choose', point: e.point, options: e.options, weights: e.weights };
      },
      resume(e, wake, env) {
        const value = wake.value as string | number;
        env.note({ effect: 'draw', subject: `${e.point}=${String(value)}`, status: 'ok' });
        return done({ type: 'draw.ok', point: e.point, value });
      },
    }),
  },
});
