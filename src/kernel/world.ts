/**
 * The world state of one run: every context, CPU, resource, timer and book,
 * and the verdict once there is one. Plain state plus lookups; what moves it
 * lives beside it (frames.ts, dispatch.ts, advance.ts, verdict.ts). A clone
 * of the world is an independent run (snapshot.ts).
 */
import type { Resource } from '../resources/resource.js';
import { Channel } from '../resources/channel.js';
import { BioLedger } from '../check/bio-ledger.js';
import { SectorShadow } from '../check/write-order.js';
import type { Deadlock, Outcome, StackOverflow, Violation } from '../check/outcome.js';
import type { SystemSpec } from './system.js';
import { Cpu, KernelLock, type CpuRules } from './cpu.js';
import { ExecContext } from './exec-context.js';
import { TimerQueue } from './timers.js';
import { FaultInjector } from './faults.js';
import { ModelError } from './model-error.js';
import { TraceRecorder, type TraceEffect } from './trace.js';
import type { Delivery, RunOptions } from './run-result.js';
import type { ResourceKind, ResourceSpecLike } from './protocol.js';
import { createResources, type DispatchTable } from './registry.js';
import type { Cand } from './deliverable.js';
import { KernelEnv } from './kernel-env.js';
import { hasKernelLock, personalityOf, splSavedAcrossSleep, type Personality } from './personality.js';
import { ProgressWatch } from './progress.js';
import type { NoProgress } from '../check/outcome.js';

export class World {
  readonly clock = { now: 0, step: 0 };
  readonly contexts: ExecContext[] = [];
  readonly cpus = new Map<string, Cpu>();
  readonly resources: Map<string, Resource>;
  /** Each resource's spec and kind, for what only the kernel side reads (an aio-ring's device queue, spin locks). */
  readonly specs = new Map<string, ResourceSpecLike>();
  readonly kindOf = new Map<Resource, ResourceKind>();
  readonly byName = new Map<string, ExecContext>();
  readonly mailboxOwner = new Map<Resource, ExecContext>();
  /** The contexts that have a mailbox, in context order. */
  readonly mailboxOwners: ExecContext[] = [];
  readonly timers = new TimerQueue();
  readonly ledger = new BioLedger();
  /** Sector contents as the stack promised them vs as devices applied them (check/write-order.ts). */
  readonly shadow = new SectorShadow();
  readonly metrics: Record<string, number> = {};
  readonly faults: FaultInjector;
  readonly trace: TraceRecorder;
  readonly schedule: string[] = [];
  readonly deliveryLog: Delivery[] | undefined;
  readonly opts: { readonly maxSteps: number; readonly noProgressSteps: number; readonly checkEvery: number };
  /** Resources the current step used: checked for conservation after it. */
  readonly touched = new Set<Resource>();
  /** The deliveries choosable now (advance.ts fills it; `step` empties it). */
  readonly cands: Cand[] = [];
  /** The no-progress window and what it is measured from (progress.ts). */
  readonly progress: ProgressWatch;
  /** Trace entries of the step being executed. */
  stepEffects: TraceEffect[] = [];
  readonly env: KernelEnv;
  /** The kernel this system runs on (HZ, preemption, sleeping rules). */
  readonly personality: Personality;
  seq = 0;
  frameSerial = 0;
  deliveries = 0;
  choicePoints = 0;
  /** Choice points made and not yet taken: `collect` looks for one only while this is above 0 (a hint, checked against the contexts). */
  pendingChoices = 0;
  sinceCheck = 0;
  booted = false;

  /** Lint-like warnings (DESIGN.md "Findings that are not outcomes"), each once, in first-seen order. */
  readonly warnings: string[] = [];

  /** The verdict, once reached: nothing is pending any more. */
  stopped: Outcome | undefined;
  violation: Violation | undefined;
  overflow: StackOverflow | undefined;
  deadlock: Deadlock | undefined;
  noProgress: NoProgress | undefined;

