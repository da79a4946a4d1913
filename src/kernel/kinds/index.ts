/** The built-in resource kinds and effect families, registered exactly as a plug-in would be. */
import type { EffectFamily, ResourceKind } from '../protocol.js';
import { channelKind, pipeKind } from './channel.js';
import { aioRingKind } from './aio.js';
import { allocatorKind } from './kmalloc.js';
import { mempoolKind } from './mempool.js';
import { requestQueueKind } from './request-queue.js';
import { counterKind, lockKind, semaphoreKind } from './sync.js';
import { bufferCacheKind } from './buffer-cache.js';
import { cpuFamily } from './cpu.js';
import { callFamily } from './call.js';
import { obligationsFamily } from './obligations.js';
import { choiceFamily } from './choice.js';

export const BUILTIN_KINDS: readonly ResourceKind[] = [
  channelKind,
  pipeKind,
  aioRingKind,
  allocatorKind,
  mempoolKind,
  requestQueueKind,
  lockKind,
  semaphoreKind,
  counterKind,
  bufferCacheKind,
];

export const BUILTIN_FAMILIES: readonly EffectFamily[] = [cpuFamily, callFamily, obligationsFamily, choiceFamily];

export type { ChannelSpec, PipeSpec } from './channel.js';
export type { AioRingSpec } from './aio.js';
export type { AllocatorSpec } from './kmalloc.js';
export type { MempoolSpec } from './mempool.js';
export type { RequestQueueSpec } from './request-queue.js';
export type { LockSpec, SemaphoreSpec, CounterSpec } from './sync.js';
export type { BufferCacheSpec } from './buffer-cache.js';
