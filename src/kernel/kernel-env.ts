/**
 * The EffectEnv a handler sees (protocol.ts), over the world. One instance per
 * world, pointed at the calling context before each call: effects are the hot
 * path and a fresh object per effect would cost more than the effect.
 */
import type { AnyStateMachine } from 'xstate';
import type { Resource, SimClock } from '../resources/resource.js';
import type { EffectEnv, KernelServices, ResourceSpecLike, TraceNote } from './protocol.js';
import type { ExecContext } from './exec-context.js';
import type { FaultSpec } from './system.js';
import type { World } from './world.js';
import type { WriteSpec } from '../model/effects.js';
import type { Personality } from './personality.js';

export class KernelEnv implements EffectEnv, KernelServices {
  private ctx!: ExecContext;

  constructor(private readonly world: World) {}

  /** This env, on behalf of `ctx`. */
  at(ctx: ExecContext): this {
    this.ctx = ctx;
    return this;
  }

  get caller(): string {
    return this.ctx.name;
  }

  get clock(): Readonly<SimClock> {
    return this.world.clock;
  }

  get kernel(): KernelServices {
    return this;
  }

  resource<T extends Resource>(name: string, cls: abstract new (...args: never[]) => T, op: string, expected?: string): T {
    return this.world.typed(name, cls, op, expected);
  }

  specOf(name: string): ResourceSpecLike | undefined {
    return this.world.specs.get(name);
  }

  note(entry: TraceNote): void {
    this.world.stepEffects.push(entry);
  }

  fault(at: FaultSpec['at'], target: string): number {
    return this.world.faults.check(at, target);
  }

  // ------------------------------------------------------------ KernelServices

  personality(): Personality {
    return this.world.personality;
  }

  mailboxOwner(r: Resource): string | undefined {
    return this.world.mailboxOwner.get(r)?.name;
  }

  callable(name: string): AnyStateMachine | undefined {
    return this.world.system.callable?.[name];
  }

  callableNames(): readonly string[] {
    return Object.keys(this.world.system.callable ?? {});
  }

  setIpl(level: number): boolean {
    if (!this.ctx.cpu) return false;
    this.ctx.cpu.setIpl(this.ctx.index, level);
    return true;
  }

  iret(): boolean {
    if (!this.ctx.irqActive) return false;
    this.ctx.cpu!.leaveHandler(this.ctx.index);
    this.ctx.irqActive = false;
    return true;
  }

  raiseIrq(name: string): boolean {
    const h = this.world.byName.get(name);
    if (!h || !h.isHandler) return false;
    h.irqRaised = true;
    return true;
  }

  depth(): number {
    return this.ctx.frames.length;
  }

  bioSubmit(bio: string, write: WriteSpec | undefined): string | undefined {
    const v = this.world.ledger.submit(bio, this.world.clock.step);
    if (!v && write) this.world.shadow.queue(bio, this.ctx.name, write);
    return v;
  }

  bioComplete(bio: string, error: number): string | undefined {
    return this.world.ledger.complete(bio, error, this.world.clock.step, this.world.clock.now);
  }

  mediaWrite(bio: string, sector: number, count: number): { readonly message: string; readonly contexts: readonly string[] } | undefined {
    return this.world.shadow.apply(bio, sector, count);
  }

  metric(name: string, add: number | undefined, max: number | undefined, peak: string | undefined): void {
    const m = this.world.metrics;
    const cur = m[name] ?? 0;
    if (add !== undefined) m[name] = cur + add;
    if (max !== undefined) m[name] = Math.max(cur, max);
    if (peak !== undefined) m[peak] = Math.max(m[peak] ?? 0, m[name]);
  }
}