  constructor(
    readonly system: SystemSpec,
    readonly table: DispatchTable,
    /** As given: a clone builds its fresh world from the same options (snapshot.ts). */
    readonly options: RunOptions,
  ) {
    const seed = options.seed ?? 1;
    try {
      this.personality = personalityOf(system.kernel);
    } catch (e) {
      throw new ModelError((e as Error).message);
    }
    this.opts = { maxSteps: options.maxSteps ?? 1_000_000, noProgressSteps: options.noProgressSteps ?? 100_000, checkEvery: options.checkEvery ?? 512 };
    this.progress = new ProgressWatch(options.noProgressTicks, this.opts.noProgressSteps, this.personality.hz);
    this.faults = new FaultInjector(system.faults ?? [], seed);
    this.trace = new TraceRecorder(options.storySteps ?? 12, options.recordTrace ?? false);
    this.deliveryLog = options.recordDeliveries ? [] : undefined;
    this.resources = createResources(system.resources, table, this.clock, seed, (r, spec, kind) => {
      this.specs.set(spec.name, spec);
      this.kindOf.set(r, kind);
    });
    this.env = new KernelEnv(this);
    const rules: CpuRules = {
      nonPreemptive: this.personality.preemption === 'non-preemptive',
      splPerThread: splSavedAcrossSleep(this.personality),
      kernelLock: hasKernelLock(this.personality) ? new KernelLock() : undefined,
    };
    for (const c of system.cpus) this.cpus.set(c.name, new Cpu(c.name, rules));
    system.contexts.forEach((spec, i) => {
      if (this.byName.has(spec.name)) throw new ModelError(`context '${spec.name}' is declared twice`);
      let cpu: Cpu | undefined;
      if (spec.cpu !== undefined) {
        cpu = this.cpus.get(spec.cpu);
        if (!cpu) throw new ModelError(`context '${spec.name}' runs on cpu '${spec.cpu}', which is not declared (cpus: ${[...this.cpus.keys()].join(', ')})`);
      }
      if (spec.kind === 'irq' && (!cpu || !spec.irq)) throw new ModelError(`interrupt handler '${spec.name}' needs a cpu and an irq level`);
      if (spec.user !== undefined && (typeof spec.user !== 'boolean' || (spec.user && spec.kind !== 'thread'))) {
        throw new ModelError(`context '${spec.name}': user must be true or false, and true only for a thread (kind 'thread'), got ${JSON.stringify(spec.user)} on kind '${spec.kind}'`);
      }
      const ctx = new ExecContext(i, spec, cpu);
      if (spec.irq?.line !== undefined) ctx.irqLine = this.resource(spec.irq.line, `irq line of '${spec.name}'`);
      if (spec.mailbox !== undefined) {
        ctx.mailbox = this.typed(spec.mailbox, Channel, `mailbox of '${spec.name}'`, 'a channel or pipe');
        this.mailboxOwner.set(ctx.mailbox, ctx);
        this.mailboxOwners.push(ctx);
      }
      this.contexts.push(ctx);
      this.byName.set(spec.name, ctx);
    });
  }

  /** The next number in the global pending order (fifo delivers in it). */
  nextSeq(): number {
    return this.seq++;
  }

  /** End the run with `outcome` (the first verdict wins). */
  stop(outcome: Outcome): void {
    this.stopped ??= outcome;
  }

  /** Record a warning, once: a call made a thousand times warns once. */
  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  violate(invariant: string, contexts: readonly string[], message: string): void {
    this.violation = { invariant, step: this.clock.step, contexts: [...contexts], message };
    this.stop('violation');
  }

  /** A resource by name, marked as used by this step; a model error naming `usedBy` when it is missing. */
  resource(name: string, usedBy: string): Resource {
    const r = this.resources.get(name);
    if (!r) throw new ModelError(`${usedBy}: no resource named '${name}' (declared: ${[...this.resources.keys()].join(', ') || 'none'})`);
    this.touched.add(r);
    return r;
  }

  typed<T extends Resource>(name: string, cls: abstract new (...args: never[]) => T, op: string, expected?: string): T {
    const r = this.resource(name, op);
    if (!(r instanceof cls)) throw new ModelError(`${op}: '${name}' is a ${r.kind}${expected ? `, not ${expected}` : ''}`);
    return r;
  }
}
