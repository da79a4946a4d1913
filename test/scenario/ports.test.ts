/**
 * Declared ports (src/scenario/ports.ts, wiring.ts): role lists derived from
 * which context holds which end, the arity checks that refuse a wiring at
 * build time, and defineScenario's typed build.
 */
import { describe, expect, it } from 'vitest';
import { IPL_BIO, ModelError, Simulation, defineScenario, wiring, type SystemSpec } from '../../src/index.js';
import { resolveParams } from '../../src/scenario/params.js';
import { ubd } from '../../machines/ubd.js';
import { ubdIrq } from '../../machines/ubd-irq.js';
import { aioCompletion } from '../../machines/aio-completion.js';
import { disk } from '../../machines/disk.js';
import { guestWorkload } from '../../machines/guest-workload.js';
import { ubdAlloc } from '../../machines/ubd-alloc.js';
import { guestWriter } from '../../machines/guest-writer.js';

/** ubd-pipe-fill's buggy stack, small: every role list comes from the ends handed out. */
function pipeFill(o: { readonly extraReader?: boolean } = {}): SystemSpec {
  const sys = wiring();
  const uml0 = sys.cpu('uml0');
  const queue = sys.channel('ubd.queue', { capacity: Infinity, unit: 'requests', readers: 1, writers: 2 });
  const kick = sys.semaphore('ubd.kick', { count: 0, upBy: 2 });
  const replies = sys.pipe('aio->ubd', { capacity: 2, readers: 1, writers: 2 });
  const diskQueue = sys.channel('disk.queue', { capacity: Infinity, readers: 1 });
  const ring = sys.aioRing('aio.ring', { nrEvents: 2, submitters: 1, completer: 1 });
  sys.forward(ring, diskQueue);
  sys.context({ name: 'guest', kind: 'thread', cpu: uml0, machine: guestWorkload, input: { queue: queue.writer, kick: kick.up, burst: 3 } });
  sys.context({ name: 'ubd', kind: 'thread', cpu: uml0, machine: ubd, input: { mode: 'buggy', queue: queue.reader.and(queue.writer), kick: kick.down, ring: ring.submit, pipe: replies.writer } });
  sys.context({ name: 'ubd-irq', kind: 'irq', cpu: uml0, irq: { level: IPL_BIO, line: replies.reader }, machine: ubdIrq, input: { pipe: replies.reader, kick: kick.up } });
  sys.context({ name: 'aio', kind: 'host-thread', machine: aioCompletion, input: { ring: ring.reap, pipe: replies.writer.first } });
  if (o.extraReader) sys.context({ name: 'other', kind: 'host-thread', machine: aioCompletion, input: { ring: ring.reap, pipe: replies.reader } });
  sys.context({ name: 'disk', kind: 'device', mailbox: diskQueue.reader, machine: disk, input: { queue: diskQueue.reader, latency: 0, ring: ring.complete } });
  return sys.build();
}

