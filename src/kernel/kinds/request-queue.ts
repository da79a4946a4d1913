/**
 * A block device's request queue (Linux 2.6 block/ll_rw_blk.c):
 * `getRequest` is get_request (`wait: false`, what blk_get_request does
 * without __GFP_WAIT) or get_request_wait (the default: __make_request's
 * path, an untimed io_schedule() while all nr_requests are out);
 * `putRequest` is blk_put_request, which wakes one sleeper.
 */
import { RequestQueue } from '../../resources/request-queue.js';
import type { Effect } from '../../model/effects.js';
import { defineResourceKind, done, handler, type Performed } from '../protocol.js';
import { ModelError } from '../model-error.js';

type GetRequest = Extract<Effect, { type: 'getRequest' }>;
type PutRequest = Extract<Effect, { type: 'putRequest' }>;

export interface RequestQueueSpec {
  readonly kind: 'request-queue';
  readonly name: string;
  /** `q->nr_requests`: requests out at once before submitters sleep (128 by default in 2.6). */
  readonly nrRequests: number;
  /** The contexts that complete its requests (its driver's request path). */
  readonly completedBy: readonly string[];
}

const getRequest = handler<GetRequest>({
  perform(e, env): Performed {
    const q = env.resource(e.queue, RequestQueue, 'getRequest');
    const r = q.get(env.caller, { wait: e.wait ?? true });
    env.note({ effect: 'getRequest', resource: e.queue, status: r.status });
    if (r.status === 'blocked') return { status: 'parked', on: q, op: 'get_request_wait' };
    return done({ type: r.status === 'ok' ? 'getRequest.ok' : 'getRequest.fail', queue: e.queue });
  },
  // freed_request handed the freed request to the oldest sleeper.
  resume: (e) => done({ type: 'getRequest.ok', queue: e.queue }),
  mightSleep: (e) => (e.wait === false ? undefined : `get_request_wait on request queue ${e.queue}`),
});

const putRequest = handler<PutRequest>({
  perform(e, env): Performed {
    const r = env.resource(e.queue, RequestQueue, 'putRequest').put(env.caller);
    env.note({ effect: 'putRequest', resource: e.queue, status: 'ok' });
    return done(undefined, r.wakeups);
  },
});

export const requestQueueKind = defineResourceKind<RequestQueueSpec>({
  kind: 'request-queue',
  create(s, env) {
    try {
      return new RequestQueue({ name: s.name, nrRequests: s.nrRequests, completedBy: s.completedBy }, env.clock);
    } catch (e) {
      throw new ModelError((e as Error).message);
    }
  },
  effects: { getRequest, putRequest },
});
