#!/usr/bin/env node
/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): the top functions by
 * self time, where the time went by owner (XState, the biostack kernel and
 * checks, the bench's own machines and loops, GC), and the inclusive time of
 * the kernel entry points worth knowing about. Plain JS so it runs without a
 * build:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/pipeline.js --n 20000 --reps 1 --only biostack
 *   node bench/profile-top.mjs /tmp/prof/CPU.*.cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-top.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const short = (url) => url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '').replace(/^file:\/\//, '');
const key = (cf) => `${cf.functionName || '(anonymous)'}  ${short(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
const owner = (cf) => {
  if (cf.functionName === '(garbage collector)') return 'GC';
  if (cf.functionName === '(idle)' || cf.functionName === '(program)') return 'idle/program';
  if (cf.url.includes('/node_modules/xstate/')) return 'xstate';
  if (/\/dist\/src\//.test(cf.url)) return 'biostack kernel + checks';
  if (/\/dist\/bench\//.test(cf.url)) return 'bench (machines, loops)';
  return 'node/other';
};

// Time per sampled node: samples[i] took timeDeltas[i+1] (the delta to the next sample).
const dt = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const d = prof.timeDeltas[i + 1] ?? 0;
  dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + d);
}
let total = 0;
const self = new Map(), byOwner = new Map(), incl = new Map();
for (const [id, t] of dt) {
  total += t;
  const cf = nodes.get(id).callFrame;
  self.set(key(cf), (self.get(key(cf)) ?? 0) + t);
  byOwner.set(owner(cf), (byOwner.get(owner(cf)) ?? 0) + t);
  // Inclusive: every distinct function on the stack (recursion counted once).
  const seen = new Set();
  for (let p = id; p !== undefined; p = parent.get(p)) {
    const k = key(nodes.get(p).callFrame);
    if (!seen.has(k)) {
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + t);
    }
  }
}

const pct = (t) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
const ms = (t) => `${(t / 1000).toFixed(0).padStart(6)} ms`;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n\nby owner (self time):`);
for (const [k, t] of [...byOwner].sort((a, b) => b[1] - a[1])) console.log(`${pct(t)} ${ms(t)}  ${k}`);
console.log(`\ntop ${top} by self time:`);
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)} ${ms(t)}  ${k}`);
console.log('\ninclusive, kernel entry points:');
const wanted = /^(run|pending|step|prepare|loop|collect|execute|deliver|transition|split|settle|perform|record|checkTouched|checkDeadlock|views|findDeadlock|applyTimers|wake|wakeAll|cancel|advanceTo|take|nextDeadline) /;
for (const [k, t] of [...incl].filter(([k]) => wanted.test(k) && k.includes('src/')).sort((a, b) => b[1] - a[1]))
  console.log(`${pct(t)} ${ms(t)}  ${k}`);
