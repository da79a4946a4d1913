/**
 * A host disk (or any block device): is fed requests from its queue (its
 * mailbox: a device never sits blocked in a read, it reacts), serves
 * each for its service time, and completes it. Requests are served
 * concurrently, so several can finish at the same instant and the scheduler
 * may complete them in any order (a real disk completes out of order).
 *
 * The service time is `latency` ticks for every request, or, with several
 * `serviceTimes`, drawn per request: a `draw` the scheduler makes
 * (DESIGN.md: randomness in models is a choice point), so DFS enumerates the
 * times, a replay token records them, and a witness names them
 * (`disk.choose:svc:ubd#4.0=3`, "disk draws svc=3 for ubd#4.0").
 *
 * With drawn times a later request can finish first, and the disk keeps the
 * alias rule: a request whose sectors overlap an earlier one still in service
 * (one of the two a write) is held back until that one completes. It is the
 * device's side of the rule (SPC-4 7.4.7, Control mode page, QUEUE ALGORITHM
 * MODIFIER 0h "restricted reordering", the default: commands are processed
 * so that data integrity is kept, as if they were ORDERED; Linux's target
 * quotes it in drivers/target/target_core_spc.c spc_modesense_control). The
 * Linux 2.6 elevators promise less, and only before dispatch: deadline
 * (block/deadline-iosched.c deadline_add_drq_rb) and AS (as_add_arq_rb) move
 * an earlier request with the same start sector and direction (an "alias",
 * from direct I/O) to the dispatch queue before queueing the new one, while
 * partial overlaps are sorted like any others. The disk takes requests in
 * queue order, so the dispatch side holds here anyway.
 *
 * A request is either an AIO iocb (completed into its AIO ring, for
 * io_getevents) or a synchronous request from a helper thread that carries a
 * `replyTo` channel (pread/pwrite returning).
 *
 * With `media`, the disk is a host file whose contents matter: it puts each
 * write on its media as it takes it (host submission order: overlapping
 * writes land in that order, last one wins) and reports it with
 * `mediaWrite`, so the kernel's sector shadow can check the order.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { defineParams, draw, ioComplete, layerTypes, mediaWrite, metric, put, type Effect, type KernelEventOf } from '../src/model/index.js';

/**
 * The disk's own parameter, declared once: scenarios that run a disk list it
 * under this name and choose only its default.
 */
export const diskParams = defineParams({
  latency: {
    type: 'int',
    default: 1,
    min: 0,
    max: 1_000_000,
    doc: 'disk service time in ticks, from taking a request to completing it (a disk input `serviceTimes` draws it per request instead)',
    swarm: [0, 3],
  },
  jitter: {
    type: 'int',
    default: 0,
    min: 0,
    max: 1000,
    doc: 'the disk draws each request\'s service time from latency-jitter..latency+jitter (never below 0) at a choice point: DFS tries every one, a replay token records the one taken; 0 = a fixed latency',
  },
});

/**
 * The service times a disk with `latency` and `jitter` draws from: the
 * expected one first (what fifo takes), then the others ascending.
 */
export function jitteredServiceTimes(latency: number, jitter: number): number[] {
  const out = [latency];
  for (let t = Math.max(0, latency - jitter); t <= latency + jitter; t++) if (t !== latency) out.push(t);
  return out;
}

export interface DiskInput {
  readonly queue: string;
  /** Ticks from taking a request to completing it. Default 0. */
  readonly latency?: number;
  /**
   * Service times in ticks to draw from, per request, instead of `latency`:
   * distinct integers >= 0, the first one the expected time (what fifo
   * takes). Absent, [] or one value: no draw, every request takes `latency`
   * (or that value).
   */
  readonly serviceTimes?: readonly number[];
  /** Relative probability of each service time for random strategies (one > 0 per time); uniform if absent. */
  readonly serviceWeights?: readonly number[];
  /** AIO ring that iocbs complete into. */
  readonly ring?: string;
  /** Report writes to the sector shadow as they reach the media. Default false. */
  readonly media?: boolean;
}

/** What the disk serves: an iocb, or a helper's request naming where to reply. */
export interface DiskRequest {
  readonly id: string;
  readonly bio: string;
  readonly replyTo?: string;
  readonly op?: 'read' | 'write';
  /** First sector; with `count` (default 1), what the alias rule compares. Absent: the request overlaps nothing. */
  readonly sector?: number;
  readonly count?: number;
}

/** What the disk puts in a helper request's `replyTo` channel (pread/pwrite returning; res 0 = done). */
export interface DiskReply {
  readonly id: string;
  readonly bio: string;
  readonly res: number;
}

/** A request taken and not completed yet, in the order taken. */
interface InService {
  readonly req: DiskRequest;
  /** Its service time has elapsed; it completes once no earlier overlapping request is in service. */
  readonly serviced: boolean;
}

interface DiskContext {
  readonly queue: string;
  readonly latency: number;
  readonly serviceTimes: readonly number[];
  readonly serviceWeights: readonly number[] | undefined;
  readonly ring: string;
  readonly media: boolean;
  /** With drawn service times: what is in service, oldest first (the alias rule looks back along it). */
  readonly inService: readonly InService[];
}

type DiskEvent = KernelEventOf<DiskRequest> | { type: 'serviced'; req: DiskRequest };

/** The choice point of one request's service time, named after it so a witness reads well. */
export function servicePoint(id: string): string {
  return `svc:${id}`;
}

