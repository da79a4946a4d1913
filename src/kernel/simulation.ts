/**
 * The deterministic scheduler (DESIGN.md principles 1-4), as a facade over
 * its parts. Every pending delivery (a reply to a context, a due timer, an
 * interrupt, a context whose parked operation was granted) is a candidate;
 * the strategy picks one; the kernel delivers it to the context's top frame
 * by a pure XState transition and performs the effects it emitted through
 * the dispatch table. That is one step. Virtual time moves to the next
 * deadline only when nothing is deliverable now.
 *
 *   world.ts        the state of a run, and the verdict once reached
 *   deliverable.ts  what may be chosen now (CPU rules)
 *   loop.ts         execute one candidate; prepare the next ones (time, checks)
 *   frames.ts       deliver, settle, push and pop frames
 *   dispatch.ts     effect -> handler (registry.ts, kinds/), wake-ups
 *   inbox.ts        replies and mailboxes
 *   wait-view.ts    the wait-for view the deadlock check reads
 *   verdict.ts      deadlock check and the run's result
 *   snapshot.ts     fingerprint and clone
 */
import type { ContextView } from '../check/wait-for.js';
import type { Resource } from '../resources/resource.js';
import type { BioLedger } from '../check/bio-ledger.js';
import type { SectorShadow } from '../check/write-order.js';
import type { SystemSpec } from './system.js';
import type { Cpu } from './cpu.js';
import type { ExecContext } from './exec-context.js';
import { createStrategy, type Candidate, type Strategy, type StrategyOptions } from './strategy.js';
import { World } from './world.js';
import { buildTable, type DispatchTable } from './registry.js';
import { BUILTIN_FAMILIES, BUILTIN_KINDS } from './kinds/index.js';
import { boot, execute, prepare } from './loop.js';
import { views } from './wait-view.js';
import { result } from './verdict.js';
import { cloneWorld, fingerprint } from './snapshot.js';
import type { RunOptions, RunResult } from './run-result.js';

export type { RunOptions, RunResult, StuckBio, Delivery } from './run-result.js';

const BUILTIN_TABLE = buildTable(BUILTIN_KINDS, BUILTIN_FAMILIES);
const pluginTables = new WeakMap<SystemSpec, DispatchTable>();

/** The dispatch table of a system: the built-in one, or built-ins plus the kinds and families it brings. */
function tableFor(system: SystemSpec): DispatchTable {
  if (!system.kinds?.length && !system.families?.length) return BUILTIN_TABLE;
  let t = pluginTables.get(system);
  if (t === undefined) {
    t = buildTable([...BUILTIN_KINDS, ...(system.kinds ?? [])], [...BUILTIN_FAMILIES, ...(system.families ?? [])]);
    pluginTables.set(system, t);
  }
  return t;
}

export class Simulation {
  private world: World;
  private strategy: Strategy;
  private strategyOptions: StrategyOptions;

  constructor(system: SystemSpec, options: RunOptions = {}) {
    this.world = new World(system, tableFor(system), options);
    this.strategyOptions = { name: options.strategy ?? 'fifo', seed: options.seed ?? 1, pctDepth: options.pctDepth, pctSteps: options.pctSteps, schedule: options.schedule, lenient: options.lenient };
    this.strategy = createStrategy(this.strategyOptions);
  }

  /** Run to a verdict, choosing with the configured strategy. */
  run(): RunResult {
    for (;;) {
      const cands = this.pending();
      if (cands.length === 0) return result(this.world);
      this.step(this.strategy.choose(cands, this.world.clock.step));
    }
  }

  /**
   * The deliveries a strategy may choose from now; empty once the run has a
   * verdict. A query: calling it twice changes nothing (time advances and the
   * periodic checks run inside `step`). Explorers call `pending()` then
   * `step(i)` in a loop.
   */
  pending(): readonly Candidate[] {
    const w = this.world;
    if (!w.booted) {
      boot(w);
      prepare(w);
    }
    return w.cands;
  }

  /** Deliver candidate `index` of `pending()`, then prepare the next candidates. */
  step(index: number): void {
    const w = this.world;
    const chosen = w.cands[index];
    if (chosen === undefined) throw new Error(`step(${index}): only ${w.cands.length} candidates are pending`);
    if (w.cands.length > 1) w.choicePoints++;
    w.schedule.push(chosen.label);
    execute(w, chosen);
    w.clock.step++;
    w.cands.length = 0;
    prepare(w);
  }

  /** True once the run has a verdict (nothing is pending any more). */
  get finished(): boolean {
    return this.world.stopped !== undefined;
  }

  /**
   * An independent copy of the run as it stands, for explorers that branch
   * (exhaustive DFS/BFS): stepping one never changes the other, and the copy
   * continues exactly as the original would (same candidates, trace hash,
   * verdict). The clone has a strategy of its own, in the original's state
   * (saved and restored as data), so `run()` on it continues as the
   * original's would.
   */
  clone(): Simulation {
    const copy = Object.create(Simulation.prototype) as Simulation;
    copy.world = cloneWorld(this.world);
    copy.strategyOptions = this.strategyOptions;
    copy.strategy = createStrategy(this.strategyOptions);
    copy.strategy.restore(this.strategy.save());
    return copy;
  }

  /** Canonical text of the simulated state, for state hashing (snapshot.ts). */
  fingerprint(): string {
    return fingerprint(this.world);
  }

  /** The wait-for view of every context (see check/wait-for.ts). */
  views(): ContextView[] {
    return views(this.world);
  }

  get clock(): { readonly now: number; readonly step: number } {
    return this.world.clock;
  }
  get contexts(): readonly ExecContext[] {
    return this.world.contexts;
  }
  get cpus(): ReadonlyMap<string, Cpu> {
    return this.world.cpus;
  }
  get resources(): ReadonlyMap<string, Resource> {
    return this.world.resources;
  }
  get ledger(): BioLedger {
    return this.world.ledger;
  }
  /** Sector contents as the stack promised them vs as devices applied them (check/write-order.ts). */
  get shadow(): SectorShadow {
    return this.world.shadow;
  }
  get metrics(): Readonly<Record<string, number>> {
    return this.world.metrics;
  }
}