describe('wiring: derived role lists', () => {
  it('derives readers, writers, upBy, submitters and completer from the ends each context holds; inputs get plain names', () => {
    const s = pipeFill();
    expect(s.resources).toEqual([
      { kind: 'channel', name: 'ubd.queue', capacity: Infinity, unit: 'requests', readers: ['ubd'], writers: ['guest', 'ubd'] },
      { kind: 'semaphore', name: 'ubd.kick', count: 0, upBy: ['guest', 'ubd-irq'] },
      // `first`: the AIO thread leads though it is declared after the driver.
      { kind: 'pipe', name: 'aio->ubd', capacity: 2, readers: ['ubd-irq'], writers: ['aio', 'ubd'] },
      // The mailbox makes the disk its reader; nobody was handed a writer end, and writers were not declared.
      { kind: 'channel', name: 'disk.queue', capacity: Infinity, readers: ['disk'] },
      { kind: 'aio-ring', name: 'aio.ring', nrEvents: 2, submitters: ['ubd'], completer: 'disk', device: 'disk.queue' },
    ]);
    expect(s.contexts.map((c) => [c.name, c.input])).toEqual([
      ['guest', { queue: 'ubd.queue', kick: 'ubd.kick', burst: 3 }],
      ['ubd', { mode: 'buggy', queue: 'ubd.queue', kick: 'ubd.kick', ring: 'aio.ring', pipe: 'aio->ubd' }],
      ['ubd-irq', { pipe: 'aio->ubd', kick: 'ubd.kick' }],
      ['aio', { ring: 'aio.ring', pipe: 'aio->ubd' }],
      ['disk', { queue: 'disk.queue', latency: 0, ring: 'aio.ring' }],
    ]);
    expect(s.contexts[2]).toMatchObject({ cpu: 'uml0', irq: { level: IPL_BIO, line: 'aio->ubd' } });
    expect(s.contexts[4]).toMatchObject({ mailbox: 'disk.queue' });
    expect(s.cpus).toEqual([{ name: 'uml0' }]);
    // And the kernel runs it: the 2005 driver with a burst of 3 over a pipe and a ring of 2 may deadlock, fifo completes.
    expect(new Simulation(s, { strategy: 'fifo' }).run().outcome).toBe('completed');
  });

  it("'observed' leaves the list to the kernel; ends without a role (down, alloc, take) count for nothing; mempool freedBy and ends not in the input", () => {
    const sys = wiring();
    const uml0 = sys.cpu('uml0');
    const queue = sys.channel('q', { capacity: Infinity, readers: 1, writers: 1 });
    const kmalloc = sys.allocator('kmalloc', { pressure: 'none' });
    const pool = sys.mempool('pool', { minNr: 1, backing: kmalloc, freedBy: 1 });
    const seq = sys.counter('seq', { advancers: 'observed' });
    const gate = sys.semaphore('gate', { count: 1, upBy: 'observed' });
    const lock = sys.lock('lock', { flavour: 'spin' });
    const shared = { queue: queue.reader, lock, allocator: kmalloc, pool: pool.alloc, seq: seq.take.and(seq.advance), gate: gate.down.and(gate.up) };
    sys.context({ name: 'u1', kind: 'thread', cpu: uml0, machine: guestWriter, input: { queue: queue.writer, prefix: 'u1', writes: [], driver: 'ubd-alloc', driverInput: shared } });
    sys.context({ name: 'irq', kind: 'thread', machine: guestWorkload, input: { queue: 'elsewhere', kick: 'nothing', burst: 0 }, ends: [pool.free] });
    const s = sys.build({ callable: { 'ubd-alloc': ubdAlloc } });
    expect(s.resources).toEqual([
      { kind: 'channel', name: 'q', capacity: Infinity, readers: ['u1'], writers: ['u1'] },
      { kind: 'allocator', name: 'kmalloc', pressure: 'none' },
      { kind: 'mempool', name: 'pool', minNr: 1, backing: 'kmalloc', freedBy: ['irq'] },
      { kind: 'counter', name: 'seq' },
      { kind: 'semaphore', name: 'gate', count: 1 },
      { kind: 'lock', name: 'lock', flavour: 'spin' },
    ]);
    expect((s.contexts[0].input as { driverInput: unknown }).driverInput).toEqual({ queue: 'q', lock: 'lock', allocator: 'kmalloc', pool: 'pool', seq: 'seq', gate: 'gate' });
    expect(s.callable).toEqual({ 'ubd-alloc': ubdAlloc });
  });

  it('an input object shared by several contexts stays one object; objects without ends are not copied', () => {
    const sys = wiring();
    const q = sys.channel('q', { capacity: 1, readers: 2 });
    const writes = [{ sector: 1, chunks: 1 }];
    const driverInput = { queue: q.reader };
    for (const name of ['a', 'b']) sys.context({ name, kind: 'thread', machine: guestWriter, input: { queue: 'q', prefix: name, writes, driver: 'd', driverInput } });
    const [a, b] = sys.build().contexts.map((c) => c.input as { writes: unknown; driverInput: unknown });
    expect(a.driverInput).toBe(b.driverInput);
    expect(a.driverInput).toEqual({ queue: 'q' });
    expect(a.writes).toBe(writes);
  });
});

describe('wiring: refused at build time', () => {
  it('a port declared with one reader but read by two contexts, naming the port and both', () => {
    expect(() => pipeFill({ extraReader: true })).toThrow("pipe 'aio->ubd' is declared with 1 reader but is read by 'ubd-irq' and 'other'");
  });

  it('fewer holders than declared, too', () => {
    const sys = wiring();
    sys.semaphore('s', { count: 0, upBy: 2 });
    expect(() => sys.build()).toThrow("semaphore 's' is declared with 2 contexts that up it but is upped by no context");
  });

  it('an end of a role the port does not declare', () => {
    const sys = wiring();
    const q = sys.channel('disk.queue', { capacity: 1, readers: 1 });
    expect(() => sys.context({ name: 'helper', kind: 'host-thread', machine: guestWorkload, input: { queue: q.writer, kick: 'k', burst: 0 } })).toThrow(
      "channel 'disk.queue' declares no writers, but context 'helper' is handed its writer end (declare writers: <count> or 'observed')",
    );
  });

  it("an end of another system's port, a role port handed bare, a name declared twice", () => {
    const other = wiring().channel('q', { capacity: 1, readers: 1 });
    const sys = wiring();
    expect(() => sys.context({ name: 'x', kind: 'thread', machine: guestWorkload, input: { queue: other.reader, kick: 'k', burst: 0 } })).toThrow(
      "context 'x' is handed channel 'q', which is not declared in this system",
    );
    const q = sys.channel('q', { capacity: 1, readers: 1 });
    expect(() => sys.context({ name: 'y', kind: 'thread', machine: guestWorkload, input: { queue: q as never, kick: 'k', burst: 0 } })).toThrow(
      "channel 'q' appears in an input as a port: hand one of its ends (or its .name, which hands no role)",
    );
    expect(() => sys.lock('q', { flavour: 'spin' })).toThrow("resource 'q' is declared twice");
  });
});

