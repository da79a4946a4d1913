/**
 * `biostack/model`: what a layer machine may import. The effect vocabulary,
 * the replies, interrupt levels and errno values, typed effect creators and
 * event readers: types, constants and small pure functions, no runtime.
 * Loading a machine never loads the scheduler or the explorer.
 */
export type { Effect, EffectType, EffectOf, KernelEvent, Iocb, IoEvent, Gfp, WriteSpec } from './effects.js';
export type { BufId, BufCacheEffect, BufCacheReply } from './buffer-cache-effects.js';
export { EIO, EAGAIN } from './errno.js';
export { GFP_FLAGS, GFP_MASKS, parseGfp, gfpMayWait } from './gfp.js';
export type { GfpFlag, GfpName, GfpMask } from './gfp.js';
export { defineParams } from './params.js';
export type { ParamSpec, IntParam, BoolParam, EnumParam } from './params.js';
export { IPL_NONE, IPL_SOFTBIO, IPL_BIO, IPL_VM, IPL_HIGH } from './ipl.js';
export { effectsOf, timersOf, splitActions } from './actions.js';
export type { ActionObject, TimerRequest, SplitActions } from './actions.js';
export {
  put,
  get,
  ioSubmit,
  ioGetevents,
  ioComplete,
  kmalloc,
  kfree,
  alloc,
  free,
  getRequest,
  putRequest,
  lock,
  unlock,
  down,
  up,
  ticketTake,
  ticketWait,
  ticketAdvance,
  spl,
  iret,
  raiseIrq,
  call,
  bioSubmit,
  bioComplete,
  mediaWrite,
  metric,
  draw,
} from './creators.js';
export type { EffectOptions } from './creators.js';
export { getblk, bufMalloc, getnewbuf, needbuffer, bufio, bufHandoff, biowait, biodone, brelse, vflushbuf } from './buffer-cache-creators.js';
export type { ReplyTypes, ReplyOf, IrqEvent } from './replies.js';
export { itemOf, outputOf } from './machine-events.js';
export type { KernelEventOf } from './machine-events.js';
export { required } from './required.js';
export { layerTypes } from './layer-types.js';
export type { LayerTypeArgs, LayerTypes } from './layer-types.js';
