/**
 * The `run --json` document carries the run's lint-like warnings
 * (DESIGN.md "Findings that are not outcomes"), beside the outcome they
 * never change.
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/index.js';
import { runJson } from '../../src/report/run-json.js';
import { scripted } from '../kernel/fixtures.js';

/** One thread allocating twice with GFP_KERNEL|GFP_ATOMIC, from a reserve: it completes, with one warning. */
const bogusMask = defineScenario({
  name: 'bogus-mask',
  title: 'GFP_KERNEL|GFP_ATOMIC',
  seed: 'test',
  ref: 'test',
  summary: 'a sleeping allocation spelled with GFP_ATOMIC',
  params: {},
  defaultVariant: 'buggy',
  variants: { buggy: { summary: 'GFP_KERNEL|GFP_ATOMIC twice', ref: 'test', expect: { kind: 'must', outcome: 'completed' }, uses: [] } },
  build: () => ({
    cpus: [{ name: 'cpu0' }],
    contexts: [
      {
        name: 't',
        kind: 'thread',
        cpu: 'cpu0',
        machine: scripted,
        input: { effects: [{ type: 'kmalloc', allocator: 'mem', gfp: 'GFP_KERNEL|GFP_ATOMIC' }, { type: 'kmalloc', allocator: 'mem', gfp: 'GFP_KERNEL|GFP_ATOMIC' }], awaits: 'kmalloc.ok' },
      },
    ],
    resources: [{ kind: 'allocator', name: 'mem', pressure: 'always', reserve: 2 }],
  }),
});

describe('run --json', () => {
  it('shows the warnings a run collected, each once, and they leave the outcome alone', () => {
    const doc = runJson(bogusMask, runScenario(bogusMask, 'buggy'), { seed: 1, strategy: 'fifo' }, 0);
    expect(doc.outcome).toBe('completed');
    expect(doc.warnings).toEqual(['kmalloc on allocator mem: GFP_KERNEL|GFP_ATOMIC: GFP_ATOMIC must be used alone']);
    expect(Object.keys(doc).at(-1)).toBe('wallMs');
  });
});
