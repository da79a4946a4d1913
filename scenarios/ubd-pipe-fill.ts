/**
 * S-B3: the UML ubd completion-pipe deadlock (seed 001, Jeff Dike, Sep 2005:
 * "a deadlock that I found during a kernel build loop"). DOMAIN.md §1.B B-4.
 *
 * The guest queues a burst; the driver submits it to host AIO with interrupts
 * off; the host AIO thread writes one reply per completion into a pipe whose
 * only reader is the driver's interrupt handler. Once the pipe is full the AIO
 * thread stops reaping, the ring fills, io_submit says EAGAIN, and the 2005
 * driver writes the error into the same full pipe — blocking, interrupts off.
 *
 * Thresholds (io_submit and the error write are separate steps):
 *   burst <= max(pipe, ring)        never deadlocks;
 *   burst >= max(pipe, ring) + 1    may deadlock (the AIO thread fills the pipe
 *                                   between EAGAIN and the error write);
 *   burst >= pipe + ring + 2        always deadlocks (pipe + 1 in the AIO
 *                                   thread's hand + ring is all that fits).
 */
import { defineScenario, IPL_BIO, type ContextSpec, type ResourceSpec, type SystemSpec } from '../src/index.js';
import { ubd, type UbdMode } from '../machines/ubd.js';
import { ubdIrq } from '../machines/ubd-irq.js';
import { aioCompletion } from '../machines/aio-completion.js';
import { disk } from '../machines/disk.js';
import { guestWorkload } from '../machines/guest-workload.js';
import { ioHelper } from '../machines/io-helper.js';

const ALL = ['pipe', 'ring', 'burst', 'latency'] as const;

