/**
 * The terminal story of one run (DESIGN.md principle 8): what was run, the
 * verdict in capitals with its explanation, the wait-for cycle one node a
 * line, where the open bios are, the evidence a fix was really stressed, the
 * last steps, the key numbers, and how to run it again.
 */
import type { CycleNode } from '../check/outcome.js';
import { formatStep } from './trace-text.js';
import type { Scenario } from '../scenario/scenario.js';
import type { RunJson } from './run-json.js';
import { kernelMode } from './kernel-mode.js';

/** The story as lines; `reproduce` (a command, then hints) is written by the caller, who knows the flags. */
export function storyOf(doc: RunJson, scenario: Scenario, reproduce: readonly string[]): string[] {
  const lines: string[] = [];
  const variant = scenario.variants[doc.variant];
  const defaults = Object.keys(doc.params).every((p) => doc.params[p] === (variant.defaults?.[p] ?? scenario.params[p].default));

  lines.push(`${doc.scenario} / ${doc.variant} — ${scenario.title}`);
  lines.push(`  params    ${Object.entries(doc.params).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'}${defaults ? '' : '  (not the defaults)'}`);
  lines.push(`  schedule  seed ${doc.seed}, strategy ${doc.strategy}${doc.pctDepth !== undefined ? ` (depth ${doc.pctDepth})` : ''}`);
  lines.push(`  kernel    ${kernelMode(doc.kernel)}`);
  lines.push(`  expected  ${expectationLine(doc, defaults)}`);
  lines.push('');

  const timedCycle = doc.noProgress?.cycle ?? undefined;
  lines.push(`${doc.outcome.toUpperCase()}${doc.deadlock ? ` (${doc.deadlock.shape === 'cycle' ? 'wait-for cycle' : 'orphaned wait'})` : timedCycle ? ' (wait-for cycle, live only through timed retries)' : ''}`);
  lines.push(`  ${doc.explanation}`);
  if (doc.deadlock) {
    lines.push('', doc.deadlock.shape === 'cycle' ? '  cycle:' : '  chain:');
    lines.push(...cycleLines(doc.deadlock.nodes, doc.deadlock.shape).map((l) => `    ${l}`));
    lines.push(`  stuck contexts: ${doc.deadlock.stuckContexts.join(', ') || '(none)'}`);
  }
  if (timedCycle) {
    lines.push('', '  cycle:');
    lines.push(...cycleLines(timedCycle.nodes, 'cycle').map((l) => `    ${l}`));
    lines.push(`  retrying contexts: ${timedCycle.stuckContexts.join(', ') || '(none)'}`);
  }
  if (doc.violation) {
    lines.push(`  invariant ${doc.violation.invariant} at step ${doc.violation.step}${doc.violation.contexts.length ? `, contexts ${doc.violation.contexts.join(', ')}` : ''}`);
  }
  if (doc.stackOverflow) {
    lines.push(`  call chain on ${doc.stackOverflow.context} (limit ${doc.stackOverflow.limit} frames):`);
    doc.stackOverflow.chain.forEach((m, i) => lines.push(`    ${i + 1}. ${m}`));
  }

  const stuck = doc.bios.stuck;
  if (stuck.length) {
    lines.push('', `${doc.deadlock ? 'stuck' : 'open'} bios (${stuck.length} of ${doc.bios.submitted} submitted):`);
    const byWhere = new Map<string, string[]>();
    for (const b of stuck) byWhere.set(b.where, [...(byWhere.get(b.where) ?? []), b.bio]);
    const width = Math.max(...[...byWhere.keys()].map((w) => w.length));
    for (const [where, bios] of byWhere) lines.push(`  ${where.padEnd(width)}  ${bios.join(', ')}`);
  }

  if (doc.evidence && variant.evidence) {
    const stressed = doc.evidence.value > 0 ? '' : ' — zero: the stress this fix guards against never happened in this run';
    lines.push('', `evidence: ${doc.evidence.metric} = ${doc.evidence.value}, ${variant.evidence.doc}${stressed}`);
  }

  if (doc.lastSteps.length) {
    lines.push('', `last ${doc.lastSteps.length} step${doc.lastSteps.length === 1 ? '' : 's'}:`);
    for (const s of doc.lastSteps) lines.push(`  ${formatStep(s)}`);
  }

  lines.push('');
  lines.push(
    `steps ${doc.steps}, virtual time ${doc.time}, deliveries ${doc.deliveries}, choice points ${doc.choicePoints}; ` +
      `bios ${doc.bios.submitted} submitted, ${doc.bios.completed} completed, ${doc.bios.failed} failed; ${doc.wallMs} ms`,
  );
  const metrics = Object.entries(doc.metrics).filter(([, v]) => v !== 0);
  if (metrics.length) lines.push(`metrics: ${metrics.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  lines.push(`trace hash ${doc.traceHash}, model ${doc.modelHash}`);

  lines.push('', `reproduce: ${reproduce[0]}`, ...reproduce.slice(1).map((l) => `  ${l}`));
  return lines;
}

/** `must completed`, and whether this run contradicts what the variant declares. */
function expectationLine(doc: RunJson, defaults: boolean): string {
  const declared = `${doc.expected.kind} ${doc.expected.outcome}`;
  if (!defaults) return `${declared} (declared for the default parameters)`;
  if (doc.outcome === 'step-limit') return `${declared} — this run reached no verdict within its step budget`;
  if (doc.expected.kind === 'must' && doc.outcome !== doc.expected.outcome) return `${declared} — this run gave ${doc.outcome}, which the declaration rules out`;
  return declared;
}

/**
 * One node a line, each after the edge that leads to it:
 *   ubd [writingErrorReply] (interrupts off)
 *     --waits-for--> pipe aio->ubd (2/2 records)
 *     --only-reader--> ubd-irq [idle]
 * A cycle's last edge leads back to the first node.
 */
function cycleLines(nodes: readonly CycleNode[], shape: 'cycle' | 'orphan'): string[] {
  const lines = nodes.map((n, i) => (i === 0 ? nodeText(n) : `  --${edgeText(nodes[i - 1])}--> ${nodeText(n)}`));
  const last = nodes[nodes.length - 1];
  if (shape === 'cycle' && last && last.edge !== 'none') lines.push(`  --${edgeText(last)}--> ${nodes[0].id} (back to the start)`);
  return lines;
}

/** `waits-for`, or a timed sleep's `waits-for (retries every 500 ticks)`. */
function edgeText(n: CycleNode): string {
  return n.timed === undefined ? n.edge : `${n.edge} (retries every ${n.timed} ticks)`;
}

function nodeText(n: CycleNode): string {
  if (n.kind === 'resource') return n.detail || n.id;
  return `${n.id}${n.state ? ` [${n.state}]` : ''}${n.detail ? ` (${n.detail})` : ''}`;
}
