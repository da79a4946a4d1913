/**
 * Which reply events each effect can bring back, keyed by effect type: a
 * machine that emits `get` waits in a state for `ReplyOf<'get'>`, i.e.
 * `get.ok | get.eagain`. Effects without a reply map to `never`. Type-only:
 * the kernel decides which reply comes; this says which ones can.
 *
 * The table is written out (rather than derived from the `effect.reply`
 * naming) so it reads as documentation; the checks at the bottom make the
 * compiler hold it to the vocabulary: one row per effect type, every reply
 * named after its effect, every kernel event but `irq` some effect's reply.
 */
import type { EffectType, KernelEvent } from './effects.js';

/** The `type` of each reply an effect may get, keyed by the effect's type. */
export interface ReplyTypes {
  put: 'put.ok' | 'put.eagain' | 'put.timedout';
  get: 'get.ok' | 'get.eagain' | 'get.timedout';
  ioSubmit: 'ioSubmit.ok' | 'ioSubmit.eagain' | 'ioSubmit.error';
  ioGetevents: 'ioGetevents.ok' | 'ioGetevents.timedout';
  ioComplete: never;
  kmalloc: 'kmalloc.ok' | 'kmalloc.fail';
  kfree: never;
  alloc: 'alloc.ok' | 'alloc.fail';
  free: never;
  getRequest: 'getRequest.ok' | 'getRequest.fail';
  putRequest: never;
  lock: 'lock.ok' | 'lock.busy' | 'lock.timedout';
  unlock: never;
  down: 'down.ok' | 'down.busy' | 'down.timedout';
  up: never;
  ticketTake: 'ticketTake.ok';
  ticketWait: 'ticketWait.ok' | 'ticketWait.timedout';
  ticketAdvance: never;
  spl: never;
  iret: never;
  raiseIrq: never;
  call: 'call.return';
  bioSubmit: never;
  bioComplete: never;
  mediaWrite: never;
  metric: never;
  draw: 'draw.ok';
  getblk: 'getblk.ok';
  bufMalloc: 'bufMalloc.ok' | 'bufMalloc.full';
  getnewbuf: 'getnewbuf.freed' | 'getnewbuf.delwri' | 'getnewbuf.empty';
  needbuffer: 'needbuffer.woken';
  bufio: never;
  bufHandoff: never;
  biowait: 'biowait.ok';
  biodone: never;
  /** Only with `ack`. */
  brelse: 'brelse.ok';
  vflushbuf: 'vflushbuf.ok';
}

/** The reply events of effect `T` (a union of KernelEvent members): `ReplyOf<'alloc'>` is `alloc.ok | alloc.fail`. */
export type ReplyOf<T extends EffectType> = Extract<KernelEvent, { type: ReplyTypes[T] }>;

/** The one kernel event that answers no effect: the handler's interrupt line was raised. */
export type IrqEvent = Extract<KernelEvent, { type: 'irq' }>;

// ---- compile-time checks: a failing one is a type error in this file ---------------------------------

type Holds<T extends true> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Each reply is named `<effect>.<outcome>`: the table agrees with the names. */
type NamedAfterEffect = { [T in EffectType]: Same<ReplyTypes[T], Extract<KernelEvent['type'], `${T}.${string}`>> };
type ReplyTableChecks = [
  Holds<Same<keyof ReplyTypes, EffectType>>,
  Holds<NamedAfterEffect[EffectType]>,
  Holds<Same<ReplyTypes[EffectType] | IrqEvent['type'], KernelEvent['type']>>,
];
