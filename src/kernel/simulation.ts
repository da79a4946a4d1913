import type { AnyStateMachine, EventObject } from 'xstate';
import { mentionsBio, type Resource, type Wakeup, type Waiter } from '../resources/resource.js';
import { Channel } from '../resources/channel.js';
import { AioRing } from '../resources/aio-ring.js';
import { Mempool } from '../resources/mempool.js';
import { PageAllocator } from '../resources/allocator.js';
import { Lock } from '../resources/lock.js';
import { Semaphore } from '../resources/semaphore.js';
import { TicketCounter } from '../resources/ticket-counter.js';
import { BufferCache } from '../resources/buffer-cache.js';
import { BioLedger } from '../check/bio-ledger.js';
import { findDeadlock, type ContextView } from '../check/wait-for.js';
import { checkSleepInAtomic, type AtomicState } from '../check/sleep-in-atomic.js';
import { SectorShadow } from '../check/write-order.js';
import type { Deadlock, Outcome, StackOverflow, Violation } from '../check/outcome.js';
import type { Effect, Iocb, IoEvent, KernelEvent } from '../model/effects.js';
import type { SystemSpec } from './system.js';
import { Cpu } from './cpu.js';
import { IPL_HIGH } from '../model/ipl.js';
import { ExecContext, type Frame } from './exec-context.js';
import { MachineHost, isDone, outputOf, stateText, type MachineStep } from './xstate-adapter.js';
import { TimerQueue, type Timer } from './timers.js';
import { createStrategy, type Candidate, type Strategy, type StrategyName } from './strategy.js';
import { FaultInjector } from './faults.js';
import { createResources } from './resources.js';
import { ModelError } from './model-error.js';
import { TraceRecorder, type TraceStep } from './trace.js';

export interface RunOptions {
  /** Seed of every random choice (strategy, faults, allocators). Default 1. */
  readonly seed?: number;
  readonly strategy?: StrategyName;
  readonly pctDepth?: number;
  readonly pctSteps?: number;
  /** For `replay`: the recorded labels. */
  readonly schedule?: readonly string[];
  /** For `replay`: skip recorded labels that are not pending instead of failing. */
  readonly lenient?: boolean;
  /** Budget of steps before `step-limit`. Default 1,000,000. */
  readonly maxSteps?: number;
  /** Steps without a bio completion (while bios are open) before `no-progress`. Default 100,000. */
  readonly noProgressSteps?: number;
  /** Keep every step (for `--trace`); otherwise only the last `storySteps`. */
  readonly recordTrace?: boolean;
  readonly storySteps?: number;
  /** Run the wait-for check every this many steps even if time never stalls. Default 512. */
  readonly checkEvery?: number;
  /** Keep every (context, event) delivered to a machine, for benchmarks that replay them bare. */
  readonly recordDeliveries?: boolean;
}

/** One XState delivery: which context's top frame got which event. */
export interface Delivery {
  readonly ctx: number;
  readonly event: EventObject;
}

export interface RunResult {
  readonly outcome: Outcome;
  /** The verdict in domain words, one paragraph. */
  readonly explanation: string;
  readonly deadlock?: Deadlock;
  readonly violation?: Violation;
  readonly stackOverflow?: StackOverflow;
  readonly steps: number;
  /** Virtual time at the end. */
  readonly time: number;
  /** XState transitions performed (deliveries to machines). */
  readonly deliveries: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly bios: { readonly submitted: number; readonly completed: number; readonly failed: number; readonly stuck: readonly StuckBio[] };
  readonly traceHash: string;
  /** Every delivery chosen, in order: replaying it reproduces the run. */
  readonly schedule: readonly string[];
  /** How many steps had more than one candidate (real choices). */
  readonly choicePoints: number;
  readonly lastSteps: readonly TraceStep[];
  readonly trace?: readonly TraceStep[];
  /** With `recordDeliveries`: every delivery, in order. */
  readonly deliveryLog?: readonly Delivery[];
  /** Final state of each context, and each resource's description. */
  readonly finalStates: Readonly<Record<string, string>>;
  readonly resources: Readonly<Record<string, string>>;
}

export interface StuckBio {
  readonly bio: string;
  /** Where it is: `channel ubd.queue`, `aio-ring ring (in flight)`, or `unknown`. */
  readonly where: string;
}

interface Cand extends Candidate {
  readonly kind: 'reply' | 'resume' | 'irq' | 'timer' | 'mailbox';
  readonly timer?: Timer;
}

class Stop {
  constructor(readonly outcome: Outcome) {}
}

/**
 * The deterministic scheduler (DESIGN.md principles 1-4). Every pending
 * delivery (a reply to a context, a due timer, an interrupt, a context whose
 * blocked effect was granted) is a candidate; the strategy picks one; the
 * kernel delivers it to the context's top frame by a pure XState transition
 * and performs the effects it emitted. That is one step. Virtual time moves to
 * the next deadline only when nothing is deliverable now.
 */
export class Simulation {
  readonly clock = { now: 0, step: 0 };
  readonly contexts: ExecContext[] = [];
  readonly cpus = new Map<string, Cpu>();
  readonly resources: Map<string, Resource>;
  readonly ledger = new BioLedger();
  /** Sector contents as the stack promised them vs as devices applied them (check/write-order.ts). */
  readonly shadow = new SectorShadow();
  readonly metrics: Record<string, number> = {};
  private readonly byName = new Map<string, ExecContext>();
  private readonly mailboxOwner = new Map<Resource, ExecContext>();
  private readonly timers = new TimerQueue();
  private readonly strategy: Strategy;
  private readonly faults: FaultInjector;
  private readonly trace: TraceRecorder;
  private readonly schedule: string[] = [];
  private seq = 0;
  private frameSerial = 0;
  private deliveries = 0;
  private choicePoints = 0;
  private touched = new Set<Resource>();
  private violation: Violation | undefined;
  private overflow: StackOverflow | undefined;
  private deadlock: Deadlock | undefined;
  private stepEffects: string[] = [];
  private readonly cands: Cand[] = [];
  private booted = false;
  private stopped: Outcome | undefined;
  private sinceCheck = 0;
  private readonly deliveryLog: Delivery[] | undefined;
  private readonly opts: Required<Pick<RunOptions, 'maxSteps' | 'noProgressSteps' | 'checkEvery'>>;

