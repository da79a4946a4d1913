import type { AnyStateMachine } from 'xstate';
import type { AioRingSpec, AllocatorSpec, BufferCacheSpec, ChannelSpec, CounterSpec, LockSpec, MempoolSpec, PipeSpec, RequestQueueSpec, SemaphoreSpec } from './kinds/index.js';
import type { EffectFamily, ResourceKind } from './protocol.js';
import type { KernelSpec } from './personality.js';

/**
 * What a scenario hands the kernel: CPUs, execution contexts (each running a
 * machine), resources with their capacities, machines callable as frames, and
 * fault injection. Plain data apart from the machines, so it can be hashed
 * (`modelHash`) and printed.
 */
export interface SystemSpec {
  readonly cpus: readonly CpuSpec[];
  readonly contexts: readonly ContextSpec[];
  readonly resources: readonly (ResourceSpec | PluginResourceSpec)[];
  /**
   * Resource kinds this system brings besides the built-in ones, registered
   * through the same interface (kernel/protocol.ts), with their effects.
   */
  readonly kinds?: readonly ResourceKind[];
  /** Effect families not tied to one resource kind, likewise. */
  readonly families?: readonly EffectFamily[];
  /** Machines a context may `call` synchronously (pushed as frames), by name. */
  readonly callable?: Readonly<Record<string, AnyStateMachine>>;
  readonly faults?: readonly FaultSpec[];
  /** Which kernel runs it (personality.ts): HZ, preemption, what may sleep. Default: preemptive Linux. */
  readonly kernel?: KernelSpec;
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
  /**
   * A user process (kind `thread` only): its base frame is the program in
   * user mode and the frames it calls are the kernel working for it. Back at
   * its base frame it has returned to user mode, a preemption point: in
   * non-preemptive mode it keeps its CPU only while deeper (in a system call).
   */
  readonly user?: boolean;
}

/** A resource of a built-in kind (kernel/kinds/): each kind's spec type lives beside its code. */
export type ResourceSpec = ChannelSpec | PipeSpec | AioRingSpec | AllocatorSpec | MempoolSpec | RequestQueueSpec | LockSpec | SemaphoreSpec | CounterSpec | BufferCacheSpec;

/**
 * A resource of a kind the system brings itself (`SystemSpec.kinds`). Its
 * kind is namespaced, `scope:name` (`test:gate`, `xen:grant-table`), so a
 * built-in spec with a typo never passes for a plug-in one.
 */
export interface PluginResourceSpec {
  readonly kind: `${string}:${string}`;
  readonly name: string;
  readonly [field: string]: unknown;
}

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
