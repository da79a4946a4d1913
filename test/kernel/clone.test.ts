import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/catalogue.js';
import { resolveParams } from '../../src/scenario/params.js';
import { Simulation, type RunOptions, type RunResult } from '../../src/kernel/simulation.js';
import type { SystemSpec } from '../../src/kernel/system.js';
import { Prng } from '../../src/kernel/prng.js';
import type { Strategy } from '../../src/kernel/strategy.js';
import { World } from '../../src/kernel/world.js';
import { cloneWorld } from '../../src/kernel/snapshot.js';
import { buildTable } from '../../src/kernel/registry.js';
import { BUILTIN_FAMILIES, BUILTIN_KINDS } from '../../src/kernel/kinds/index.js';
import { boot, prepare } from '../../src/kernel/loop.js';

// Every catalogue variant, at its defaults. Runs are capped: a clone is compared step by step.
const VARIANTS = CATALOGUE.flatMap((s) => Object.keys(s.variants).map((v) => ({ name: `${s.name} ${v}`, system: s.build(v, resolveParams(s, v, {})) })));
const OPTIONS: RunOptions = { maxSteps: 400, recordTrace: true, recordDeliveries: true };

/** What a finished run says, all of it: with OPTIONS that includes the full trace and delivery log. */
function outcome(r: RunResult): RunResult {
  expect(r.trace).toBeDefined();
  expect(r.deliveryLog).toBeDefined();
  return r;
}

/** A seeded random walk of `n` choices (or to the end), returning the choices made. */
function walk(sim: Simulation, rng: Prng, n: number): number[] {
  const made: number[] = [];
  for (let k = 0; k < n; k++) {
    const c = sim.pending();
    if (c.length === 0) break;
    const i = rng.int(c.length);
    made.push(i);
    sim.step(i);
  }
  return made;
}

/** Drive both with the same seeded choices to the end, asserting the same fingerprint and candidates at every step. */
function lockstep(a: Simulation, b: Simulation, rng: Prng): void {
  for (;;) {
    const ca = a.pending();
    const cb = b.pending();
    expect(b.fingerprint()).toBe(a.fingerprint());
    expect(cb.map((c) => c.label)).toEqual(ca.map((c) => c.label));
    if (ca.length === 0) return;
    const i = rng.int(ca.length);
    a.step(i);
    b.step(i);
  }
}

function replay(system: SystemSpec, choices: readonly number[]): Simulation {
  const sim = new Simulation(system, OPTIONS);
  for (const i of choices) {
    sim.pending();
    sim.step(i);
  }
  return sim;
}

describe('Simulation.clone() copies the run as data', () => {
  it.each(VARIANTS)('$name: a clone taken part-way continues exactly as the original, step by step', ({ system }) => {
    for (let seed = 1; seed <= 3; seed++) {
      const rng = new Prng(seed);
      const original = new Simulation(system, OPTIONS);
      walk(original, rng, 5 + rng.int(60));
      const clone = original.clone();
      expect(clone.fingerprint()).toBe(original.fingerprint());
      const tail = rng.fork('tail');
      lockstep(original, clone, tail);
      expect(outcome(clone.run())).toEqual(outcome(original.run()));
    }
  });

  it.each(VARIANTS)('$name: stepping a clone leaves the original as a run that was never cloned', ({ system }) => {
    for (let seed = 1; seed <= 3; seed++) {
      const rng = new Prng(seed);
      const original = new Simulation(system, OPTIONS);
      const prefix = walk(original, rng, rng.int(40));
      original.pending();
      const before = original.fingerprint();
      const clone = original.clone();
      walk(clone, new Prng(seed + 100), 50);
      expect(original.fingerprint()).toBe(before);
      // The original goes on as a fresh run of the same choices does (shared random streams would show here).
      lockstep(replay(system, prefix), original, rng.fork('rest'));
    }
  });

  it('a clone of a clone, a clone before boot and a clone of a finished run are independent runs too', () => {
    const { system } = VARIANTS.find((v) => v.name === 'ubd-reorder buggy')!;
    const unbooted = new Simulation(system, OPTIONS).clone();
    lockstep(new Simulation(system, OPTIONS), unbooted, new Prng(7));

    const a = new Simulation(system, OPTIONS);
    walk(a, new Prng(8), 20);
    const b = a.clone();
    walk(b, new Prng(9), 10);
    const c = b.clone();
    lockstep(b, c, new Prng(10));

    const done = new Simulation(system, OPTIONS);
    walk(done, new Prng(11), Infinity);
    expect(done.finished).toBe(true);
    const copy = done.clone();
    expect(copy.pending()).toEqual([]);
    expect(outcome(copy.run())).toEqual(outcome(done.run()));
  });

  it('the copy checks after its next step only what the original would: the resources its constructor looked up are not left marked as used', () => {
    const withLines = VARIANTS.filter((v) => v.system.contexts.some((c) => c.irq?.line !== undefined || c.mailbox !== undefined));
    expect(withLines.length).toBeGreaterThan(0);
    for (const { system } of withLines) {
      const w = new World(system, buildTable(BUILTIN_KINDS, BUILTIN_FAMILIES), {});
      expect(cloneWorld(w).touched.size).toBe(w.touched.size);
      boot(w);
      prepare(w);
      expect(w.touched.size).toBe(0);
      expect(cloneWorld(w).touched.size).toBe(0);
    }
  });
});

describe('a clone has a strategy of its own, in the original state', () => {
  const sample = VARIANTS.filter((v) => /ubd-pipe-fill buggy|ubd-reorder buggy|vnd-random-writes buggy/.test(v.name));
  for (const { name, system } of sample) {
    for (const strategy of ['random', 'pct'] as const) {
      it(`${name}, ${strategy}: run() on a clone taken after 25 strategy choices ends exactly as the uncloned run`, () => {
        const options: RunOptions = { ...OPTIONS, strategy, seed: 5 };
        const whole = new Simulation(system, options).run();
        const original = new Simulation(system, options);
        // Take 25 steps the way run() does, with the run's own strategy choosing (reached through the private field).
        const own = (original as unknown as { strategy: Strategy }).strategy;
        for (let k = 0; k < 25 && original.pending().length > 0; k++) original.step(own.choose(original.pending(), original.clock.step));
        const branched = outcome(original.clone().run());
        expect(branched.traceHash).toBe(whole.traceHash);
        expect(branched.schedule).toEqual(whole.schedule);
        // And the original, after its clone ran to the end, still continues as if never cloned.
        expect(original.run().traceHash).toBe(whole.traceHash);
      });
    }
  }
});