  constructor(
    private readonly system: SystemSpec,
    options: RunOptions = {},
  ) {
    const seed = options.seed ?? 1;
    this.opts = { maxSteps: options.maxSteps ?? 1_000_000, noProgressSteps: options.noProgressSteps ?? 100_000, checkEvery: options.checkEvery ?? 512 };
    this.strategy = createStrategy({ name: options.strategy ?? 'fifo', seed, pctDepth: options.pctDepth, pctSteps: options.pctSteps, schedule: options.schedule, lenient: options.lenient });
    this.faults = new FaultInjector(system.faults ?? [], seed);
    this.trace = new TraceRecorder(options.storySteps ?? 12, options.recordTrace ?? false);
    this.deliveryLog = options.recordDeliveries ? [] : undefined;
    this.resources = createResources(system.resources, this.clock, seed);
    for (const c of system.cpus) this.cpus.set(c.name, new Cpu(c.name));
    system.contexts.forEach((spec, i) => {
      if (this.byName.has(spec.name)) throw new ModelError(`context '${spec.name}' is declared twice`);
      let cpu: Cpu | undefined;
      if (spec.cpu !== undefined) {
        cpu = this.cpus.get(spec.cpu);
        if (!cpu) throw new ModelError(`context '${spec.name}' runs on cpu '${spec.cpu}', which is not declared (cpus: ${[...this.cpus.keys()].join(', ')})`);
      }
      if (spec.kind === 'irq' && (!cpu || !spec.irq)) throw new ModelError(`interrupt handler '${spec.name}' needs a cpu and an irq level`);
      const ctx = new ExecContext(i, spec, cpu);
      if (spec.irq?.line !== undefined) ctx.irqLine = this.resource(spec.irq.line, `irq line of '${spec.name}'`);
      if (spec.mailbox !== undefined) {
        ctx.mailbox = this.channel(spec.mailbox, `mailbox of '${spec.name}'`);
        this.mailboxOwner.set(ctx.mailbox, ctx);
      }
      this.contexts.push(ctx);
      this.byName.set(spec.name, ctx);
    });
  }

  /** Run to a verdict, choosing with the configured strategy. */
  run(): RunResult {
    for (;;) {
      const cands = this.pending();
      if (cands.length === 0) return this.result();
      this.step(this.strategy.choose(cands, this.clock.step));
    }
  }

  // ---------------------------------------------------------------- stepping API (explorers drive this)

  /**
   * The deliveries a strategy may choose from now, advancing virtual time
   * and running the periodic checks first. Empty when the run has a verdict
   * (see `verdict`). Explorers call `pending()` then `step(i)` in a loop.
   */
  pending(): readonly Candidate[] {
    if (this.stopped !== undefined) return [];
    try {
      if (!this.booted) this.boot();
      return this.prepare();
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      this.stopped = e.outcome;
      return [];
    }
  }

  /** Deliver candidate `index` of the last `pending()`. */
  step(index: number): void {
    const chosen = this.cands[index];
    if (chosen === undefined) throw new Error(`step(${index}): only ${this.cands.length} candidates are pending`);
    if (this.cands.length > 1) this.choicePoints++;
    this.schedule.push(chosen.label);
    try {
      this.execute(chosen);
      this.checkTouched();
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      this.stopped = e.outcome;
    }
    this.clock.step++;
    this.cands.length = 0;
  }

  /** True once the run has a verdict (nothing is pending any more). */
  get finished(): boolean {
    return this.stopped !== undefined;
  }

  /**
   * An independent copy of the run as it stands, for explorers that branch
   * (exhaustive DFS/BFS): stepping one never changes the other, and the copy
   * continues exactly as the original would (same candidates, trace hash,
   * verdict). Everything a run mutates is copied; what it only reads is
   * shared: the system and its machines, the machine hosts, and XState
   * snapshots, which are immutable values. The strategy is shared too (it is
   * a closure), so drive a clone with `pending()`/`step()`, not `run()`.
   * About 10x cheaper than replaying a schedule on a fresh simulation.
   */
  clone(): Simulation {
    const shared = new Map<object, unknown>();
    const share = (o: object): void => void shared.set(o, o);
    share(this.system);
    share(this.strategy);
    for (const spec of this.system.contexts) share(spec.machine);
    for (const m of Object.values(this.system.callable ?? {})) share(m);
    for (const c of this.contexts) {
      for (const f of c.frames) {
        share(f.snapshot);
        share(f.host);
      }
    }
    return copyGraph(this, shared) as Simulation;
  }

  /**
   * Canonical text of the whole simulated state (machines' state values and
   * contexts, queues, blocked operations, CPUs, resources, timers relative to
   * now, open bios), for state hashing in exhaustive search. Two states with
   * equal fingerprints have the same futures. Step counts, metrics and
   * pending-order sequence numbers are not part of it.
   */
  fingerprint(): string {
    const parts: string[] = [];
    for (const c of this.contexts) {
      const frames = c.frames
        .map((f) => `${f.host.machine.id}:${JSON.stringify(f.snapshot.value)}:${JSON.stringify(f.snapshot.context)}:${JSON.stringify(f.callerRest)}`)
        .join('/');
      const blocked = c.blocked ? `${c.blocked.resource.name}.${c.blocked.op}` : '';
      const flags = `${c.irqActive ? 1 : 0}${c.irqRaised ? 1 : 0}${c.exited ? 1 : 0}`;
      parts.push(`${c.name}|${frames}|${JSON.stringify(c.replies.map((r) => r.event))}|${JSON.stringify(c.effects)}|${blocked}|${flags}|${c.mailboxSeqs.length}`);
    }
    for (const cpu of this.cpus.values()) parts.push(`cpu ${cpu.name}:${cpu.fingerprint()}`);
    for (const r of this.resources.values()) parts.push(r.fingerprint());
    parts.push(`timers:${this.timers.fingerprint(this.clock.now)}`);
    parts.push(`open:${this.ledger.stuck().join(',')}`);
    return parts.join('\n');
  }

