/**
 * `biostack/scenario`: what a scenario author imports. `defineScenario`, the
 * parameter, variant and expectation types, and the system description a
 * variant builds (contexts, CPUs, resources, faults). Only re-exports, so
 * the files behind it can change without scenario authors noticing.
 */
export { defineScenario } from './scenario.js';
export type { Scenario, VariantSpec, ParamSpec, ParamValue, Params, Expectation } from './scenario.js';
export type { SystemSpec, ContextSpec, CpuSpec, ResourceSpec, FaultSpec } from '../kernel/system.js';
export type { KernelSpec, Personality, PersonalityName, PreemptionMode } from '../kernel/personality.js';
export { PERSONALITIES, PREEMPTION_MODES, DEFAULT_HZ } from '../kernel/personality.js';
export type { Outcome } from '../check/outcome.js';
export type { PluginResourceSpec } from '../kernel/system.js';
/** Declared ports: resources with ends handed to contexts, role lists derived (docs/scenarios.md). */
export { wiring, Wiring } from './wiring.js';
export type { ContextDef } from './wiring.js';
export { End, Port, ChannelPort, AioRingPort, SemaphorePort, MempoolPort, CounterPort, PlainPort, Cpu, WiringError } from './ports.js';
export type { Arity, Role, PortKind, Wire } from './ports.js';
/** Resource kinds of a scenario's own (docs/kernel.md, "resource kinds as plug-ins"). */
export { Resource, canonicalText, mentionsBio, NO_WAKEUPS } from '../resources/resource.js';
export type { CtxId, SimClock, Wakeup, Waiter, Releaser, Releasers, OpResult, OpStatus, ResourceState } from '../resources/resource.js';
export { defineResourceKind, defineEffectFamily, handler, done } from '../kernel/protocol.js';
export type { ResourceKind, EffectFamily, EffectHandler, EffectEnv, KernelServices, KindEnv, Performed, WakeUp, WakeReason, ResourceSpecLike, TraceNote } from '../kernel/protocol.js';
