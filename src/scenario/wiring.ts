/**
 * The wiring builder: a scenario declares CPUs and resources (ports.ts),
 * then contexts, each handed the ends it uses — in its `input` (where they
 * stand for the resource names the machine reads), as its `mailbox`, as its
 * interrupt `line`, or in `ends` (ends whose names are not in its input). An AIO ring's device
 * forwarding is declared with `forward`.
 * `build()` emits the `SystemSpec` the kernel runs, with every role list
 * derived from who holds which end, checked against the declared arity.
 */
import type { AnyStateMachine, InputFrom } from 'xstate';
import type { InitialBuf } from '../resources/buffer-cache.js';
import type { MempoolVersionName } from '../resources/mempool-versions.js';
import type { ContextSpec, CpuSpec, FaultSpec, ResourceSpec, SystemSpec } from '../kernel/system.js';
import {
  AioRingPort,
  ChannelPort,
  CounterPort,
  Cpu,
  End,
  MempoolPort,
  PlainPort,
  Port,
  ROLE_WORDS,
  SemaphorePort,
  WiringError,
  type Arity,
  type PortKind,
  type PortOwner,
  type Role,
  type Wire,
} from './ports.js';

/** A context as a scenario declares it: `ContextSpec` with handles instead of names. */
export interface ContextDef<M extends AnyStateMachine = AnyStateMachine> {
  readonly name: string;
  readonly kind: ContextSpec['kind'];
  readonly cpu?: Cpu;
  /** For `irq` contexts: the priority level and the reader end whose readability asserts the line. */
  readonly irq?: { readonly level: number; readonly line?: End<'pipe' | 'channel', 'reader'> };
  /** The channel this context is fed from (ContextSpec.mailbox): it is that channel's reader. */
  readonly mailbox?: End<'channel', 'reader'>;
  readonly machine: M;
  /** The machine's input, with ends (or plain ports) where it takes resource names. */
  readonly input?: Wire<InputFrom<M>>;
  readonly stackLimit?: number;
  /** A user process (ContextSpec.user): back at its base frame it is in user mode, a preemption point. */
  readonly user?: boolean;
  /**
   * Ends this context holds whose names are not in its input: names it
   * finds in the items it is sent or in a shared environment, or a role it
   * plays through another context (say why next to each).
   */
  readonly ends?: readonly End[];
}

interface Declared {
  readonly port: Port;
  /** The spec, role lists left out until build(). */
  readonly spec: ResourceSpec;
  /** aio-ring: the channel io_submit forwards to (see forward). */
  device?: ChannelPort<'channel'>;
}

interface Holding {
  readonly ctx: string;
  readonly end: End;
}

/** Start a system. Declaration order is spec order (a mempool's backing allocator first). */
export function wiring(): Wiring {
  return new Wiring();
}

export class Wiring implements PortOwner {
  readonly id = Symbol('wiring');
  private readonly cpus: Cpu[] = [];
  private readonly declared: Declared[] = [];
  private readonly contexts: ContextSpec[] = [];
  private readonly holdings: Holding[] = [];
  /** Input objects already resolved, so an object shared between inputs stays shared. */
  private readonly memo: Memo = new WeakMap();

  cpu(name: string): Cpu {
    if (this.cpus.some((c) => c.name === name)) throw new WiringError(`cpu '${name}' is declared twice`);
    const cpu = new Cpu(this, name);
    this.cpus.push(cpu);
    return cpu;
  }

  channel(name: string, o: { readonly capacity: number; readonly unit?: string; readonly readers?: Arity; readonly writers?: Arity }): ChannelPort<'channel'> {
    const port = new ChannelPort<'channel'>(this, 'channel', name, roles({ readers: o.readers, writers: o.writers }));
    return this.declare(port, { kind: 'channel', name, capacity: o.capacity, ...(o.unit !== undefined ? { unit: o.unit } : {}) });
  }

  pipe(name: string, o: { readonly capacity: number; readonly readers?: Arity; readonly writers?: Arity }): ChannelPort<'pipe'> {
    const port = new ChannelPort<'pipe'>(this, 'pipe', name, roles({ readers: o.readers, writers: o.writers }));
    return this.declare(port, { kind: 'pipe', name, capacity: o.capacity });
  }

  aioRing(name: string, o: { readonly nrEvents: number; readonly submitters?: Arity; readonly completer?: 1 | 'observed' }): AioRingPort {
    const port = new AioRingPort(this, 'aio-ring', name, roles({ submitters: o.submitters, completer: o.completer }));
    return this.declare(port, { kind: 'aio-ring', name, nrEvents: o.nrEvents });
  }

