import { describe, expect, it } from 'vitest';
import { and, createMachine, not, setup } from 'xstate';
import { toMermaid } from '../../src/report/mermaid.js';

/** A ubd-like request path: every transition kind the exporter must draw. */
function ubdMachine() {
  return setup({
    guards: { poolHasFree: () => true, pipeHasSpace: () => false, irqsOff: () => false },
    actions: { emitBio: () => {}, countKick: () => {} },
    delays: { seekTime: 3 },
  }).createMachine({
    id: 'ubd',
    initial: 'idle',
    on: { '*': { actions: 'countKick' } },
    states: {
      idle: {
        tags: ['idle'],
        on: {
          SUBMIT: { target: 'allocatingXfer', guard: 'poolHasFree' },
          KICK: { actions: 'countKick' },
        },
      },
      allocatingXfer: {
        always: [{ target: 'io', guard: { type: 'poolHasFree' } }, { target: 'waitingForPipeSpace' }],
      },
      waitingForPipeSpace: {
        tags: ['blocked'],
        on: {
          PIPE_SPACE: { target: 'io', guard: ({ event }) => event.type === 'PIPE_SPACE' },
          RETRY: { target: 'io', guard: and(['pipeHasSpace', not('irqsOff')]) },
        },
        after: { 5: 'failed' },
      },
      io: {
        initial: 'seek',
        states: {
          seek: { after: { seekTime: 'transfer' } },
          transfer: { on: { IRQ: 'done' } },
          done: { type: 'final' },
        },
        onDone: { target: 'completing', actions: 'emitBio' },
      },
      completing: {
        type: 'parallel',
        states: {
          bio: { initial: 'pending', states: { pending: { on: { BIO_END: 'done' } }, done: { type: 'final' } } },
          ack: { initial: 'pending', states: { pending: { on: { ACK: 'done' } }, done: { type: 'final' } } },
        },
        onDone: 'idle',
      },
      failed: { type: 'final' },
    },
  });
}

/**
 * What can be checked without Mermaid: ids declared once, every edge between
 * declared states, blocks balanced, `--` only inside a block.
 */