export const ubdPipeFill = defineScenario({
  name: 'ubd-pipe-fill',
  title: 'ubd completion-pipe deadlock',
  seed: '001_f0963b53fce9cf7d.txt',
  ref: 'DOMAIN.md §1.B B-4, §2 S-B3',
  summary:
    'The host AIO thread fills the completion pipe and stops reaping; the ring fills; io_submit returns EAGAIN and the driver writes the error into the same full pipe with interrupts off, so the only reader (its own interrupt handler) can never run.',
  params: {
    pipe: { type: 'int', default: 2, min: 1, max: 65536, doc: 'completion pipe capacity, in replies (64 KiB / 8 B = 8192 since Linux 2.6.11)', swarm: [1, 8] },
    ring: { type: 'int', default: 2, min: 1, max: 65536, doc: 'host AIO ring size, nr_events of io_setup (UML used 256)', swarm: [1, 8] },
    burst: { type: 'int', default: 8, min: 1, max: 100000, doc: 'requests the guest queues in one plug, submitted in one interrupts-off run', swarm: [1, 20] },
    latency: { type: 'int', default: 0, min: 0, max: 1000000, doc: 'disk service time in ticks', swarm: [0, 3] },
  },
  defaultVariant: 'buggy',
  variants: {
    buggy: {
      summary: '2005 code: EAGAIN from io_submit is written into the completion pipe with a blocking write, interrupts off',
      ref: 'B-4',
      expect: { kind: 'may', outcome: 'deadlock' },
      uses: ALL,
      defaults: { burst: 5 },
    },
    'fix-sync-error': {
      summary: 'errors returned synchronously: requeue the request and return, re-enabling interrupts',
      ref: 'B-F5',
      expect: { kind: 'must', outcome: 'completed' },
      uses: ALL,
      evidence: { metric: 'requeues', doc: 'requests requeued after EAGAIN (the ring really filled)' },
    },
    'fix-credits': {
      summary: 'in-flight <= ring: a credit per io_submit; without one, requeue the rest and return',
      ref: 'B-F6',
      expect: { kind: 'must', outcome: 'completed' },
      uses: ALL,
      evidence: { metric: 'requeues', doc: 'requests requeued for lack of a credit (in-flight reached the ring size)' },
    },
    'fix-nonblocking': {
      summary: 'what UML shipped: helper I/O thread, O_NONBLOCK channel, EAGAIN puts the device on the restart list',
      ref: 'B-F4',
      expect: { kind: 'must', outcome: 'completed' },
      uses: ['pipe', 'burst', 'latency'],
      evidence: { metric: 'restarts', doc: 'runs ended by EAGAIN on the helper channel (the channel really filled)' },
    },
  },
  build(variant, params): SystemSpec {
    const { pipe, burst, latency } = params;
    const mode: UbdMode = variant;
    const helper = variant === 'fix-nonblocking';
    const resources: ResourceSpec[] = [
      { kind: 'channel', name: 'ubd.queue', capacity: Infinity, unit: 'requests', readers: ['ubd'], writers: ['guest', 'ubd'] },
      { kind: 'semaphore', name: 'ubd.kick', count: 0, upBy: ['guest', 'ubd-irq'] },
      { kind: 'pipe', name: 'aio->ubd', capacity: pipe, readers: ['ubd-irq'], writers: helper ? ['io-helper'] : ['aio', 'ubd'] },
      { kind: 'channel', name: 'disk.queue', capacity: Infinity, readers: ['disk'] },
    ];
    const contexts: ContextSpec[] = [
      { name: 'guest', kind: 'thread', cpu: 'uml0', machine: guestWorkload, input: { queue: 'ubd.queue', kick: 'ubd.kick', burst } },
    ];
    if (variant === 'fix-nonblocking') {
      resources.push(
        { kind: 'channel', name: 'ubd->helper', capacity: pipe, readers: ['io-helper'], writers: ['ubd'] },
        { kind: 'channel', name: 'ubd.restart', capacity: Infinity, readers: ['ubd-irq'], writers: ['ubd'] },
        { kind: 'channel', name: 'helper.io', capacity: 1, readers: ['io-helper'], writers: ['disk'] },
      );
      contexts.push(
        { name: 'ubd', kind: 'thread', cpu: 'uml0', machine: ubd, input: { mode, queue: 'ubd.queue', kick: 'ubd.kick', pipe: 'aio->ubd', toHelper: 'ubd->helper', restartList: 'ubd.restart' } },
        { name: 'ubd-irq', kind: 'irq', cpu: 'uml0', irq: { level: IPL_BIO, line: 'aio->ubd' }, machine: ubdIrq, input: { pipe: 'aio->ubd', kick: 'ubd.kick', restartList: 'ubd.restart' } },
        { name: 'io-helper', kind: 'host-thread', machine: ioHelper, input: { requests: 'ubd->helper', diskQueue: 'disk.queue', diskDone: 'helper.io', pipe: 'aio->ubd' } },
        { name: 'disk', kind: 'device', mailbox: 'disk.queue', machine: disk, input: { queue: 'disk.queue', latency } },
      );
    } else {
      const { ring } = params;
      const credits = mode === 'fix-credits' ? 'ubd.credits' : undefined;
      resources.push({ kind: 'aio-ring', name: 'aio.ring', nrEvents: ring, submitters: ['ubd'], completer: 'disk', device: 'disk.queue' });
      if (credits) resources.push({ kind: 'semaphore', name: credits, count: ring, upBy: ['ubd-irq'] });
      contexts.push(
        { name: 'ubd', kind: 'thread', cpu: 'uml0', machine: ubd, input: { mode, queue: 'ubd.queue', kick: 'ubd.kick', ring: 'aio.ring', pipe: 'aio->ubd', credits } },
        { name: 'ubd-irq', kind: 'irq', cpu: 'uml0', irq: { level: IPL_BIO, line: 'aio->ubd' }, machine: ubdIrq, input: { pipe: 'aio->ubd', kick: 'ubd.kick', credits } },
        { name: 'aio', kind: 'host-thread', machine: aioCompletion, input: { ring: 'aio.ring', pipe: 'aio->ubd' } },
        { name: 'disk', kind: 'device', mailbox: 'disk.queue', machine: disk, input: { queue: 'disk.queue', latency, ring: 'aio.ring' } },
      );
    }
    return { cpus: [{ name: 'uml0' }], contexts, resources };
  },
});