const PARAMS = {
  pipe: { type: 'int', default: 2, min: 1, max: 8, doc: 'pipe capacity' },
  ring: { type: 'int', default: 2, min: 1, max: 8, doc: 'ring size' },
  extra: { type: 'bool', default: false, doc: 'hand the reader end to a second context' },
  mode: { type: 'enum', default: 'plain', values: ['plain', 'fancy'], doc: 'an enum' },
} as const;

/** A scenario on the builder: typed build, and the refusal as the CLI sees it. */
const tiny = defineScenario({
  name: 'ubd-pipe-fill',
  title: 'tiny',
  seed: '-',
  ref: '-',
  summary: '-',
  params: PARAMS,
  defaultVariant: 'buggy',
  variants: {
    buggy: { summary: '-', ref: '-', expect: { kind: 'may', outcome: 'deadlock' }, uses: ['pipe', 'extra', 'mode'] },
    'fix-credits': { summary: '-', ref: '-', expect: { kind: 'must', outcome: 'completed' }, uses: ['pipe', 'ring'] },
  },
  build(variant, params) {
    const pipe: number = params.pipe;
    // @ts-expect-error: no parameter 'pipes'
    void params.pipes;
    if (variant === 'buggy') {
      const extra: boolean = params.extra;
      const mode: 'plain' | 'fancy' = params.mode;
      // @ts-expect-error: an enum parameter is the union of its values, not any string
      const wrong: 'plain' = params.mode;
      // @ts-expect-error: 'ring' is not used by the buggy variant, so build does not get it
      void params.ring;
      void [mode, wrong];
      return pipeFill({ extraReader: extra && pipe > 0 });
    }
    const ring: number = params.ring;
    void ring;
    // @ts-expect-error: variants are the declared names
    if (variant === 'fix-sync-error') return pipeFill();
    return pipeFill();
  },
});

describe('defineScenario', () => {
  it('build refuses a bad wiring with a ModelError naming the scenario, the variant, the port and both contexts', () => {
    const build = () => tiny.build('buggy', resolveParams(tiny, 'buggy', { extra: true }));
    expect(build).toThrow(ModelError);
    expect(build).toThrow("scenario ubd-pipe-fill, variant buggy: pipe 'aio->ubd' is declared with 1 reader but is read by 'ubd-irq' and 'other'");
    expect(tiny.build('buggy', resolveParams(tiny, 'buggy')).contexts).toHaveLength(5);
  });

  it('type-checks parameters, variant defaults and machine inputs', () => {
    const define = () =>
      defineScenario({
        ...{ name: 'x', title: '-', seed: '-', ref: '-', summary: '-' },
        params: PARAMS,
        defaultVariant: 'buggy',
        variants: {
          // @ts-expect-error: a default of the wrong type
          buggy: { summary: '-', ref: '-', expect: { kind: 'may', outcome: 'deadlock' }, uses: ['pipe'], defaults: { pipe: 'two' } },
          // @ts-expect-error: uses a parameter that does not exist
          other: { summary: '-', ref: '-', expect: { kind: 'may', outcome: 'deadlock' }, uses: ['pipez'] },
        },
        build: () => pipeFill(),
      });
    expect(define).toThrow("scenario x: variant other uses unknown parameter 'pipez'");
    const sys = wiring();
    const q = sys.channel('q', { capacity: 1, readers: 1 });
    // @ts-expect-error: the disk's latency is a number
    expect(() => sys.context({ name: 'd', kind: 'device', mailbox: q.reader, machine: disk, input: { queue: q.reader, latency: 'slow' } })).not.toThrow();
    // @ts-expect-error: a mailbox is a channel's reader end, not a writer
    expect(() => sys.context({ name: 'e', kind: 'device', mailbox: q.writer, machine: disk, input: { queue: 'q' } })).toThrow('declares no writers');
  });
});