  // ---------------------------------------------------------------- the loop

  private boot(): void {
    this.booted = true;
    for (const ctx of this.contexts) {
      const spec = this.system.contexts[ctx.index];
      this.pushFrame(ctx, spec.machine, spec.input, 'boot');
    }
    this.checkTouched();
  }

  /** Collect candidates, moving time to the next deadline while nothing is deliverable; throws Stop on a verdict. */
  private prepare(): readonly Candidate[] {
    const cands = this.cands;
    for (;;) {
      this.collect(cands);
      if (cands.length === 0) {
        if (this.anyBlocked()) this.checkDeadlock();
        const next = this.timers.nextDeadline();
        // Quiescent: result() decides between completed and an orphaned wait.
        if (next === undefined) throw new Stop('completed');
        this.clock.now = next;
        this.timers.advanceTo(next, () => this.seq++);
        continue;
      }
      if (this.clock.step >= this.opts.maxSteps) throw new Stop('step-limit');
      if (++this.sinceCheck >= this.opts.checkEvery) {
        this.sinceCheck = 0;
        if (this.anyBlocked()) this.checkDeadlock();
      }
      if (this.ledger.outstanding > 0 && this.clock.step - this.ledger.lastCompletionStep > this.opts.noProgressSteps) {
        this.checkDeadlock();
        throw new Stop('no-progress');
      }
      return cands;
    }
  }

  /** Heads of every delivery channel deliverable now, in context order (deterministic). */
  private collect(out: Cand[]): void {
    out.length = 0;
    for (const ctx of this.contexts) {
      if (ctx.exited || ctx.blocked) continue;
      if (ctx.isHandler && !ctx.irqActive && ctx.irqPendingSeq < 0 && ctx.irqAsserted) ctx.irqPendingSeq = this.seq++;
      if (!this.canRun(ctx)) continue;
      if (ctx.effects.length) {
        out.push({ kind: 'resume', label: ctx.labels.resume, ctx: ctx.index, seq: ctx.resumeSeq });
        continue;
      }
      if (ctx.isHandler && !ctx.irqActive) {
        if (ctx.irqPendingSeq >= 0) out.push({ kind: 'irq', label: ctx.labels.irq, ctx: ctx.index, seq: ctx.irqPendingSeq });
        continue;
      }
      if (ctx.replies.length) out.push({ kind: 'reply', label: ctx.labels.reply, ctx: ctx.index, seq: ctx.replies[0].seq });
      if (ctx.mailboxSeqs.length) out.push({ kind: 'mailbox', label: ctx.labels.mailbox, ctx: ctx.index, seq: ctx.mailboxSeqs[0] });
    }
    for (const t of this.timers.due) {
      const ctx = this.contexts[t.ctx];
      if (ctx.blocked || ctx.effects.length || ctx.exited || !this.canRun(ctx)) continue;
      if (ctx.isHandler && !ctx.irqActive) continue;
      out.push({ kind: 'timer', label: t.label ?? (t.label = ctx.timerLabel(t.id)), ctx: t.ctx, seq: t.pendingSeq, timer: t });
    }
  }

  /**
   * CPU rules (principle 4): a handler may start only above the CPU's level
   * and never while a host call stalls the CPU; while a handler runs, the
   * threads it interrupted cannot; a thread that raised the level (or is
   * stuck in a host call) holds the CPU against every other thread.
   */
  private canRun(ctx: ExecContext): boolean {
    const cpu = ctx.cpu;
    if (!cpu) return true;
    if (ctx.isHandler) {
      if (ctx.irqActive) return cpu.activeHandler === ctx.index;
      return cpu.stalledBy < 0 && ctx.irqLevel > cpu.ipl;
    }
    if (cpu.active.length) return false;
    const holder = cpu.iplOwner >= 0 ? cpu.iplOwner : cpu.stalledBy;
    return holder < 0 || holder === ctx.index;
  }

  private execute(c: Cand): void {
    const ctx = this.contexts[c.ctx];
    this.stepEffects = [];
    switch (c.kind) {
      case 'resume': {
        const frame = ctx.top;
        const state = stateText(frame.snapshot);
        ctx.resumeSeq = -1;
        this.settle(ctx);
        this.record(c.label, ctx, frame, 'resume', state, state);
        return;
      }
      case 'reply':
        this.deliver(c.label, ctx, ctx.replies.shift()!.event);
        return;
      case 'timer':
        this.timers.take(c.timer!);
        this.deliver(c.label, ctx, c.timer!.event);
        return;
      case 'mailbox': {
        const chan = ctx.mailbox!;
        const r = chan.get(ctx.name, { wait: false });
        ctx.mailboxSeqs.shift();
        this.touched.add(chan);
        this.wakeAll(r.wakeups);
        this.syncMailbox(chan);
        const ev: KernelEvent = { type: 'get.ok', chan: chan.name, item: r.value };
        this.deliver(c.label, ctx, ev);
        return;
      }
      case 'irq':
        ctx.irqPendingSeq = -1;
        ctx.irqRaised = false;
        ctx.irqActive = true;
        ctx.cpu!.enterHandler(ctx.index, ctx.irqLevel);
        const irq: KernelEvent = { type: 'irq', handler: ctx.name };
        this.deliver(c.label, ctx, irq);
        return;
    }
  }

  private deliver(label: string, ctx: ExecContext, event: EventObject): void {
    const frame = ctx.top;
    const from = stateText(frame.snapshot);
    let step: MachineStep;
    try {
      step = frame.host.transition(frame.snapshot, event);
    } catch (e) {
      if (e instanceof ModelError) throw e;
      throw new ModelError(`machine '${frame.host.machine.id}' on context '${ctx.name}' failed on event '${event.type}' in state ${from}: ${(e as Error).message}`);
    }
    this.deliveries++;
    this.deliveryLog?.push({ ctx: ctx.index, event });
    frame.snapshot = step.snapshot;
    this.applyTimers(ctx, frame, step);
    for (const e of step.effects) ctx.effects.push(e);
    this.settle(ctx);
    this.record(label, ctx, frame, event.type, from, stateText(step.snapshot));
  }