  /**
   * The ring's device forwarding (ResourceSpec.device): the kernel puts each
   * successful io_submit on `ring` into `channel`, where the device context
   * takes it (usually as its mailbox). Either may be declared first.
   */
  forward(ring: AioRingPort, channel: ChannelPort<'channel'>): void {
    this.own(ring, 'forward from');
    this.own(channel, `aio-ring '${ring.name}' forwards to`);
    const d = this.declared.find((x) => x.port === ring)!;
    if (d.device !== undefined) throw new WiringError(`${ring} already forwards to ${d.device}`);
    d.device = channel;
  }

  allocator(name: string, o: { readonly pressure: 'none' | 'always' | { readonly failP: number }; readonly limit?: number }): PlainPort<'allocator'> {
    const port = new PlainPort<'allocator'>(this, 'allocator', name, {});
    return this.declare(port, { kind: 'allocator', name, pressure: o.pressure, ...(o.limit !== undefined ? { limit: o.limit } : {}) });
  }

  mempool(name: string, o: { readonly minNr: number; readonly backing: PlainPort<'allocator'>; readonly freedBy?: Arity; readonly version?: MempoolVersionName }): MempoolPort {
    this.own(o.backing, `mempool '${name}' is backed by`);
    const port = new MempoolPort(this, 'mempool', name, roles({ freedBy: o.freedBy }));
    return this.declare(port, { kind: 'mempool', name, minNr: o.minNr, backing: o.backing.name, ...(o.version !== undefined ? { version: o.version } : {}) });
  }

  lock(name: string, o: { readonly flavour: 'spin' | 'sleep' }): PlainPort<'lock'> {
    return this.declare(new PlainPort<'lock'>(this, 'lock', name, {}), { kind: 'lock', name, flavour: o.flavour });
  }

  semaphore(name: string, o: { readonly count: number; readonly upBy?: Arity }): SemaphorePort {
    return this.declare(new SemaphorePort(this, 'semaphore', name, roles({ upBy: o.upBy })), { kind: 'semaphore', name, count: o.count });
  }

  counter(name: string, o: { readonly value?: number; readonly advancers?: Arity } = {}): CounterPort {
    const port = new CounterPort(this, 'counter', name, roles({ advancers: o.advancers }));
    return this.declare(port, { kind: 'counter', name, ...(o.value !== undefined ? { value: o.value } : {}) });
  }

  bufferCache(name: string, o: { readonly hiwater: number; readonly memory: number; readonly buffers?: readonly InitialBuf[] }): PlainPort<'buffer-cache'> {
    const port = new PlainPort<'buffer-cache'>(this, 'buffer-cache', name, {});
    return this.declare(port, { kind: 'buffer-cache', name, hiwater: o.hiwater, memory: o.memory, ...(o.buffers !== undefined ? { buffers: o.buffers } : {}) });
  }

  /** Declare a context; contexts are emitted (and scheduled) in declaration order. */
  context<M extends AnyStateMachine>(c: ContextDef<M>): string {
    if (this.contexts.some((x) => x.name === c.name)) throw new WiringError(`context '${c.name}' is declared twice`);
    const held: End[] = [];
    if (c.cpu !== undefined && c.cpu.owner !== this) throw new WiringError(`context '${c.name}' runs on cpu '${c.cpu.name}', which is not declared in this system`);
    if (c.irq?.line !== undefined) held.push(c.irq.line);
    if (c.mailbox !== undefined) held.push(c.mailbox);
    const input = c.input === undefined ? undefined : resolve(c.input, held, this.memo);
    held.push(...(c.ends ?? []));
    for (const end of held) {
      if (!(end instanceof End)) throw new WiringError(`context '${c.name}': ends must be ends of ports (got ${describe(end)})`);
      this.own(end.port, `context '${c.name}' is handed`);
      for (const role of end.roles) {
        if (end.port.arity[role] === undefined) {
          throw new WiringError(
            `${end.port} declares no ${ROLE_WORDS[role].many}, but context '${c.name}' is handed its ${ROLE_WORDS[role].end} end (declare ${role}: <count> or 'observed')`,
          );
        }
      }
      this.holdings.push({ ctx: c.name, end });
    }
    this.contexts.push({
      name: c.name,
      kind: c.kind,
      ...(c.cpu !== undefined ? { cpu: c.cpu.name } : {}),
      ...(c.irq !== undefined ? { irq: { level: c.irq.level, ...(c.irq.line !== undefined ? { line: c.irq.line.port.name } : {}) } } : {}),
      ...(c.mailbox !== undefined ? { mailbox: c.mailbox.port.name } : {}),
      machine: c.machine,
      ...(c.input !== undefined ? { input } : {}),
      ...(c.stackLimit !== undefined ? { stackLimit: c.stackLimit } : {}),
      ...(c.user !== undefined ? { user: c.user } : {}),
    });
    return c.name;
  }

