import { describe, it, expect } from 'vitest';
import { Pipe } from '../../src/resources/pipe.js';
import type { SimClock } from '../../src/resources/resource.js';

interface Reply {
  readonly data: string;
  readonly err: number;
}

function make(capacity: number) {
  const clock: SimClock = { now: 0, step: 0 };
  return new Pipe<Reply>({ name: 'aio->ubd', capacity, readers: ['uirq'], writers: ['aio', 'ubd'] }, clock);
}

describe('Pipe', () => {
  it('is readable exactly while it holds a record', () => {
    const pipe = make(2);
    expect(pipe.readable).toBe(false);
    pipe.put('aio', { data: 'req1', err: 0 }, { wait: true });
    expect(pipe.readable).toBe(true);
    pipe.get('uirq', { wait: false });
    expect(pipe.readable).toBe(false);
  });

  it('a blocking write to a full pipe parks the writer; an O_NONBLOCK write gets EAGAIN', () => {
    const pipe = make(1);
    pipe.put('aio', { data: 'req1', err: 0 }, { wait: true });
    expect(pipe.put('ubd', { data: 'req2', err: -11 }, { wait: false }).status).toBe('eagain');
    expect(pipe.put('aio', { data: 'req3', err: 0 }, { wait: true }).status).toBe('blocked');
    expect(pipe.waiters()).toEqual([{ ctx: 'aio', what: 'space', since: 0 }]);
  });

  it('the interrupt handler is the only reader of a full pipe', () => {
    const pipe = make(1);
    pipe.put('aio', { data: 'req1', err: 0 }, { wait: true });
    pipe.put('ubd', { data: 'req2', err: -11 }, { wait: true });
    expect(pipe.releasers(pipe.waiters()[0])).toEqual([{ ctx: 'uirq', edge: 'only-reader' }]);
  });

  it('describes itself as a pipe in records', () => {
    const pipe = make(2);
    pipe.put('aio', { data: 'req1', err: 0 }, { wait: true });
    pipe.put('aio', { data: 'req2', err: 0 }, { wait: true });
    expect(pipe.kind).toBe('pipe');
    expect(pipe.describe()).toBe('pipe aio->ubd (2/2 records)');
  });

  it('errors name the pipe', () => {
    const pipe = make(1);
    pipe.get('uirq', { wait: true });
    expect(() => pipe.get('uirq', { wait: true })).toThrow(/^pipe aio->ubd: uirq calls get while already parked/);
  });
});