/** Two requests the alias rule keeps in order: sectors that overlap, and not both reads. */
export function overlaps(a: DiskRequest, b: DiskRequest): boolean {
  if (a.sector === undefined || b.sector === undefined) return false;
  if (a.op === 'read' && b.op === 'read') return false;
  return a.sector < b.sector + (b.count ?? 1) && b.sector < a.sector + (a.count ?? 1);
}

/**
 * Split what is in service into the requests that complete now and the ones
 * that stay: in take order, a serviced request completes unless an earlier
 * one it overlaps is still in service (one completing in this pass frees the
 * later ones it held back).
 */
export function completable(inService: readonly InService[]): { readonly now: readonly InService[]; readonly stay: readonly InService[] } {
  const now: InService[] = [];
  const stay: InService[] = [];
  for (const s of inService) {
    if (s.serviced && !stay.some((e) => overlaps(e.req, s.req))) now.push(s);
    else stay.push(s);
  }
  return { now, stay };
}

/** pread/pwrite returning into the helper's channel, or the iocb's completion into its AIO ring. */
function completion(context: DiskContext, req: DiskRequest): Effect {
  return req.replyTo !== undefined ? put(req.replyTo, { id: req.id, bio: req.bio, res: 0 } satisfies DiskReply) : ioComplete(context.ring, req.id, { res: 0 });
}

function checkServiceTimes(input: Pick<DiskInput, 'serviceTimes' | 'serviceWeights'>): void {
  const times = input.serviceTimes ?? [];
  const bad = times.find((t) => !(Number.isSafeInteger(t) && t >= 0));
  if (bad !== undefined) throw new Error(`disk: input.serviceTimes must be integers >= 0 (ticks), got ${bad}`);
  if (new Set(times).size !== times.length) throw new Error(`disk: input.serviceTimes must be distinct (each is one option of the draw), got [${times.join(', ')}]`);
  const w = input.serviceWeights;
  if (w === undefined) return;
  if (times.length < 2) throw new Error('disk: input.serviceWeights needs two or more serviceTimes to weigh');
  if (w.length !== times.length || w.some((x) => !(Number.isFinite(x) && x > 0))) {
    throw new Error(`disk: input.serviceWeights must be one number > 0 per service time (${times.length}), got [${w.join(', ')}]`);
  }
}

export const disk = setup({
  types: layerTypes<{ context: DiskContext; input: DiskInput; events: DiskEvent }>(),
  guards: {
    drawsServiceTime: ({ context }) => context.serviceTimes.length > 1,
  },
  actions: {
    /**
     * Bad service times are a model error at the first request: an error while
     * a machine starts would leave it in XState's error status, which the
     * kernel does not look at.
     */
    checkServiceTimes: enqueueActions(({ context }) => checkServiceTimes(context)),
    /** Host submission order is the order writes land in (and the sector shadow checks). */
    writeMedia: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'get.ok') return;
      const req = event.item;
      if (context.media && req.op === 'write' && req.sector !== undefined) enqueue.emit(mediaWrite(req.bio, req.sector, req.count === undefined ? undefined : { count: req.count }));
    }),
    /** One timer per request, named after it, so requests finishing together can finish in any order. */
    startService: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'get.ok') return;
      const req = event.item;
      enqueue.raise({ type: 'serviced', req }, { delay: context.latency, id: `svc-${req.id}` });
    }),
    takeIntoService: assign({ inService: ({ context, event }) => (event.type === 'get.ok' ? [...context.inService, { req: event.item, serviced: false }] : context.inService) }),
    drawServiceTime: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'get.ok') return;
      const weights = context.serviceWeights === undefined ? undefined : { weights: context.serviceWeights };
      enqueue.emit(draw(servicePoint(event.item.id), context.serviceTimes, weights));
    }),
    /** The drawn time for the request its point names: its completion timer. */
    startDrawnService: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'draw.ok') return;
      const s = context.inService.find((e) => servicePoint(e.req.id) === event.point);
      if (s === undefined) throw new Error(`disk: drew '${event.point}' for no request in service`);
      enqueue.raise({ type: 'serviced', req: s.req }, { delay: Number(event.value), id: `svc-${s.req.id}` });
    }),
    complete: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'serviced') enqueue.emit(completion(context, event.req));
    }),
    /** Its time is up: complete it and whatever it held back, unless an earlier overlapping request holds it back. */
    completeInOrder: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'serviced') return;
      const marked = context.inService.map((s) => (s.req.id === event.req.id ? { ...s, serviced: true } : s));
      const { now, stay } = completable(marked);
      if (!now.some((s) => s.req.id === event.req.id)) enqueue.emit(metric('disk.aliasHeld', { add: 1 }));
      for (const { req } of now) enqueue.emit(completion(context, req));
      enqueue.assign({ inService: stay });
    }),
  },
}).createMachine({
  id: 'disk',
  context: ({ input }) => {
    const times = input.serviceTimes ?? [];
    return {
      queue: input.queue,
      latency: times.length === 1 ? times[0] : (input.latency ?? 0),
      serviceTimes: times,
      serviceWeights: input.serviceWeights,
      ring: input.ring ?? '',
      media: input.media ?? false,
      inService: [],
    };
  },
  initial: 'serving',
  states: {
    serving: {
      tags: ['idle'],
      on: {
        'get.ok': [
          { guard: 'drawsServiceTime', actions: ['checkServiceTimes', 'writeMedia', 'takeIntoService', 'drawServiceTime'] },
          { actions: ['checkServiceTimes', 'writeMedia', 'startService'] },
        ],
        'draw.ok': { actions: 'startDrawnService' },
        serviced: [{ guard: 'drawsServiceTime', actions: 'completeInOrder' }, { actions: 'complete' }],
      },
    },
  },
});
