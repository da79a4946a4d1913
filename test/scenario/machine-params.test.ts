/**
 * A parameter that belongs to a machine is declared once, by the machine:
 * the disk's `latency`. Every catalogue scenario that runs a disk lists that
 * declaration under the same name (what users `--set`), choosing only its
 * default and whether swarm mode draws it.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/catalogue.js';
import { diskParams } from '../../machines/disk.js';

describe('machine-owned parameters', () => {
  it("every scenario's latency is the disk's own declaration (type, range, words), under the name users already set", () => {
    const { default: _d, swarm: _s, ...declared } = diskParams.latency;
    const users = CATALOGUE.filter((s) => Object.hasOwn(s.params, 'latency'));
    expect(users.map((s) => s.name)).toEqual(CATALOGUE.map((s) => s.name));
    for (const s of users) expect(s.params.latency, s.name).toMatchObject(declared);
  });

  it('scenarios keep their own operating point: the defaults they had before', () => {
    const defaults = Object.fromEntries(CATALOGUE.map((s) => [s.name, s.params.latency.default]));
    expect(defaults).toEqual({ 'ubd-pipe-fill': 0, 'ubd-atomic-alloc': 1, 'ubd-reorder': 1, 'vnd-self-deadlock': 1, 'vnd-recursion': 1, 'vnd-buffer-memory': 1, 'vnd-random-writes': 3 });
  });
});
