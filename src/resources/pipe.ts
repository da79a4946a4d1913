/**
 * A host pipe, counted in records (one record = one reply, e.g. UML's
 * `aio_thread_reply`). pipe(7): write(2) to a full pipe blocks, unless the
 * end is O_NONBLOCK, in which case it fails with EAGAIN. Both ends of the same
 * pipe can differ (the AIO thread writes blocking, ubd's side does not), so
 * the choice is made per call with `wait`, not per pipe.
 */
import { Channel } from './channel.js';

export class Pipe<T> extends Channel<T> {
  override get kind(): string {
    return 'pipe';
  }

  /**
   * Data is waiting: the read end is ready, which is what raises the
   * reader's interrupt line (SIGIO -> UBD_IRQ).
   */
  get readable(): boolean {
    return !this.isEmpty;
  }
}