  private record(label: string, ctx: ExecContext, frame: Frame, event: string, from: string, to: string): void {
    this.trace.record({
      step: this.clock.step,
      time: this.clock.now,
      label,
      ctx: ctx.name,
      machine: frame.host.machine.id,
      depth: ctx.frames.length,
      event,
      from,
      to,
      effects: this.stepEffects,
    });
  }

  private applyTimers(ctx: ExecContext, frame: Frame, step: MachineStep): void {
    for (const id of step.cancels) this.timers.cancel(ctx.index, frame.serial, id);
    for (const t of step.timers) this.timers.schedule(this.clock.now, t.delay, ctx.index, frame.serial, t.id, t.event, () => this.seq++);
  }

  /**
   * Perform the context's pending effects until one blocks; pop frames that
   * reached their final state (returning to the caller with `call.return`).
   */
  private settle(ctx: ExecContext): void {
    for (;;) {
      while (ctx.effects.length && !ctx.blocked && !ctx.exited) {
        this.perform(ctx, ctx.effects.shift()!);
      }
      if (ctx.blocked || ctx.exited) return;
      if (ctx.effects.length) continue;
      const top = ctx.top;
      if (!top || !isDone(top.snapshot)) return;
      this.popFrame(ctx);
      if (ctx.exited) return;
    }
  }

  private pushFrame(ctx: ExecContext, machine: AnyStateMachine, input: unknown, why: string): void {
    const host = MachineHost.for(machine);
    if (ctx.frames.length + 1 > ctx.stackLimit) {
      this.overflow = { context: ctx.name, limit: ctx.stackLimit, chain: [...ctx.frames.map((f) => f.host.machine.id), machine.id] };
      throw new Stop('stack-overflow');
    }
    let step: MachineStep;
    try {
      step = host.initial(input);
    } catch (e) {
      throw new ModelError(`machine '${machine.id}' could not start on context '${ctx.name}' (${why}): ${(e as Error).message}`);
    }
    const frame: Frame = { serial: this.frameSerial++, host, snapshot: step.snapshot, callerRest: ctx.effects };
    ctx.effects = [];
    ctx.frames.push(frame);
    if (ctx.frames.length > ctx.maxDepth) ctx.maxDepth = ctx.frames.length;
    this.applyTimers(ctx, frame, step);
    for (const e of step.effects) ctx.effects.push(e);
    this.settle(ctx);
  }

  private popFrame(ctx: ExecContext): void {
    const frame = ctx.frames.pop()!;
    this.timers.cancelFrame(ctx.index, frame.serial);
    if (ctx.frames.length === 0) {
      ctx.exited = true;
      return;
    }
    // The caller resumes after its `call`: first the effects it emitted after the call, then the return event.
    ctx.effects = frame.callerRest;
    const ret: KernelEvent = { type: 'call.return', machine: frame.host.machine.id, output: outputOf(frame.snapshot) };
    ctx.replies.unshift({ event: ret, seq: this.seq++ });
  }

  // ---------------------------------------------------------------- effects

