/**
 * `biostack/model`: what a layer machine may import. The effect vocabulary,
 * the replies, interrupt levels and errno values: types and constants only,
 * no runtime. Loading a machine never loads the scheduler or the explorer.
 */
export type { Effect, EffectType, KernelEvent, Iocb, IoEvent, Gfp, WriteSpec } from './effects.js';
export type { BufId, BufCacheEffect, BufCacheReply } from './buffer-cache-effects.js';
export { EIO, EAGAIN } from './errno.js';
export { IPL_NONE, IPL_SOFTBIO, IPL_BIO, IPL_VM, IPL_HIGH } from './ipl.js';
export { effectsOf, timersOf, splitActions } from './actions.js';
export type { ActionObject, TimerRequest, SplitActions } from './actions.js';
