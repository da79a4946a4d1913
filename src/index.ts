/**
 * The public API: what a machine or scenario author imports. Everything else
 * under src/ is internal and may change.
 */
/** The machine authors' vocabulary, also importable alone as `biostack/model`. */
export * from './model/index.js';
export type { SystemSpec, ContextSpec, CpuSpec, ResourceSpec, FaultSpec } from './kernel/system.js';
export type { KernelSpec, Personality, PersonalityName, PreemptionMode } from './kernel/personality.js';
/** The mm/mempool.c versions a mempool spec may name. */
export { MEMPOOL_VERSIONS } from './resources/mempool-versions.js';
export type { MempoolVersionName } from './resources/mempool-versions.js';
export { Simulation } from './kernel/simulation.js';
export type { RunOptions, RunResult, StuckBio, Delivery } from './kernel/simulation.js';
export type { StrategyName } from './kernel/strategy.js';
export { STRATEGIES } from './kernel/strategy.js';
export { ModelError } from './kernel/model-error.js';
/** Seeded random numbers, for scenarios that draw a workload (never Math.random). */
export { Prng } from './kernel/prng.js';
export type { Outcome, CycleNode, Deadlock, NoProgress, Violation, StackOverflow } from './check/outcome.js';
export { OUTCOMES } from './check/outcome.js';
export type { TraceStep } from './kernel/trace.js';
export { defineScenario, checkScenario } from './scenario/scenario.js';
export type { Scenario, VariantSpec, ParamSpec, ParamValue, Params, Expectation } from './scenario/scenario.js';
/** Declared ports: resources with ends handed to contexts, role lists derived (docs/scenarios.md). */
export { wiring, Wiring } from './scenario/wiring.js';
export type { ContextDef } from './scenario/wiring.js';
export { End, Port, ChannelPort, AioRingPort, SemaphorePort, MempoolPort, CounterPort, PlainPort, Cpu, WiringError } from './scenario/ports.js';
export type { Arity, Role, PortKind, Wire } from './scenario/ports.js';
export { runScenario } from './scenario/run.js';
export type { ScenarioRun } from './scenario/run.js';
export { InputError } from './input-error.js';
export { expectOutcome, expectNoFinding } from './testing.js';
export type { OutcomeClaimOptions } from './testing.js';
// Resource kinds of one's own (a plug-in): the base class, and the protocol the built-in kinds use too.
export { Resource, canonicalText, mentionsBio, NO_WAKEUPS } from './resources/resource.js';
export type { CtxId, SimClock, Wakeup, Waiter, Releaser, Releasers, OpResult, OpStatus, ResourceState } from './resources/resource.js';
export { defineResourceKind, defineEffectFamily, handler, done } from './kernel/protocol.js';
export type { ResourceKind, EffectFamily, EffectHandler, EffectEnv, KernelServices, KindEnv, Performed, Done, Parked, Call, Broken, WakeUp, WakeReason, ResourceSpecLike } from './kernel/protocol.js';
export type { PluginResourceSpec } from './kernel/system.js';
export type { TraceEffect } from './kernel/trace.js';
export { effectText, formatStep } from './report/trace-text.js';