  private perform(ctx: ExecContext, e: Effect): void {
    const me = ctx.name;
    const atomic = checkSleepInAtomic(e, () => `${me} (${ctx.kind}, in ${ctx.top.host.machine.id} ${stateText(ctx.top.snapshot)})`, () => this.atomicState(ctx), (n) => this.resources.get(n));
    if (atomic) this.violate('sleep-in-atomic', [me], atomic);
    switch (e.type) {
      case 'put': {
        const chan = this.channel(e.chan, e.type);
        const wait = e.wait ?? true;
        const r = chan.put(me, e.item, { wait, front: e.front });
        this.syncMailbox(chan);
        this.note(`put ${e.chan}`, r.status);
        this.wakeAll(r.wakeups);
        if (r.status === 'blocked') this.block(ctx, chan, 'put', e.ack === true || !wait, e.host === true);
        else if (!wait || e.ack) this.reply(ctx, { type: r.status === 'ok' ? 'put.ok' : 'put.eagain', chan: e.chan });
        return;
      }
      case 'get': {
        const chan = this.channel(e.chan, e.type);
        if (this.mailboxOwner.has(chan)) throw new ModelError(`context '${me}' did a get on '${e.chan}', which is the mailbox of '${this.mailboxOwner.get(chan)!.name}'`);
        const r = chan.get(me, { wait: e.wait ?? true });
        this.note(`get ${e.chan}`, r.status);
        this.wakeAll(r.wakeups);
        if (r.status === 'blocked') this.block(ctx, chan, 'get', true, e.host === true);
        else this.reply(ctx, r.status === 'ok' ? { type: 'get.ok', chan: e.chan, item: r.value } : { type: 'get.eagain', chan: e.chan });
        return;
      }
      case 'ioSubmit': {
        const ring = this.ring(e.ring);
        const errno = this.faults.check('ioSubmit', e.ring);
        if (errno) {
          this.note(`ioSubmit ${e.iocb.id}`, `injected errno ${errno}`);
          this.reply(ctx, { type: 'ioSubmit.error', ring: e.ring, id: e.iocb.id, errno });
          return;
        }
        const r = ring.submit(me, e.iocb);
        this.note(`ioSubmit ${e.iocb.id}`, r.status);
        if (r.status === 'ok') {
          const device = this.ringDevice.get(e.ring);
          if (device) {
            const chan = this.channel(device, 'ioSubmit');
            this.wakeAll(chan.put(me, e.iocb, { wait: false }).wakeups);
            this.syncMailbox(chan);
          }
        }
        this.reply(ctx, { type: r.status === 'ok' ? 'ioSubmit.ok' : 'ioSubmit.eagain', ring: e.ring, id: e.iocb.id });
        return;
      }
      case 'ioGetevents': {
        const ring = this.ring(e.ring);
        const r = ring.getevents(me, { min: e.min ?? 1, max: e.max ?? 1, wait: true });
        this.note(`ioGetevents ${e.ring}`, r.status);
        if (r.status === 'blocked') this.block(ctx, ring, 'getevents', true, false);
        else this.reply(ctx, { type: 'ioGetevents.ok', ring: e.ring, events: r.value as readonly IoEvent[] });
        return;
      }
      case 'ioComplete': {
        const ring = this.ring(e.ring);
        const errno = this.faults.check('disk', e.ring);
        const res = errno ? -errno : (e.res ?? 0);
        const r = ring.complete(e.id, res);
        this.note(`ioComplete ${e.id}`, errno ? `injected -${errno}` : 'ok');
        this.wakeAll(r.wakeups);
        return;
      }
      case 'alloc': {
        const pool = this.typed(e.pool, Mempool, 'alloc');
        const r = pool.alloc(me, { wait: e.wait });
        this.note(`alloc ${e.pool}`, r.status);
        if (r.status === 'blocked') this.block(ctx, pool, 'alloc', true, false);
        else this.reply(ctx, r.status === 'ok' ? { type: 'alloc.ok', pool: e.pool, element: r.value as string } : { type: 'alloc.fail', pool: e.pool });
        return;
      }
      case 'kmalloc': {
        const allocator = this.typed(e.allocator, PageAllocator, 'kmalloc');
        const r = allocator.alloc(me, { wait: e.gfp === 'GFP_KERNEL' });
        this.note(`kmalloc ${e.allocator} ${e.gfp}`, r.status);
        if (r.status === 'blocked') this.block(ctx, allocator, 'kmalloc', true, false);
        else this.reply(ctx, r.status === 'ok' ? { type: 'kmalloc.ok', allocator: e.allocator, element: r.value as string } : { type: 'kmalloc.fail', allocator: e.allocator });
        return;
      }
      case 'kfree': {
        const wakeups = this.typed(e.allocator, PageAllocator, 'kfree').free(e.element);
        this.note(`kfree ${e.element}`, 'ok');
        this.wakeAll(wakeups);
        return;
      }
      case 'free': {
        const r = this.typed(e.pool, Mempool, 'free').free(me, e.element);
        this.note(`free ${e.pool}`, 'ok');
        this.wakeAll(r.wakeups);
        return;
      }
      case 'lock': {
        const lock = this.typed(e.lock, Lock, 'lock');
        const r = lock.acquire(me, { wait: e.wait ?? true });
        this.note(`lock ${e.lock}`, r.status);
        if (r.status === 'blocked') this.block(ctx, lock, 'acquire', true, false);
        else this.reply(ctx, { type: r.status === 'ok' ? 'lock.ok' : 'lock.busy', lock: e.lock });
        return;
      }
      case 'unlock': {
        const r = this.typed(e.lock, Lock, 'unlock').release(me);
        this.note(`unlock ${e.lock}`, 'ok');
        this.wakeAll(r.wakeups);
        return;
      }
      case 'down': {
        const sem = this.typed(e.sem, Semaphore, 'down');
        const r = sem.down(me, { wait: e.wait ?? true });
        this.note(`down ${e.sem}`, r.status);
        if (r.status === 'blocked') this.block(ctx, sem, 'down', true, false);
        else this.reply(ctx, { type: r.status === 'ok' ? 'down.ok' : 'down.busy', sem: e.sem });
        return;
      }
      case 'up': {
        const r = this.typed(e.sem, Semaphore, 'up').up(me);
        this.note(`up ${e.sem}`, 'ok');
        this.wakeAll(r.wakeups);
        return;
      }
      case 'ticketTake': {
        const ticket = this.typed(e.counter, TicketCounter, 'ticketTake').take(me);
        this.note(`ticketTake ${e.counter}`, `ticket ${ticket}`);
        this.reply(ctx, { type: 'ticketTake.ok', counter: e.counter, ticket });
        return;
      }
      case 'ticketWait': {
        const counter = this.typed(e.counter, TicketCounter, 'ticketWait');
        const r = counter.waitFor(me, e.ticket, { wait: true });
        this.note(`ticketWait ${e.counter} ${e.ticket}`, r.status);
        if (r.status === 'blocked') this.block(ctx, counter, 'waitFor', true, false, e.ticket);
        else this.reply(ctx, { type: 'ticketWait.ok', counter: e.counter, ticket: e.ticket });
        return;
      }
      case 'ticketAdvance': {
        const r = this.typed(e.counter, TicketCounter, 'ticketAdvance').advance(me, e.by ?? 1);
        this.note(`ticketAdvance ${e.counter}`, 'ok');
        this.wakeAll(r.wakeups);
        return;
      }
      case 'spl': {
        if (!ctx.cpu) throw new ModelError(`context '${me}' emitted spl but runs on no cpu`);
        ctx.cpu.setIpl(ctx.index, e.level);
        this.note(`spl ${e.level}`, 'ok');
        return;
      }
      case 'iret': {
        if (!ctx.irqActive) throw new ModelError(`context '${me}' emitted iret outside an interrupt`);
        ctx.cpu!.leaveHandler(ctx.index);
        ctx.irqActive = false;
        this.note('iret', 'ok');
        return;
      }
      case 'raiseIrq': {
        const h = this.byName.get(e.handler);
        if (!h || !h.isHandler) throw new ModelError(`raiseIrq: '${e.handler}' is not an interrupt handler context`);
        h.irqRaised = true;
        this.note(`raiseIrq ${e.handler}`, 'ok');
        return;
      }
      case 'call': {
        const machine = this.system.callable?.[e.machine];
        if (!machine) throw new ModelError(`context '${me}' called machine '${e.machine}', which the scenario does not declare callable (callable: ${Object.keys(this.system.callable ?? {}).join(', ') || 'none'})`);
        this.note(`call ${e.machine}`, `depth ${ctx.frames.length + 1}`);
        this.pushFrame(ctx, machine, e.input, `call from ${ctx.top.host.machine.id}`);
        return;
      }
      case 'bioSubmit': {
        const v = this.ledger.submit(e.bio, this.clock.step);
        if (v) this.violate('bio conservation', [me], v);
        if (e.write) this.shadow.queue(e.bio, me, e.write);
        return;
      }
      case 'mediaWrite': {
        const v = this.shadow.apply(e.bio, e.sector, e.count ?? 1);
        this.note(`mediaWrite ${e.bio} sector ${e.sector}${(e.count ?? 1) > 1 ? `+${e.count}` : ''}`, v ? 'out of order' : 'ok');
        if (v) this.violate('write ordering', [...v.contexts], v.message);
        return;
      }
      case 'bioComplete': {
        const v = this.ledger.complete(e.bio, e.error ?? 0, this.clock.step, this.clock.now);
        this.note(`bioComplete ${e.bio}`, e.error ? `error ${e.error}` : 'ok');
        if (v) this.violate('bio conservation', [me], v);
        return;
      }
      case 'metric': {
        const cur = this.metrics[e.name] ?? 0;
        if (e.add !== undefined) this.metrics[e.name] = cur + e.add;
        if (e.max !== undefined) this.metrics[e.name] = Math.max(cur, e.max);
        if (e.peak !== undefined) this.metrics[e.peak] = Math.max(this.metrics[e.peak] ?? 0, this.metrics[e.name]);
        return;
      }
      case 'getblk':
      case 'bufMalloc':
      case 'getnewbuf':
      case 'needbuffer':
      case 'bufio':
      case 'bufHandoff':
      case 'biowait':
      case 'biodone':
      case 'brelse':
      case 'vflushbuf': {
        const cache = this.typed(e.cache, BufferCache, e.type);
        const r = cache.perform(me, e);
        this.note(`${e.type} ${r.note}`, r.status);
        this.wakeAll(r.wakeups);
        if (r.status === 'blocked') this.block(ctx, cache, e.type, true, false);
        else if (r.reply) this.reply(ctx, r.reply);
        return;
      }
      default:
        throw new ModelError(`context '${me}' emitted unknown effect '${(e as { type: string }).type}'`);
    }
  }

