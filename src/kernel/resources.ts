import type { Resource, SimClock } from '../resources/resource.js';
import { Channel } from '../resources/channel.js';
import { Pipe } from '../resources/pipe.js';
import { AioRing } from '../resources/aio-ring.js';
import { PageAllocator } from '../resources/allocator.js';
import { Mempool } from '../resources/mempool.js';
import { Lock } from '../resources/lock.js';
import { Semaphore } from '../resources/semaphore.js';
import { TicketCounter } from '../resources/ticket-counter.js';
import { BufferCache } from '../resources/buffer-cache.js';
import type { ResourceSpec } from './system.js';
import { Prng } from './prng.js';
import { ModelError } from './model-error.js';

/**
 * Instantiate a system's resources from their specs, in spec order (a
 * mempool's backing allocator must be declared before it). Allocators get a
 * seeded stream of their own, forked by name.
 */
export function createResources(specs: readonly ResourceSpec[], clock: SimClock, seed: number): Map<string, Resource> {
  const out = new Map<string, Resource>();
  const root = new Prng(seed);
  for (const s of specs) {
    if (out.has(s.name)) throw new ModelError(`resource '${s.name}' is declared twice`);
    out.set(s.name, create(s, clock, root, out));
  }
  return out;
}

function create(s: ResourceSpec, clock: SimClock, root: Prng, made: Map<string, Resource>): Resource {
  switch (s.kind) {
    case 'channel':
      return new Channel({ name: s.name, capacity: s.capacity, readers: s.readers ? [...s.readers] : undefined, writers: s.writers ? [...s.writers] : undefined, unit: s.unit }, clock);
    case 'pipe':
      return new Pipe({ name: s.name, capacity: s.capacity, readers: s.readers ? [...s.readers] : undefined, writers: s.writers ? [...s.writers] : undefined }, clock);
    case 'aio-ring':
      return new AioRing({ name: s.name, nrEvents: s.nrEvents, submitters: s.submitters, completer: s.completer }, clock);
    case 'allocator': {
      // The Prng itself, not a closure over it: the allocator saves its position with its state.
      return new PageAllocator({ name: s.name, pressure: s.pressure, limit: s.limit }, clock, root.fork(`allocator:${s.name}`));
    }
    case 'mempool': {
      const backing = made.get(s.backing);
      if (!(backing instanceof PageAllocator)) throw new ModelError(`mempool '${s.name}': backing '${s.backing}' is not a declared allocator`);
      return new Mempool({ name: s.name, minNr: s.minNr, backing, freedBy: s.freedBy ? [...s.freedBy] : undefined }, clock);
    }
    case 'lock':
      return new Lock({ name: s.name, flavour: s.flavour }, clock);
    case 'semaphore':
      return new Semaphore({ name: s.name, count: s.count, upBy: s.upBy ? [...s.upBy] : undefined }, clock);
    case 'counter':
      return new TicketCounter({ name: s.name, value: s.value, advancers: s.advancers ? [...s.advancers] : undefined }, clock);
    case 'buffer-cache':
      return new BufferCache({ name: s.name, hiwater: s.hiwater, memory: s.memory, buffers: s.buffers }, clock);
  }
}
