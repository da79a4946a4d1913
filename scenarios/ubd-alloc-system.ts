/**
 * The stack both seed-001 memory scenarios run (ubd-atomic-alloc, S-B1, and
 * ubd-reorder, S-B2): guest processes u1..uN that each queue writes and run
 * the ubd request function themselves (ubd-alloc, as a frame), the page
 * allocator behind kmalloc, the host AIO path (ring, AIO thread, completion
 * pipe, interrupt handler) and a host disk that applies writes in host
 * submission order. Not a scenario itself: the two scenario files choose the
 * driver's options and the workload.
 */
import { IPL_BIO, wiring, type FaultSpec, type MempoolVersionName, type SystemSpec, type Wire } from '../src/index.js';
import { ubdAlloc, type UbdAllocInput } from '../machines/ubd-alloc.js';
import { ubdAllocIrq } from '../machines/ubd-alloc-irq.js';
import { guestWriter, type GuestWrite } from '../machines/guest-writer.js';
import { aioCompletion } from '../machines/aio-completion.js';
import { disk } from '../machines/disk.js';

/** Linux pipe capacity since 2.6.11 in 8-byte replies (DOMAIN.md §0.1): never the bottleneck here. */
const PIPE_REPLIES = 8192;
/** First sector the workloads write, as in DOMAIN.md S-B2's script. */
export const FIRST_SECTOR = 100;

export type Pressure = 'none' | 'random' | 'always';

export interface UbdAllocSystem {
  /** Writes per guest process (u1, u2, ...). */
  readonly scripts: readonly (readonly GuestWrite[])[];
  readonly pressure: Pressure;
  /** With pressure `random`: percent of attempts that fail. */
  readonly allocFailP: number;
  /** Host disk service time, ticks. */
  readonly latency: number;
  /** How the driver allocates and sequences (the rest of its input is wiring). */
  readonly driver: Pick<UbdAllocInput, 'holdLock' | 'buffers' | 'sequencing' | 'leakTicketOnError'>;
  /** `mempool` buffers: the reserve. */
  readonly minNr?: number;
  /** `mempool` buffers: whose mm/mempool.c the pool follows (default 2.6.14). */
  readonly mempoolVersion?: MempoolVersionName;
  readonly faults?: readonly FaultSpec[];
}

/**
 * The workload: `writes` writes of `chunks` sectors each, dealt round-robin to
 * `submitters` processes. Without `sectors` every write has sectors of its
 * own; with it, write i starts at one of `sectors` places, spread by a fixed
 * hash (so a run's workload depends on the parameters only, never on the
 * seed). With `barriers`, every write that overlaps an earlier one is marked
 * as a barrier — a file system orders what must be ordered — so any two
 * overlapping writes have a barrier among them.
 */
export function ubdScripts(o: { readonly submitters: number; readonly writes: number; readonly chunks: number; readonly sectors?: number; readonly barriers?: boolean }): GuestWrite[][] {
  const scripts: GuestWrite[][] = Array.from({ length: o.submitters }, () => []);
  const written = new Set<number>();
  for (let i = 0; i < o.writes; i++) {
    const sector = FIRST_SECTOR + (o.sectors === undefined ? i * o.chunks : (Math.imul(i, 0x9e3779b1) >>> 0) % o.sectors);
    let overlaps = false;
    for (let s = sector; s < sector + o.chunks; s++) {
      if (written.has(s)) overlaps = true;
      written.add(s);
    }
    scripts[i % o.submitters].push({ sector, chunks: o.chunks, barrier: o.barriers === true && overlaps });
  }
  return scripts;
}