  /** Keep the pending order of a mailbox in step with its channel's contents. */
  private syncMailbox(chan: Channel): void {
    const owner = this.mailboxOwner.get(chan);
    if (!owner) return;
    while (owner.mailboxSeqs.length < chan.length) owner.mailboxSeqs.push(this.seq++);
  }

  private note(what: string, result: string): void {
    this.stepEffects.push(`${what}: ${result}`);
  }

  private block(ctx: ExecContext, resource: Resource, op: string, reply: boolean, host: boolean, arg?: number): void {
    ctx.blocked = { resource, op, reply, host, since: this.clock.step, arg };
    if (host && ctx.cpu) ctx.cpu.stalledBy = ctx.index;
  }

  private reply(ctx: ExecContext, event: KernelEvent): void {
    ctx.replies.push({ event, seq: this.seq++ });
  }

  private wakeAll(wakeups: readonly Wakeup[]): void {
    for (const w of wakeups) this.wake(w);
  }

  /** A resource let a parked context go: unpark it and queue what its operation returns. */
  private wake(w: Wakeup): void {
    const ctx = this.byName.get(w.ctx);
    if (!ctx || !ctx.blocked) throw new Error(`kernel: wakeup for '${w.ctx}', which is not blocked`);
    const b = ctx.blocked;
    ctx.blocked = null;
    if (b.host && ctx.cpu && ctx.cpu.stalledBy === ctx.index) ctx.cpu.stalledBy = -1;
    const name = b.resource.name;
    if (b.reply) {
      switch (b.op) {
        case 'put':
          this.reply(ctx, { type: 'put.ok', chan: name });
          break;
        case 'get':
          this.reply(ctx, { type: 'get.ok', chan: name, item: w.value });
          break;
        case 'getevents':
          this.reply(ctx, { type: 'ioGetevents.ok', ring: name, events: w.value as readonly IoEvent[] });
          break;
        case 'alloc':
          this.reply(ctx, { type: 'alloc.ok', pool: name, element: w.value as string });
          break;
        case 'acquire':
          this.reply(ctx, { type: 'lock.ok', lock: name });
          break;
        case 'down':
          this.reply(ctx, { type: 'down.ok', sem: name });
          break;
        case 'waitFor':
          this.reply(ctx, { type: 'ticketWait.ok', counter: name, ticket: b.arg ?? 0 });
          break;
        case 'kmalloc':
          this.reply(ctx, { type: 'kmalloc.ok', allocator: name, element: w.value as string });
          break;
        case 'getblk':
        case 'getnewbuf':
        case 'needbuffer':
        case 'biowait':
          // The buffer cache says what each of its sleepers gets back.
          this.reply(ctx, w.value as KernelEvent);
          break;
      }
    }
    if (ctx.effects.length) ctx.resumeSeq = this.seq++;
  }

  // ---------------------------------------------------------------- lookups

  private ringDeviceCache: Map<string, string> | undefined;
  private get ringDevice(): Map<string, string> {
    if (!this.ringDeviceCache) {
      this.ringDeviceCache = new Map();
      for (const s of this.system.resources) if (s.kind === 'aio-ring' && s.device) this.ringDeviceCache.set(s.name, s.device);
    }
    return this.ringDeviceCache;
  }

  private resource(name: string, usedBy: string): Resource {
    const r = this.resources.get(name);
    if (!r) throw new ModelError(`${usedBy}: no resource named '${name}' (declared: ${[...this.resources.keys()].join(', ') || 'none'})`);
    this.touched.add(r);
    return r;
  }

  private channel(name: string, op: string): Channel {
    const r = this.resource(name, op);
    if (!(r instanceof Channel)) throw new ModelError(`${op}: '${name}' is a ${r.kind}, not a channel or pipe`);
    return r;
  }

  private ring(name: string): AioRing<Iocb> {
    return this.typed(name, AioRing, 'io_submit/io_getevents') as AioRing<Iocb>;
  }

  private typed<T extends Resource>(name: string, cls: abstract new (...args: never[]) => T, op: string): T {
    const r = this.resource(name, op);
    if (!(r instanceof cls)) throw new ModelError(`${op}: '${name}' is a ${r.kind}`);
    return r;
  }

  // ---------------------------------------------------------------- checks

