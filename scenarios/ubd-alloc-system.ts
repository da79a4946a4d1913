/**
 * The stack both seed-001 memory scenarios run (ubd-atomic-alloc, S-B1, and
 * ubd-reorder, S-B2): guest processes u1..uN that each queue writes and run
 * the ubd request function themselves (ubd-alloc, as a frame), the page
 * allocator behind kmalloc, the host AIO path (ring, AIO thread, completion
 * pipe, interrupt handler) and a host disk that applies writes in host
 * submission order. Not a scenario itself: the two scenario files choose the
 * driver's options and the workload.
 */
import { IPL_BIO, type ContextSpec, type FaultSpec, type ResourceSpec, type SystemSpec } from '../src/index.js';
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
  const resources: ResourceSpec[] = [
    { kind: 'channel', name: 'ubd.queue', capacity: Infinity, unit: 'requests', readers: guests, writers: guests },
    { kind: 'lock', name: 'ubd.lock', flavour: 'spin' },
    { kind: 'allocator', name: 'kmalloc', pressure: o.pressure === 'random' ? { failP: o.allocFailP / 100 } : o.pressure },
    // The ring holds every chunk of the workload: io_submit never says EAGAIN here (that is S-B3).
    { kind: 'aio-ring', name: 'aio.ring', nrEvents: Math.max(256, total), submitters: guests, completer: 'disk', device: 'disk.queue' },
    { kind: 'pipe', name: 'aio->ubd', capacity: PIPE_REPLIES, readers: ['ubd-irq'], writers: ['aio', ...guests] },
    { kind: 'channel', name: 'disk.queue', capacity: Infinity, readers: ['disk'] },
  ];
  const driverInput: UbdAllocInput = {
    ...o.driver,
    queue: 'ubd.queue',
    lock: 'ubd.lock',
    ring: 'aio.ring',
    pipe: 'aio->ubd',
    allocator: 'kmalloc',
    ...(buffers === 'emergency' ? { emergencyHeader: 'ubd.emergency.header', emergencyAio: 'ubd.emergency.aio' } : {}),
    ...(buffers === 'mempool' ? { pool: 'ubd.buffers' } : {}),
    ...(sequencing !== 'none' ? { seq: 'ubd.seq' } : {}),
    ...(sequencing === 'barriers' ? { gate: 'ubd.gate' } : {}),
  };
  if (buffers === 'emergency') {
    resources.push(
      { kind: 'semaphore', name: 'ubd.emergency.header', count: 1, upBy: ['ubd-irq'] },
      { kind: 'semaphore', name: 'ubd.emergency.aio', count: 1, upBy: ['ubd-irq'] },
    );
  }
  if (buffers === 'mempool') resources.push({ kind: 'mempool', name: 'ubd.buffers', minNr: o.minNr ?? 0, backing: 'kmalloc', freedBy: ['ubd-irq'] });
  if (sequencing === 'tickets' || sequencing === 'barriers') resources.push({ kind: 'counter', name: 'ubd.seq' });
  if (sequencing === 'semaphore') resources.push({ kind: 'semaphore', name: 'ubd.seq', count: 1 });
  if (sequencing === 'barriers') resources.push({ kind: 'semaphore', name: 'ubd.gate', count: 1 });

  const contexts: ContextSpec[] = [
    ...o.scripts.map((writes, i): ContextSpec => ({
      name: guests[i],
      kind: 'thread',
      cpu: 'uml0',
      machine: guestWriter,
      input: { queue: 'ubd.queue', prefix: guests[i], writes, driver: 'ubd-alloc', driverInput },
    })),
    { name: 'ubd-irq', kind: 'irq', cpu: 'uml0', irq: { level: IPL_BIO, line: 'aio->ubd' }, machine: ubdAllocIrq, input: { pipe: 'aio->ubd' } },
    { name: 'aio', kind: 'host-thread', machine: aioCompletion, input: { ring: 'aio.ring', pipe: 'aio->ubd' } },
    { name: 'disk', kind: 'device', mailbox: 'disk.queue', machine: disk, input: { queue: 'disk.queue', latency: o.latency, ring: 'aio.ring', media: true } },
  ];
  return { cpus: [{ name: 'uml0' }], contexts, resources, callable: { 'ubd-alloc': ubdAlloc }, ...(o.faults ? { faults: o.faults } : {}) };
}
