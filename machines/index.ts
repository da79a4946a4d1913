/**
 * Every layer machine by name: what `biostack machines` lists and exports
 * for the Stately visualizer and Mermaid.
 */
import type { AnyStateMachine } from 'xstate';
import { ubd } from './ubd.js';
import { ubdIrq } from './ubd-irq.js';
import { aioCompletion } from './aio-completion.js';
import { disk } from './disk.js';
import { guestWorkload } from './guest-workload.js';
import { ioHelper } from './io-helper.js';
import { ubdAlloc } from './ubd-alloc.js';
import { ubdAllocIrq } from './ubd-alloc-irq.js';
import { guestWriter } from './guest-writer.js';
import { filesystem } from './filesystem.js';
import { vnd } from './vnd.js';
import { biodone } from './biodone.js';
import { syncer } from './syncer.js';
import { fsWorkload } from './fs-workload.js';

export const MACHINES: Readonly<Record<string, AnyStateMachine>> = {
  ubd,
  'ubd-irq': ubdIrq,
  'aio-completion': aioCompletion,
  disk,
  'guest-workload': guestWorkload,
  'io-helper': ioHelper,
  'ubd-alloc': ubdAlloc,
  'ubd-alloc-irq': ubdAllocIrq,
  'guest-writer': guestWriter,
  filesystem,
  vnd,
  biodone,
  syncer,
  'fs-workload': fsWorkload,
};