  /** Resource conservation after every step, for the resources the step touched. */
  private checkTouched(): void {
    for (const r of this.touched) {
      const v = r.checkConservation();
      if (v) this.violate('resource conservation', [], v);
    }
    this.touched.clear();
  }

  private violate(invariant: string, contexts: string[], message: string): never {
    this.violation = { invariant, step: this.clock.step, contexts, message };
    throw new Stop('violation');
  }

  /**
   * Whether a deadlock could start now: some context is parked in the middle
   * of work (not in an idle-tagged wait for new work, or stuck with an item
   * in hand, or in a host call), or some CPU is held (a context waiting for
   * it is mid-work). Contexts idle in a `get` between requests cannot start a
   * deadlock report, so a stack full of them (the pipeline between bios) is
   * not re-checked at every tick. The final check at quiescence is unaffected.
   */
  private anyBlocked(): boolean {
    for (const cpu of this.cpus.values()) if (cpu.ipl > 0 || cpu.stalledBy >= 0 || cpu.active.length) return true;
    for (const c of this.contexts) {
      const b = c.blocked;
      if (!b) continue;
      if (b.host || (b.op === 'put' && !b.reply) || c.effects.length > 0 || !c.top.snapshot.hasTag('idle')) return true;
    }
    return false;
  }

  private checkDeadlock(): void {
    const d = findDeadlock(this.views());
    if (d) {
      this.deadlock = d;
      throw new Stop('deadlock');
    }
  }

  /** The wait-for view of every context (see check/wait-for.ts). */
  views(): ContextView[] {
    return this.contexts.map((ctx) => this.view(ctx));
  }

  private view(ctx: ExecContext): ContextView {
    const state = ctx.exited ? 'exited' : stateText(ctx.top.snapshot);
    const detail = this.contextDetail(ctx);
    const midWork = !ctx.exited && !ctx.top.snapshot.hasTag('idle');
    if (ctx.exited) return { name: ctx.name, state, detail, live: false, midWork: false };
    if (ctx.blocked) {
      const r = ctx.blocked.resource;
      // A plain blocking put has no reply: the machine already moved on (often into an idle state),
      // but the context is stuck with the item in hand, in the middle of work.
      const inHand = ctx.blocked.op === 'put' && !ctx.blocked.reply;
      const waiter = r.waiters().find((w) => w.ctx === ctx.name) ?? { ctx: ctx.name, what: ctx.blocked.op, since: ctx.blocked.since };
      return { name: ctx.name, state, detail, live: false, midWork: midWork || inHand, wait: { node: r.name, nodeKind: 'resource', nodeDetail: r.describe(), what: waiter.what, releasers: r.releasers(waiter) } };
    }
    const pending =
      ctx.effects.length > 0 ||
      ctx.replies.length > 0 ||
      ctx.mailboxSeqs.length > 0 ||
      this.timers.due.some((t) => t.ctx === ctx.index) ||
      (ctx.isHandler && !ctx.irqActive && ctx.irqAsserted);
    if (pending) {
      if (this.canRun(ctx)) return { name: ctx.name, state, detail, live: true, midWork };
      const cpu = ctx.cpu!;
      const holder = cpu.activeHandler >= 0 ? cpu.activeHandler : cpu.iplOwner >= 0 ? cpu.iplOwner : cpu.stalledBy;
      const why = cpu.stalledBy >= 0 ? `ipl ${cpu.ipl}, stalled by ${this.contexts[cpu.stalledBy].name}'s host system call` : cpu.activeHandler >= 0 ? `in interrupt handler ${this.contexts[cpu.activeHandler].name}` : `ipl ${cpu.ipl}`;
      const holderName = holder >= 0 ? this.contexts[holder].name : undefined;
      return {
        name: ctx.name,
        state,
        detail,
        live: false,
        midWork: true,
        wait: {
          node: `cpu ${cpu.name}`,
          nodeKind: 'resource',
          nodeDetail: `cpu ${cpu.name} (${why})`,
          what: 'the CPU',
          releasers: holderName ? [{ ctx: holderName, edge: cpu.activeHandler >= 0 ? 'borrowed-cpu' : 'held-by' }] : [],
        },
      };
    }
    if (this.timers.hasFutureFor(ctx.index)) return { name: ctx.name, state, detail, live: true, midWork };
    if (ctx.isHandler && !ctx.irqActive && ctx.irqLine) {
      const line = ctx.irqLine;
      const waiter: Waiter = { ctx: ctx.name, what: 'data', since: 0 };
      return { name: ctx.name, state, detail, live: false, midWork: false, wait: { node: line.name, nodeKind: 'resource', nodeDetail: line.describe(), what: 'data (its interrupt line)', releasers: line.releasers(waiter) } };
    }
    return { name: ctx.name, state, detail, live: false, midWork: false };
  }

  /** What could make `ctx` atomic now: its handler, the level it raised its CPU to, the spin locks it holds. */
  private atomicState(ctx: ExecContext): AtomicState {
    const cpu = ctx.cpu;
    const ipl = cpu && cpu.iplOwner === ctx.index ? cpu.ipl : 0;
    const spinLocks: string[] = [];
    for (const r of this.resources.values()) if (r instanceof Lock && r.flavour === 'spin' && r.owner === ctx.name) spinLocks.push(r.name);
    return { inInterrupt: ctx.irqActive ? ctx.irqLevel : undefined, ipl, interruptsOff: ipl >= IPL_HIGH, spinLocks };
  }

  private contextDetail(ctx: ExecContext): string {
    const parts: string[] = [];
    const cpu = ctx.cpu;
    if (cpu && cpu.iplOwner === ctx.index && cpu.ipl > 0) parts.push('interrupts off');
    if (ctx.irqActive) parts.push('in interrupt');
    if (ctx.blocked?.host) parts.push('blocked in a host system call');
    if (ctx.frames.length > 1) parts.push(`stack depth ${ctx.frames.length}`);
    return parts.join(', ');
  }

  // ---------------------------------------------------------------- verdict

