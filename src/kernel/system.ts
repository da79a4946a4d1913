import type { AnyStateMachine } from 'xstate';
import type { InitialBuf } from '../resources/buffer-cache.js';

/**
 * What a scenario hands the kernel: CPUs, execution contexts (each running a
 * machine), resources with their capacities, machines callable as frames, and
 * fault injection. Plain data apart from the machines, so it can be hashed
 * (`modelHash`) and printed.
 */
export interface SystemSpec {
  readonly cpus: readonly CpuSpec[];
  readonly contexts: readonly ContextSpec[];
  readonly resources: readonly ResourceSpec[];
  /** Machines a context may `call` synchronously (pushed as frames), by name. */
  readonly callable?: Readonly<Record<string, AnyStateMachine>>;
  readonly faults?: readonly FaultSpec[];
}

/** A CPU. In UML the whole guest is one host process: one CPU, `uml0`. */
export interface CpuSpec {
  readonly name: string;
}

/**
 * An execution context: a kernel thread, a user process, an interrupt handler,
 * a host thread, a device. Contexts without a `cpu` run on their own hardware
 * (a disk, a host thread on another host CPU) and never compete for a guest CPU.
 */
export interface ContextSpec {
  readonly name: string;
  readonly kind: 'thread' | 'irq' | 'device' | 'host-thread';
  readonly machine: AnyStateMachine;
  readonly input?: unknown;
  readonly cpu?: string;
  /** For `irq` contexts: the priority level, and the resource whose readability asserts the line (level-triggered). */
  readonly irq?: { readonly level: number; readonly line?: string };
  /**
   * A channel this context is fed from like an actor's mailbox: each item is
   * delivered as `get.ok` whenever the context is not blocked, without the
   * machine asking. For event-driven contexts (a device serving requests
   * while its timers run) that must never sit blocked in a `get`.
   */
  readonly mailbox?: string;
  /** Frames allowed on this context's stack before `stack-overflow`. Default 64. */
  readonly stackLimit?: number;
}

export type ResourceSpec =
  | { readonly kind: 'channel'; readonly name: string; readonly capacity: number; readonly readers?: readonly string[]; readonly writers?: readonly string[]; readonly unit?: string }
  | { readonly kind: 'pipe'; readonly name: string; readonly capacity: number; readonly readers?: readonly string[]; readonly writers?: readonly string[] }
  | {
      readonly kind: 'aio-ring';
      readonly name: string;
      readonly nrEvents: number;
      readonly submitters?: readonly string[];
      /** Device context that completes iocbs. */
      readonly completer?: string;
      /** Channel the device takes submitted iocbs from (the kernel forwards each successful io_submit there). */
      readonly device?: string;
    }
  | { readonly kind: 'allocator'; readonly name: string; readonly pressure: 'none' | 'always' | { readonly failP: number }; readonly limit?: number }
  | {
      readonly kind: 'mempool';
      readonly name: string;
      readonly minNr: number;
      readonly backing: string;
      /** Contexts that free its elements (the completion path), if not the ones that allocate them. */
      readonly freedBy?: readonly string[];
    }
  | { readonly kind: 'lock'; readonly name: string; readonly flavour: 'spin' | 'sleep' }
  | { readonly kind: 'semaphore'; readonly name: string; readonly count: number; readonly upBy?: readonly string[] }
  | { readonly kind: 'counter'; readonly name: string; readonly value?: number; readonly advancers?: readonly string[] }
  | {
      readonly kind: 'buffer-cache';
      readonly name: string;
      /** bufmem_hiwater in blocks: allocbuf trims above it (soft). */
      readonly hiwater: number;
      /** Buffer memory in blocks: buf_malloc sleeps when it is used up (hard). */
      readonly memory: number;
      /** Buffers in core at boot, LRU order (head first). */
      readonly buffers?: readonly InitialBuf[];
    };

/**
 * Error injection: `at` a fault point, fail with probability `p`, or on the
 * `nth` calls (1-based) — deterministic either way (a seeded stream per point).
 */
export interface FaultSpec {
  /** `ioSubmit`: io_submit fails; `disk`: the device completes with an error. */
  readonly at: 'ioSubmit' | 'disk';
  /** Restrict to one ring (ioSubmit) or ring the completion is for (disk). */
  readonly ring?: string;
  readonly errno: number;
  readonly p?: number;
  readonly nth?: readonly number[];
}
