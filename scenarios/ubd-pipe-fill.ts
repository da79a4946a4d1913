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
import { defineScenario, IPL_BIO, wiring, type SystemSpec } from '../src/index.js';
import { ubd, type UbdMode } from '../machines/ubd.js';
import { ubdIrq } from '../machines/ubd-irq.js';
import { aioCompletion } from '../machines/aio-completion.js';
import { disk, diskParams, jitteredServiceTimes } from '../machines/disk.js';
import { guestWorkload } from '../machines/guest-workload.js';
import { ioHelper } from '../machines/io-helper.js';

const ALL = ['pipe', 'ring', 'burst', 'latency', 'jitter'] as const;

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
    latency: { ...diskParams.latency, default: 0 },
    jitter: diskParams.jitter,
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
      uses: ['pipe', 'burst', 'latency', 'jitter'],
      evidence: { metric: 'restarts', doc: 'runs ended by EAGAIN on the helper channel (the channel really filled)' },
    },
  },
  build(variant, params): SystemSpec {
    const { pipe, burst, latency, jitter } = params;
    const serviceTimes = jitteredServiceTimes(latency, jitter);
    const mode: UbdMode = variant;
    const helper = variant === 'fix-nonblocking';
    const sys = wiring();
    const uml0 = sys.cpu('uml0');
    const queue = sys.channel('ubd.queue', { capacity: Infinity, unit: 'requests', readers: 1, writers: 2 });
    const kick = sys.semaphore('ubd.kick', { count: 0, upBy: 2 });
    // The AIO thread (or the helper) is the pipe's writer; the 2005 driver writes its errors into it too.
    const replies = sys.pipe('aio->ubd', { capacity: pipe, readers: 1, writers: helper ? 1 : 2 });
    // Fed by the ring's io_submit forwarding, or by the helper: the kernel learns who writes it.
    const diskQueue = sys.channel('disk.queue', { capacity: Infinity, readers: 1, writers: 'observed' });
    sys.context({ name: 'guest', kind: 'thread', cpu: uml0, machine: guestWorkload, input: { queue: queue.writer, kick: kick.up, burst } });
    if (variant === 'fix-nonblocking') {
      const toHelper = sys.channel('ubd->helper', { capacity: pipe, readers: 1, writers: 1 });
      const restart = sys.channel('ubd.restart', { capacity: Infinity, readers: 1, writers: 1 });
      const helperIo = sys.channel('helper.io', { capacity: 1, readers: 1, writers: 1 });
      sys.context({
        name: 'ubd',
        kind: 'thread',
        cpu: uml0,
        machine: ubd,
        // This driver never writes the completion pipe (only the buggy one does).
        input: { mode, queue: queue.reader.and(queue.writer), kick: kick.down, pipe: replies.unused, toHelper: toHelper.writer, restartList: restart.writer },
      });
      sys.context({ name: 'ubd-irq', kind: 'irq', cpu: uml0, irq: { level: IPL_BIO, line: replies.reader }, machine: ubdIrq, input: { pipe: replies.reader, kick: kick.up, restartList: restart.reader } });
      sys.context({ name: 'io-helper', kind: 'host-thread', machine: ioHelper, input: { requests: toHelper.reader, diskQueue: diskQueue.writer, diskDone: helperIo.reader, pipe: replies.writer } });
      // The disk answers on the channel each request names (the helper's `replyTo`).
      sys.context({ name: 'disk', kind: 'device', mailbox: diskQueue.reader, machine: disk, input: { queue: diskQueue.reader, latency, serviceTimes }, ends: [helperIo.writer] });
    } else {
      const { ring } = params;
      const aioRing = sys.aioRing('aio.ring', { nrEvents: ring, submitters: 1, completer: 1 });
      sys.forward(aioRing, diskQueue);
      const credits = mode === 'fix-credits' ? sys.semaphore('ubd.credits', { count: ring, upBy: 1 }) : undefined;
      sys.context({
        name: 'ubd',
        kind: 'thread',
        cpu: uml0,
        machine: ubd,
        input: { mode, queue: queue.reader.and(queue.writer), kick: kick.down, ring: aioRing.submit, pipe: replies.writer, credits: credits?.down },
      });
      sys.context({ name: 'ubd-irq', kind: 'irq', cpu: uml0, irq: { level: IPL_BIO, line: replies.reader }, machine: ubdIrq, input: { pipe: replies.reader, kick: kick.up, credits: credits?.up } });
      sys.context({ name: 'aio', kind: 'host-thread', machine: aioCompletion, input: { ring: aioRing.reap, pipe: replies.writer.first } });
      sys.context({ name: 'disk', kind: 'device', mailbox: diskQueue.reader, machine: disk, input: { queue: diskQueue.reader, latency, serviceTimes, ring: aioRing.complete } });
    }
    // UML: the guest is one host process (host calls stall its CPU), HZ 100 (arch/um).
    return sys.build({ kernel: { personality: 'uml' } });
  },
});
