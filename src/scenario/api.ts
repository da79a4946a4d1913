/**
 * `biostack/scenario`: what a scenario author imports. `defineScenario`, the
 * parameter, variant and expectation types, and the system description a
 * variant builds (contexts, CPUs, resources, faults). Only re-exports, so
 * the files behind it can change without scenario authors noticing.
 */
export { defineScenario } from './scenario.js';
export type { Scenario, VariantSpec, ParamSpec, ParamValue, Params, Expectation } from './scenario.js';
export type { SystemSpec, ContextSpec, CpuSpec, ResourceSpec, FaultSpec } from '../kernel/system.js';
export type { Outcome } from '../check/outcome.js';