function checkStructure(diagram: string): void {
  const lines = diagram.trimEnd().split('\n');
  expect(lines[0]).toBe('stateDiagram-v2');
  const declared = lines.flatMap((line) => /^\s*state "[^"]*" as (\w+)( \{)?$/.exec(line)?.[1] ?? []);
  expect(new Set(declared).size).toBe(declared.length);
  // Mermaid's own ids for the [*] of each block share the namespace.
  const blocks = lines.flatMap((line) => /^\s*state "[^"]*" as (\w+) \{$/.exec(line)?.[1] ?? []);
  for (const block of blocks) {
    expect(declared).not.toContain(`${block}_start`);
    expect(declared).not.toContain(`${block}_end`);
  }
  let depth = 0;
  for (const line of lines.slice(1)) {
    const edge = /^\s*(\S+) --> (\S+)( : .*)?$/.exec(line);
    if (edge) {
      for (const end of [edge[1]!, edge[2]!]) {
        if (end !== '[*]') expect(declared, `${line}: ${end} is not declared`).toContain(end);
      }
    } else if (line.trim() === '--') {
      expect(depth, `${line}: separator outside a block`).toBeGreaterThan(0);
    } else if (line.endsWith('{')) {
      depth++;
    } else if (line.trim() === '}') {
      depth--;
    } else {
      expect(line).toMatch(/^\s*(state "[^"]*" as \w+|classDef \w+ \S+|class [\w,]+ \w+)$/);
    }
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);
}

describe('toMermaid', () => {
  const diagram = toMermaid(ubdMachine());
  const lines = diagram.split('\n').map((line) => line.trim());

  it('draws a small machine as expected, line for line', () => {
    const toggle = createMachine({
      id: 'lamp',
      initial: 'off',
      states: {
        off: { on: { FLIP: 'on' } },
        on: { on: { FLIP: 'off', BURN: 'dead' } },
        dead: { type: 'final' },
      },
    });
    expect(toMermaid(toggle)).toBe(
      [
        'stateDiagram-v2',
        '  state "lamp" as lamp {',
        '    [*] --> off',
        '    state "off" as off',
        '    state "on" as on',
        '    state "dead" as dead',
        '    dead --> [*]',
        '  }',
        '  off --> on : FLIP',
        '  on --> off : FLIP',
        '  on --> dead : BURN',
        '',
      ].join('\n'),
    );
  });

  it('shows eventless transitions, labelled always with their guard', () => {
    expect(lines).toContain('allocatingXfer --> io : always [poolHasFree]');
    expect(lines).toContain('allocatingXfer --> waitingForPipeSpace : always');
  });

  it('shows delayed transitions by delay, in ms or by delay name', () => {
    expect(lines).toContain('waitingForPipeSpace --> failed : after 5');
    expect(lines).toContain('seek --> transfer : after seekTime');
  });

  it('labels guarded transitions with the guard name, inline guards as guard', () => {
    expect(lines).toContain('idle --> allocatingXfer : SUBMIT [poolHasFree]');
    expect(lines).toContain('waitingForPipeSpace --> io : PIPE_SPACE [guard]');
    expect(lines).toContain('waitingForPipeSpace --> io : RETRY [pipeHasSpace && !irqsOff]');
  });

  it('draws targetless transitions and wildcards as self-loops', () => {
    expect(lines).toContain('idle --> idle : KICK');
    expect(lines).toContain('ubd --> ubd : *');
  });

  it('nests compound states with their initial state and final states', () => {
    const io = lines.indexOf('state "io" as io {');
    expect(io).toBeGreaterThan(0);
    expect(lines[io + 1]).toBe('[*] --> seek');
    expect(lines).toContain('ubd_io_done --> [*]');
    expect(lines).toContain('failed --> [*]');
    expect(lines).toContain('io --> completing : done');
  });

  it('separates the regions of a parallel state with --', () => {
    const start = lines.indexOf('state "completing" as completing {');
    const regions = lines.slice(start).filter((l) => /^state "(bio|ack)"/.test(l) || l === '--');
    expect(regions).toEqual(['state "bio" as bio {', '--', 'state "ack" as ack {']);
    expect(lines).toContain('completing --> idle : done');
  });

  it('gives clashing keys their path as id and keeps the key as label', () => {
    expect(lines).toContain('state "done" as ubd_io_done');
    expect(lines).toContain('state "pending" as ubd_completing_bio_pending');
    expect(lines).toContain('ubd_completing_ack_pending --> ubd_completing_ack_done : ACK');
  });

  it('marks blocked and idle states with a class', () => {
    expect(lines).toContain('classDef blocked fill:#fdd,stroke:#c33');
    expect(lines).toContain('class waitingForPipeSpace blocked');
    expect(lines).toContain('class idle idle');
  });

  it('is the same text for the same machine, built once or twice', () => {
    expect(toMermaid(ubdMachine())).toBe(diagram);
    expect(toMermaid(ubdMachine())).toBe(toMermaid(ubdMachine()));
  });

  it('declares every state once and draws edges only between declared states', () => {
    checkStructure(diagram);
  });

  it('renames states whose key Mermaid reads as a keyword or cannot hold', () => {
    const odd = createMachine({
      id: 'odd',
      initial: 'note',
      states: { note: { on: { 'a;b<c>': 'io-wait' } }, 'io-wait': { on: { GO: 'class' } }, class: {} },
    });
    const text = toMermaid(odd);
    expect(text).toContain('state "note" as note_\n');
    expect(text).toContain('state "io-wait" as io_wait\n');
    expect(text).toContain('note_ --> io_wait : a#59;b#60;c#62;\n');
    expect(text).toContain('io_wait --> class_ : GO\n');
    checkStructure(text);
  });

  it('keeps state ids apart from the ids Mermaid gives the [*] of a block', () => {
    const bio = createMachine({
      id: 'vnd',
      initial: 'bio',
      states: {
        bio: { initial: 'queued', states: { queued: { on: { END: 'done' } }, done: { type: 'final' } } },
        bio_end: {},
      },
    });
    const text = toMermaid(bio);
    expect(text).toContain('state "bio_end" as bio_end_2\n');
    checkStructure(text);
  });
});
