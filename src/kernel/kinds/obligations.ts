/**
 * Obligations and observability (bioSubmit, bioComplete, mediaWrite, metric):
 * a bio must complete exactly once (bio_endio / biodone), writes must reach
 * the media in the order the stack promised, and scenarios count what they
 * want to show. The books live in the kernel (check/bio-ledger.ts,
 * check/write-order.ts); these handlers only report to them.
 */
import type { Effect } from '../../model/effects.js';
import { defineEffectFamily, done, handler, type Performed } from '../protocol.js';

type Submit = Extract<Effect, { type: 'bioSubmit' }>;
type Complete = Extract<Effect, { type: 'bioComplete' }>;
type Media = Extract<Effect, { type: 'mediaWrite' }>;
type Metric = Extract<Effect, { type: 'metric' }>;

export const obligationsFamily = defineEffectFamily({
  name: 'obligations',
  effects: {
    bioSubmit: handler<Submit>({
      perform(e, env): Performed {
        const v = env.kernel.bioSubmit(e.bio, e.write);
        return v ? { status: 'violation', invariant: 'bio conservation', contexts: [env.caller], message: v } : done();
      },
    }),
    mediaWrite: handler<Media>({
      perform(e, env): Performed {
        const count = e.count ?? 1;
        const v = env.kernel.mediaWrite(e.bio, e.sector, count);
        env.note({ effect: 'mediaWrite', subject: `${e.bio} sector ${e.sector}${count > 1 ? `+${count}` : ''}`, status: v ? 'out of order' : 'ok' });
        return v ? { status: 'violation', invariant: 'write ordering', contexts: v.contexts, message: v.message } : done();
      },
    }),
    bioComplete: handler<Complete>({
      perform(e, env): Performed {
        const v = env.kernel.bioComplete(e.bio, e.error ?? 0);
        env.note({ effect: 'bioComplete', subject: e.bio, status: e.error ? `error ${e.error}` : 'ok' });
        return v ? { status: 'violation', invariant: 'bio conservation', contexts: [env.caller], message: v } : done();
      },
    }),
    metric: handler<Metric>({
      perform(e, env): Performed {
        env.kernel.metric(e.name, e.add, e.max, e.peak);
        return done();
      },
    }),
  },
});
