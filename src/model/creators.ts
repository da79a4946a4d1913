/**
 * Effect creators: one function per effect of the vocabulary (effects.ts),
 * each returning that effect's exact member type, so a machine writes
 *
 *   sleepUntilKicked: emit(({ context }) => down(context.kick)),
 *
 * instead of an object literal with `type: 'down' as const`. Why functions and
 * not literals: a literal handed to `emit` is only checked against the whole
 * `Effect` union, so a misspelt optional field (`wiat: false`) or a literal
 * type widened to `string` needs a cast to get through; a creator's
 * parameters are the effect's own fields, and a wrong one is a compile error.
 *
 * One rule for every creator: the required fields are positional, in the
 * order the effect type declares them; the optional ones go in a last
 * options object with the effect's own field names. The object is built in
 * that order (`type`, the positional fields, then the options as given), so
 * a creator yields exactly the object the equivalent literal would: the same
 * keys in the same order, an option passed as `undefined` kept as a key.
 * Creators are plain data builders: no runtime, nothing is performed here.
 *
 * The buffer-cache effects have theirs in buffer-cache-creators.ts.
 */
import type { EffectOf, EffectType, Gfp, Iocb } from './effects.js';

/** The optional fields of effect `T` once the `Positional` ones are given: a creator's last parameter. */
export type EffectOptions<T extends EffectType, Positional extends keyof EffectOf<T>> = Omit<EffectOf<T>, 'type' | Positional>;

// ---- channels ------------------------------------------------------------------------------

/** write(2) of one record on `chan` (see `put` in effects.ts for wait/ack/front/host). */
export function put(chan: string, item: unknown, opts?: EffectOptions<'put', 'chan' | 'item'>): EffectOf<'put'> {
  return { type: 'put', chan, item, ...opts };
}

/** Take the head item of `chan`; reply `get.ok {item}` or (with `wait: false`) `get.eagain`. */
export function get(chan: string, opts?: EffectOptions<'get', 'chan'>): EffectOf<'get'> {
  return { type: 'get', chan, ...opts };
}

// ---- host AIO ------------------------------------------------------------------------------

/** io_submit(2) of one iocb on `ring`. */
export function ioSubmit(ring: string, iocb: Iocb): EffectOf<'ioSubmit'> {
  return { type: 'ioSubmit', ring, iocb };
}

/** io_getevents(2) on `ring`. */
export function ioGetevents(ring: string, opts?: EffectOptions<'ioGetevents', 'ring'>): EffectOf<'ioGetevents'> {
  return { type: 'ioGetevents', ring, ...opts };
}

/** The device finished iocb `id` on `ring`. */
export function ioComplete(ring: string, id: string, opts?: EffectOptions<'ioComplete', 'ring' | 'id'>): EffectOf<'ioComplete'> {
  return { type: 'ioComplete', ring, id, ...opts };
}

// ---- memory --------------------------------------------------------------------------------

export function kmalloc(allocator: string, gfp: Gfp): EffectOf<'kmalloc'> {
  return { type: 'kmalloc', allocator, gfp };
}

export function kfree(allocator: string, element: string): EffectOf<'kfree'> {
  return { type: 'kfree', allocator, element };
}

/** mempool_alloc(pool, gfp): GFP_NOIO may sleep on the pool, GFP_ATOMIC gets NULL from an empty one. */
export function alloc(pool: string, gfp: Gfp): EffectOf<'alloc'> {
  return { type: 'alloc', pool, gfp };
}

/** mempool_free. */
export function free(pool: string, element: string): EffectOf<'free'> {
  return { type: 'free', pool, element };
}

// ---- block request queues ------------------------------------------------------------------

/** get_request / get_request_wait on block queue `queue` (block/ll_rw_blk.c). */
export function getRequest(queue: string, opts?: EffectOptions<'getRequest', 'queue'>): EffectOf<'getRequest'> {
  return { type: 'getRequest', queue, ...opts };
}

/** blk_put_request: give a request of `queue` back. */
export function putRequest(queue: string): EffectOf<'putRequest'> {
  return { type: 'putRequest', queue };
}

// ---- sleeping and spinning -----------------------------------------------------------------

export function lock(name: string, opts?: EffectOptions<'lock', 'lock'>): EffectOf<'lock'> {
  return { type: 'lock', lock: name, ...opts };
}

export function unlock(name: string): EffectOf<'unlock'> {
  return { type: 'unlock', lock: name };
}

/** down() on semaphore `sem`; `{ wait: false }` is down_trylock, `{ timeout }` (ticks) down_timeout. */
export function down(sem: string, opts?: EffectOptions<'down', 'sem'>): EffectOf<'down'> {
  return { type: 'down', sem, ...opts };
}

export function up(sem: string): EffectOf<'up'> {
  return { type: 'up', sem };
}

export function ticketTake(counter: string): EffectOf<'ticketTake'> {
  return { type: 'ticketTake', counter };
}

/** Sleep until `counter` reaches `ticket`; `{ timeout }` (ticks) is wait_event_timeout. */
export function ticketWait(counter: string, ticket: number, opts?: EffectOptions<'ticketWait', 'counter' | 'ticket'>): EffectOf<'ticketWait'> {
  return { type: 'ticketWait', counter, ticket, ...opts };
}

export function ticketAdvance(counter: string, opts?: EffectOptions<'ticketAdvance', 'counter'>): EffectOf<'ticketAdvance'> {
  return { type: 'ticketAdvance', counter, ...opts };
}

// ---- CPU and interrupts --------------------------------------------------------------------

/** splx(level): IPL_HIGH is local_irq_disable, IPL_NONE enables again. */
export function spl(level: number): EffectOf<'spl'> {
  return { type: 'spl', level };
}

export function iret(): EffectOf<'iret'> {
  return { type: 'iret' };
}

export function raiseIrq(handler: string): EffectOf<'raiseIrq'> {
  return { type: 'raiseIrq', handler };
}

// ---- synchronous calls ---------------------------------------------------------------------

/** Push a fresh `machine` as a frame on this context; reply `call.return {output}`. */
export function call(machine: string, opts?: EffectOptions<'call', 'machine'>): EffectOf<'call'> {
  return { type: 'call', machine, ...opts };
}

// ---- obligations and observability ---------------------------------------------------------

/** A new bio must now complete exactly once; `{ write }` also queues it in the sector shadow. */
export function bioSubmit(bio: string, opts?: EffectOptions<'bioSubmit', 'bio'>): EffectOf<'bioSubmit'> {
  return { type: 'bioSubmit', bio, ...opts };
}

export function bioComplete(bio: string, opts?: EffectOptions<'bioComplete', 'bio'>): EffectOf<'bioComplete'> {
  return { type: 'bioComplete', bio, ...opts };
}

export function mediaWrite(bio: string, sector: number, opts?: EffectOptions<'mediaWrite', 'bio' | 'sector'>): EffectOf<'mediaWrite'> {
  return { type: 'mediaWrite', bio, sector, ...opts };
}

/** A scenario metric: `{ add }`, `{ max }`, and `peak` for a gauge's high-water mark. */
export function metric(name: string, opts?: EffectOptions<'metric', 'name'>): EffectOf<'metric'> {
  return { type: 'metric', name, ...opts };
}

/**
 * A choice point named `point` over `options` (the expected value first: fifo
 * takes it); `weights` are relative probabilities for random strategies.
 */
export function draw(point: string, options: readonly (string | number)[], opts?: EffectOptions<'draw', 'point' | 'options'>): EffectOf<'draw'> {
  return { type: 'draw', point, options, ...opts };
}
