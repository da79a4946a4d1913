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

export const MACHINES: Readonly<Record<string, AnyStateMachine>> = {
  ubd,
  'ubd-irq': ubdIrq,
  'aio-completion': aioCompletion,
  disk,
  'guest-workload': guestWorkload,
  'io-helper': ioHelper,
};