  private result(): RunResult {
    let outcome: Outcome;
    if (this.violation) outcome = 'violation';
    else if (this.overflow) outcome = 'stack-overflow';
    else if (this.deadlock) outcome = 'deadlock';
    else if (this.clock.step >= this.opts.maxSteps) outcome = 'step-limit';
    else if (this.ledger.outstanding > 0 && this.clock.step - this.ledger.lastCompletionStep > this.opts.noProgressSteps) outcome = 'no-progress';
    else if (this.ledger.outstanding > 0) {
      // Quiescent with open bios and no doomed context in mid-work: an orphaned wait.
      this.deadlock = this.orphanedBios();
      outcome = 'deadlock';
    } else outcome = 'completed';

    const stuck = this.ledger.stuck().map((bio) => ({ bio, where: this.locate(bio) }));
    const metrics = this.collectMetrics();
    const finalStates: Record<string, string> = {};
    for (const c of this.contexts) finalStates[c.name] = c.exited ? 'exited' : stateText(c.top.snapshot);
    const resources: Record<string, string> = {};
    for (const [n, r] of this.resources) resources[n] = r.describe();
    return {
      outcome,
      explanation: this.explain(outcome, stuck),
      deadlock: this.deadlock,
      violation: this.violation,
      stackOverflow: this.overflow,
      steps: this.clock.step,
      time: this.clock.now,
      deliveries: this.deliveries,
      metrics,
      bios: { submitted: this.ledger.submitted, completed: this.ledger.completed, failed: this.ledger.failed, stuck },
      traceHash: this.trace.hash,
      schedule: this.schedule,
      choicePoints: this.choicePoints,
      lastSteps: this.trace.last(),
      trace: this.trace.full,
      deliveryLog: this.deliveryLog,
      finalStates,
      resources,
    };
  }

  private orphanedBios(): Deadlock {
    const stuck = this.ledger.stuck();
    const views = this.views();
    const waiting = views.filter((v) => v.wait);
    const nodes = waiting.slice(0, 1).flatMap((v) => [
      { kind: 'context' as const, id: v.name, state: v.state, detail: v.detail, edge: 'waits-for' as const },
      { kind: 'resource' as const, id: v.wait!.node, detail: v.wait!.nodeDetail, edge: 'none' as const },
    ]);
    const where = stuck.slice(0, 3).map((b) => `${b} (${this.locate(b)})`).join(', ');
    const who = waiting.map((v) => `${v.name} waits for ${v.wait!.what} in ${v.wait!.nodeDetail}`).join('; ');
    return {
      shape: 'orphan',
      nodes,
      stuckContexts: waiting.map((v) => v.name),
      text: `deadlock: orphaned wait: nothing can run, yet ${stuck.length} bio${stuck.length === 1 ? ' is' : 's are'} open: ${where}${stuck.length > 3 ? ', ...' : ''}; ${who || 'no context waits for anything'}; no live context will ever move them.`,
    };
  }

  /** Where an open bio sits: the resource whose items name it exactly, else the context holding it. */
  private locate(bio: string): string {
    for (const r of this.resources.values()) if (r.holds(bio)) return `${r.kind} ${r.name}`;
    for (const c of this.contexts) {
      if (c.effects.some((e) => mentionsBio(e, bio))) return `held by ${c.name}`;
      for (const f of c.frames) if (mentionsBio(f.snapshot.context, bio)) return `in hand of ${c.name} (${stateText(f.snapshot)})`;
    }
    return 'held by a context (not in any queue)';
  }

  private collectMetrics(): Record<string, number> {
    const m: Record<string, number> = { ...this.metrics };
    for (const [name, r] of this.resources) for (const [k, v] of Object.entries(r.metrics())) m[`${name}.${k}`] = v;
    for (const [at, n] of Object.entries(this.faults.injected)) m[`faults.${at}`] = n;
    for (const c of this.contexts) if (c.maxDepth > 1) m[`${c.name}.maxDepth`] = c.maxDepth;
    return m;
  }

  private explain(outcome: Outcome, stuck: readonly StuckBio[]): string {
    switch (outcome) {
      case 'violation':
        return `violation of ${this.violation!.invariant} at step ${this.violation!.step}: ${this.violation!.message}`;
      case 'stack-overflow': {
        const o = this.overflow!;
        return `stack-overflow on ${o.context}: ${o.chain.length} frames > limit ${o.limit}; call chain: ${o.chain.join(' -> ')}`;
      }
      case 'deadlock':
        return this.deadlock!.text;
      case 'no-progress':
        return `no-progress: ${this.opts.noProgressSteps} steps without a bio completing while ${stuck.length} bio(s) are open, and no cycle or orphaned wait explains it (first open: ${stuck.slice(0, 3).map((s) => s.bio).join(', ')})`;
      case 'step-limit':
        return `step-limit: ${this.opts.maxSteps} steps ran out without a verdict (${stuck.length} bio(s) open)`;
      case 'completed':
        return `completed: ${this.ledger.completed} bio(s) completed${this.ledger.failed ? ` (${this.ledger.failed} with an error)` : ''}, every invariant held`;
    }
  }
}

/**
 * Deep copy of an object graph that keeps its shape: shared references stay
 * shared (`memo` maps each original to its copy, and starts with the objects
 * to share as themselves), class instances keep their prototype, arrays, maps
 * and sets are rebuilt. Frozen objects are immutable and shared as they are.
 */
function copyGraph(v: unknown, memo: Map<object, unknown>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const known = memo.get(v);
  if (known !== undefined) return known;
  if (Object.isFrozen(v)) return v;
  if (Array.isArray(v)) {
    const a: unknown[] = new Array(v.length);
    memo.set(v, a);
    for (let i = 0; i < v.length; i++) a[i] = copyGraph(v[i], memo);
    return a;
  }
  if (v instanceof Map) {
    const m = new Map();
    memo.set(v, m);
    for (const [k, x] of v) m.set(copyGraph(k, memo), copyGraph(x, memo));
    return m;
  }
  if (v instanceof Set) {
    const m = new Set();
    memo.set(v, m);
    for (const x of v) m.add(copyGraph(x, memo));
    return m;
  }
  const o = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
  memo.set(v, o);
  for (const k of Object.keys(v)) o[k] = copyGraph((v as Record<string, unknown>)[k], memo);
  return o;
}

