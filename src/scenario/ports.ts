/**
 * Ports: a resource a scenario declares once, and the ends of it that it
 * hands to contexts. A context handed `pipe.reader` is one of the pipe's
 * readers; the role lists the deadlock checker relies on (`readers`,
 * `writers`, `upBy`, `submitters`, `completer`, `freedBy`, `advancers`) are
 * derived from who got which end (wiring.ts), never typed by hand.
 *
 * An end resolves to the resource's name in a machine's `input`: machines
 * keep receiving plain strings.
 */

/** Kinds of resource a scenario can declare (those of `ResourceSpec`). */
export type PortKind = 'channel' | 'pipe' | 'aio-ring' | 'allocator' | 'mempool' | 'lock' | 'semaphore' | 'counter' | 'buffer-cache';

/** A role list of `ResourceSpec`, by its field name there. */
export type Role = 'readers' | 'writers' | 'upBy' | 'submitters' | 'completer' | 'freedBy' | 'advancers';

/**
 * How many contexts play a role: exactly `n` (the list is derived and handed
 * to the kernel, and any other number of holders is refused), or
 * `'observed'`: the kernel is told nothing and guesses from who uses the
 * resource (what it does when a spec leaves the list out).
 */
export type Arity = number | 'observed';

/** Who owns a port: the wiring that declared it. Only its own ends may be handed to its contexts. */
export interface PortOwner {
  readonly id: symbol;
}

/** A declared resource. Its `name` is the plain string (handing it hands no role). */
export class Port<K extends PortKind = PortKind> {
  constructor(
    readonly owner: PortOwner,
    readonly kind: K,
    readonly name: string,
    /** Declared arity of each role this port has; a role absent here has no end that may be handed. */
    readonly arity: Readonly<Partial<Record<Role, Arity>>>,
  ) {}

  /** `pipe 'aio->ubd'`, as errors name it. */
  toString(): string {
    return `${this.kind} '${this.name}'`;
  }

  protected end<R extends string>(role: Role | undefined, label: R): End<K, R> {
    return new End<K, R>(this, role === undefined ? [] : [role], [label], false);
  }
}

/**
 * What a context is handed: a port and the roles it plays on it (none for an
 * end like `sem.down`, which releases nobody). `R` names the end(s) for the
 * type checker (`mailbox` takes only a channel's reader).
 */
export class End<K extends PortKind = PortKind, R extends string = string> {
  declare private readonly phantom: R;

  constructor(
    readonly port: Port<K>,
    readonly roles: readonly Role[],
    /** End names, for messages: `reader`, `writer`, `up`... */
    readonly labels: readonly string[],
    /** Listed before the other holders of its roles (see `first`). */
    readonly isFirst: boolean,
  ) {}

  /** The same port's other end as well: `queue.reader.and(queue.writer)` (one input field, two roles). */
  and<R2 extends string>(other: End<K, R2>): End<K, R | R2> {
    if (other.port !== this.port) throw new WiringError(`cannot join an end of ${this.port} with an end of ${other.port}`);
    return new End<K, R | R2>(this.port, [...new Set([...this.roles, ...other.roles])], [...new Set([...this.labels, ...other.labels])], this.isFirst || other.isFirst);
  }

  /**
   * List this holder before the others in its role lists. The wait-for
   * graph explains a deadlock by following the first doomed releaser of a
   * resource, so the main writer of a pipe (the AIO thread, not the drivers
   * that write errors into it) goes first. Otherwise holders are listed in
   * context order.
   */
  get first(): End<K, R> {
    return new End<K, R>(this.port, this.roles, this.labels, true);
  }

  toString(): string {
    return `${this.port} (${this.labels.join('+')})`;
  }
}

/** A channel or pipe: its readers and writers. */
export class ChannelPort<K extends 'channel' | 'pipe' = 'channel' | 'pipe'> extends Port<K> {
  /** Gets from it (a mailbox owner and an interrupt handler on its line are readers too). */
  get reader(): End<K, 'reader'> {
    return this.end('readers', 'reader');
  }
  get writer(): End<K, 'writer'> {
    return this.end('writers', 'writer');
  }
  /** Named in an input the machine does not use in this wiring (a field its type requires; another mode uses it). */
  get unused(): End<K, 'unused'> {
    return this.end(undefined, 'unused');
  }
}

/** A host AIO ring: who submits, who completes (the device), who reaps events. */
export class AioRingPort extends Port<'aio-ring'> {
  get submit(): End<'aio-ring', 'submit'> {
    return this.end('submitters', 'submit');
  }
  get complete(): End<'aio-ring', 'complete'> {
    return this.end('completer', 'complete');
  }
  /** io_getevents: waits for completions, releases nobody. */
  get reap(): End<'aio-ring', 'reap'> {
    return this.end(undefined, 'reap');
  }
}

export class SemaphorePort extends Port<'semaphore'> {
  get up(): End<'semaphore', 'up'> {
    return this.end('upBy', 'up');
  }
  get down(): End<'semaphore', 'down'> {
    return this.end(undefined, 'down');
  }
}

export class MempoolPort extends Port<'mempool'> {
  get alloc(): End<'mempool', 'alloc'> {
    return this.end(undefined, 'alloc');
  }
  get free(): End<'mempool', 'free'> {
    return this.end('freedBy', 'free');
  }
}

/** A ticket counter: who takes tickets and waits for a turn, who advances it. */
export class CounterPort extends Port<'counter'> {
  get take(): End<'counter', 'take'> {
    return this.end(undefined, 'take');
  }
  get advance(): End<'counter', 'advance'> {
    return this.end('advancers', 'advance');
  }
}

/**
 * A resource with no role lists (lock, page allocator, buffer cache): the
 * port itself is handed, and stands for its name in an input.
 */
export class PlainPort<K extends 'allocator' | 'lock' | 'buffer-cache' = 'allocator' | 'lock' | 'buffer-cache'> extends Port<K> {}

/** A CPU of the system. */
export class Cpu {
  constructor(
    readonly owner: PortOwner,
    readonly name: string,
  ) {}
}

/**
 * The type of a machine input as a scenario writes it: wherever the machine
 * takes a resource name (a `string` field), an end or a plain port may stand.
 */
export type Wire<T> = string extends T
  ? T | End | PlainPort
  : T extends readonly (infer U)[]
    ? readonly Wire<U>[]
    : T extends object
      ? { readonly [P in keyof T]: Wire<T[P]> }
      : T;

/**
 * A mistake in the wiring (an end handed to more contexts than its port
 * declares, an end of an undeclared role or of another system's port). The
 * scenario's build turns it into a ModelError naming the scenario.
 */
export class WiringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WiringError';
  }
}

/** Words for a role in messages: `1 reader`, `read by 'a' and 'b'`. */
export const ROLE_WORDS: Readonly<Record<Role, { readonly one: string; readonly many: string; readonly verb: string; readonly end: string }>> = {
  readers: { one: 'reader', many: 'readers', verb: 'read by', end: 'reader' },
  writers: { one: 'writer', many: 'writers', verb: 'written by', end: 'writer' },
  upBy: { one: 'context that ups it', many: 'contexts that up it', verb: 'upped by', end: 'up' },
  submitters: { one: 'submitter', many: 'submitters', verb: 'submitted to by', end: 'submit' },
  completer: { one: 'completer', many: 'completers', verb: 'completed by', end: 'complete' },
  freedBy: { one: 'context that frees its elements', many: 'contexts that free its elements', verb: 'freed by', end: 'free' },
  advancers: { one: 'advancer', many: 'advancers', verb: 'advanced by', end: 'advance' },
};
