/**
 * The stuck-bio story says where each open bio sits. It asks each resource
 * whether it holds the bio (exact id match), so with `guest#1` and
 * `guest#12` both alive, `guest#1` is never placed in a ring that holds only
 * `guest#12.0`.
 */
import { describe, expect, it } from 'vitest';
import { AioRing } from '../../src/resources/aio-ring.js';
import { Channel } from '../../src/resources/channel.js';
import type { SimClock } from '../../src/resources/resource.js';
import { Simulation } from '../../src/index.js';
import { resolveParams } from '../../src/scenario/params.js';
import { ubdPipeFill } from '../../scenarios/ubd-pipe-fill.js';

const clock: SimClock = { now: 0, step: 0 };

describe('stuck-bio location: exact ids, never substrings', () => {
  it('an AIO ring holding guest#12.0 holds guest#12, not guest#1', () => {
    const ring = new AioRing<{ id: string; bio: string }>({ name: 'ubd.aio', nrEvents: 4 }, clock);
    ring.submit('ubd', { id: 'guest#12.0', bio: 'guest#12' });
    expect(ring.holds('guest#12')).toBe(true);
    expect(ring.holds('guest#1')).toBe(false);
    ring.complete('guest#12.0', 4096);
    expect(ring.holds('guest#12')).toBe(true);
    expect(ring.holds('guest#1')).toBe(false);
  });

  it('a channel holding guest#12 does not hold guest#1', () => {
    const chan = new Channel<{ bio: string }>({ name: 'ubd.queue', capacity: 4 }, clock);
    chan.put('guest', { bio: 'guest#12' }, { wait: false });
    expect(chan.holds('guest#12')).toBe(true);
    expect(chan.holds('guest#1')).toBe(false);
  });

  it('ubd-pipe-fill buggy, 14 requests: each bio the story places in a resource is held there, and guest#1 is never put in a holder of guest#12 alone', () => {
    // pipe 4 + ring 4 + 2 = 10 <= 14 requests: the fifo run deadlocks with bios guest#1..guest#14 in play.
    const params = resolveParams(ubdPipeFill, 'buggy', { pipe: 4, ring: 4, burst: 14 });
    const sim = new Simulation(ubdPipeFill.build('buggy', params), { strategy: 'fifo' });
    const result = sim.run();
    expect(result.outcome).toBe('deadlock');
    const stuck = result.bios.stuck;
    expect(stuck.map((s) => s.bio)).toContain('guest#12');
    expect(stuck.some((s) => s.where === 'aio-ring aio.ring')).toBe(true);
    for (const s of stuck) {
      const holder = [...sim.resources.values()].find((r) => s.where === `${r.kind} ${r.name}`);
      if (holder === undefined) continue;
      expect(holder.holds(s.bio), `${s.bio} placed in ${s.where}: ${holder.fingerprint()}`).toBe(true);
    }
    const g1 = stuck.find((s) => s.bio === 'guest#1');
    if (g1 !== undefined) {
      const holder = [...sim.resources.values()].find((r) => g1.where === `${r.kind} ${r.name}`);
      if (holder !== undefined) expect(holder.holds('guest#1')).toBe(true);
    }
  });
});