export function ubdAllocSystem(o: UbdAllocSystem): SystemSpec {
  const guests = o.scripts.map((_, i) => `u${i + 1}`);
  const total = o.scripts.reduce((n, s) => n + s.reduce((m, w) => m + w.chunks, 0), 0);
  const { buffers, sequencing } = o.driver;
  const sys = wiring();
  const uml0 = sys.cpu('uml0');
  // Every guest queues its writes and runs the request function, which dequeues them.
  const queue = sys.channel('ubd.queue', { capacity: Infinity, unit: 'requests', readers: guests.length, writers: guests.length });
  const lock = sys.lock('ubd.lock', { flavour: 'spin' });
  const kmalloc = sys.allocator('kmalloc', { pressure: o.pressure === 'random' ? { failP: o.allocFailP / 100 } : o.pressure });
  // The ring holds every chunk of the workload: io_submit never says EAGAIN here (that is S-B3).
  const ring = sys.aioRing('aio.ring', { nrEvents: Math.max(256, total), submitters: guests.length, completer: 1 });
  // The AIO thread writes a reply per completion; the request function writes its submission errors.
  const replies = sys.pipe('aio->ubd', { capacity: PIPE_REPLIES, readers: 1, writers: 1 + guests.length });
  const diskQueue = sys.channel('disk.queue', { capacity: Infinity, readers: 1 });
  sys.forward(ring, diskQueue);
  // Given back by the interrupt handler, which finds them in the replies it reads.
  const emergencyHeader = buffers === 'emergency' ? sys.semaphore('ubd.emergency.header', { count: 1, upBy: 1 }) : undefined;
  const emergencyAio = buffers === 'emergency' ? sys.semaphore('ubd.emergency.aio', { count: 1, upBy: 1 }) : undefined;
  const pool = buffers === 'mempool' ? sys.mempool('ubd.buffers', { minNr: o.minNr ?? 0, backing: kmalloc, freedBy: 1, version: o.mempoolVersion }) : undefined;
  // Taken, waited on and advanced (or downed and upped) by the guests; the kernel follows who holds which ticket.
  const counter = sequencing === 'tickets' || sequencing === 'barriers' ? sys.counter('ubd.seq', { advancers: 'observed' }) : undefined;
  const semaphore = sequencing === 'semaphore' ? sys.semaphore('ubd.seq', { count: 1, upBy: 'observed' }) : undefined;
  const seq = counter ? counter.take.and(counter.advance) : semaphore ? semaphore.down.and(semaphore.up) : undefined;
  const gate = sequencing === 'barriers' ? sys.semaphore('ubd.gate', { count: 1, upBy: 'observed' }) : undefined;

  const driverInput: Wire<UbdAllocInput> = {
    ...o.driver,
    queue: queue.reader,
    lock,
    ring: ring.submit,
    pipe: replies.writer,
    allocator: kmalloc,
    ...(emergencyHeader && emergencyAio ? { emergencyHeader: emergencyHeader.down, emergencyAio: emergencyAio.down } : {}),
    ...(pool ? { pool: pool.alloc } : {}),
    ...(seq ? { seq } : {}),
    ...(gate ? { gate: gate.down.and(gate.up) } : {}),
  };
  for (const [i, writes] of o.scripts.entries()) {
    sys.context({ name: guests[i], kind: 'thread', cpu: uml0, machine: guestWriter, input: { queue: queue.writer, prefix: guests[i], writes, driver: 'ubd-alloc', driverInput } });
  }
  sys.context({
    name: 'ubd-irq',
    kind: 'irq',
    cpu: uml0,
    irq: { level: IPL_BIO, line: replies.reader },
    machine: ubdAllocIrq,
    input: { pipe: replies.reader },
    // The buffers each reply names go back where they came from: up() an emergency buffer's semaphore, mempool_free.
    ends: [...(emergencyHeader && emergencyAio ? [emergencyHeader.up, emergencyAio.up] : []), ...(pool ? [pool.free] : [])],
  });
  sys.context({ name: 'aio', kind: 'host-thread', machine: aioCompletion, input: { ring: ring.reap, pipe: replies.writer.first } });
  sys.context({ name: 'disk', kind: 'device', mailbox: diskQueue.reader, machine: disk, input: { queue: diskQueue.reader, latency: o.latency, ring: ring.complete, media: true } });
  // UML: the guest is one host process (host calls stall its CPU) and its HZ is 100 (arch/um).
  return sys.build({ callable: { 'ubd-alloc': ubdAlloc }, kernel: { personality: 'uml' }, ...(o.faults ? { faults: o.faults } : {}) });
}