  /** The system: role lists derived from the contexts' ends and checked against each port's declared arity. */
  build(extra: { readonly callable?: SystemSpec['callable']; readonly faults?: readonly FaultSpec[]; readonly kernel?: SystemSpec['kernel'] } = {}): SystemSpec {
    const resources = this.declared.map((d) => ({ ...d.spec, ...this.derivedRoles(d.port), ...(d.device !== undefined ? { device: d.device.name } : {}) }) as ResourceSpec);
    const cpus: CpuSpec[] = this.cpus.map((c) => ({ name: c.name }));
    return {
      cpus,
      contexts: [...this.contexts],
      resources,
      ...(extra.callable !== undefined ? { callable: extra.callable } : {}),
      ...(extra.faults !== undefined ? { faults: extra.faults } : {}),
      ...(extra.kernel !== undefined ? { kernel: extra.kernel } : {}),
    };
  }

  private derivedRoles(port: Port): Partial<Record<Role, readonly string[] | string>> {
    const out: Partial<Record<Role, readonly string[] | string>> = {};
    for (const role of Object.keys(port.arity) as Role[]) {
      const arity = port.arity[role]!;
      if (arity === 'observed') continue;
      const holders = this.holdings.filter((h) => h.end.port === port && h.end.roles.includes(role));
      // First-marked holders lead; then context order. A context holding the end twice counts once.
      const ordered = [...holders.filter((h) => h.end.isFirst), ...holders.filter((h) => !h.end.isFirst)].map((h) => h.ctx);
      const names = [...new Set(ordered)];
      if (names.length !== arity) {
        const w = ROLE_WORDS[role];
        throw new WiringError(`${port} is declared with ${arity} ${arity === 1 ? w.one : w.many} but is ${w.verb} ${names.length === 0 ? 'no context' : quoteList(names)}`);
      }
      out[role] = role === 'completer' ? names[0] : names;
    }
    return out;
  }

  private declare<P extends Port>(port: P, spec: ResourceSpec): P {
    if (this.declared.some((d) => d.port.name === port.name)) throw new WiringError(`resource '${port.name}' is declared twice`);
    this.declared.push({ port, spec });
    return port;
  }

  private own(port: Port, what: string): void {
    if (port.owner !== this || !this.declared.some((d) => d.port === port)) throw new WiringError(`${what} ${port}, which is not declared in this system`);
  }
}

/** Only the roles given (undefined: not declared; its end may not be handed). */
function roles(r: Partial<Record<Role, Arity | undefined>>): Partial<Record<Role, Arity>> {
  const out: Partial<Record<Role, Arity>> = {};
  for (const [role, arity] of Object.entries(r) as [Role, Arity | undefined][]) {
    if (arity === undefined) continue;
    if (arity !== 'observed' && !(Number.isInteger(arity) && arity >= 1)) throw new WiringError(`${role}: the count must be a whole number >= 1 or 'observed', got ${String(arity)}`);
    out[role] = arity;
  }
  return out;
}

/**
 * The input with every end and plain port replaced by its resource's name,
 * collecting the ends into `held`. Plain objects and arrays are copied with
 * their keys in order (undefined values kept); an object shared between
 * inputs stays shared (one copy per object per system).
 */
function resolve(value: unknown, held: End[], memo: Memo): unknown {
  if (value instanceof End) {
    held.push(value);
    return value.port.name;
  }
  if (value instanceof PlainPort) return value.name;
  if (value instanceof Port) throw new WiringError(`${value} appears in an input as a port: hand one of its ends (or its .name, which hands no role)`);
  if (value === null || typeof value !== 'object') return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  const seen = memo.get(value);
  if (seen !== undefined) {
    held.push(...seen.ends);
    return seen.copy;
  }
  const ends: End[] = [];
  const copy: unknown = Array.isArray(value) ? value.map((v) => resolve(v, ends, memo)) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, ends, memo)]));
  // Unchanged objects are kept as they are (identity and all).
  const out = ends.length === 0 && shallowSame(value, copy) ? value : copy;
  memo.set(value, { copy: out, ends });
  held.push(...ends);
  return out;
}

type Memo = WeakMap<object, { readonly copy: unknown; readonly ends: readonly End[] }>;

function shallowSame(a: object, b: unknown): boolean {
  const x = Object.values(a);
  const y = Object.values(b as object);
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

function describe(v: unknown): string {
  return v instanceof Port ? String(v) : typeof v === 'string' ? `'${v}'` : typeof v;
}

/** `'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`. */
export function quoteList(names: readonly string[]): string {
  const q = names.map((n) => `'${n}'`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

export type { PortKind };
