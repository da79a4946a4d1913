/**
 * The practical floor on Node for the pipeline: a port of
 * /work/shared/peers/pipeline_inline.ts (typed arrays, one binary heap of
 * timed events, every zero-delay reaction a direct call) as a function, so
 * the benchmark can time it in the same process as biostack.
 */
import { BASE, CAP, M32, NSTAGES, SEEDS, SRC, xs32 } from './pipeline-model.js';

export interface InlineResult {
  readonly finalT: number;
  readonly checksum: number;
  readonly hops: number;
  /** Timed events posted (the peer prints it as `events=`). */
  readonly events: number;
  /** Puts that found the next inbox full: stages, and the source. */
  readonly stageBlocks: number;
  readonly sourceBlocks: number;
}

export function runInline(n: number): InlineResult {
  // ---- timed-event heap: (time, seq, who). At most one event per stage and the source is
  // ever pending, so 64 slots never overflow (the peer does the same). ----
  const ht = new Float64Array(64), hs = new Float64Array(64), hw = new Int32Array(64);
  let hn = 0, seq = 0, now = 0;
  const push = (t: number, who: number): void => {
    const s = seq++;
    let i = hn++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (ht[p] < t || (ht[p] === t && hs[p] < s)) break;
      ht[i] = ht[p]; hs[i] = hs[p]; hw[i] = hw[p];
      i = p;
    }
    ht[i] = t; hs[i] = s; hw[i] = who;
  };
  const pop = (): number => {
    const who = hw[0];
    now = ht[0];
    const m = --hn;
    const lt = ht[m], ls = hs[m], lw = hw[m];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= m) break;
      if (c + 1 < m && (ht[c + 1] < ht[c] || (ht[c + 1] === ht[c] && hs[c + 1] < hs[c]))) c++;
      if (lt < ht[c] || (lt === ht[c] && ls < hs[c])) break;
      ht[i] = ht[c]; hs[i] = hs[c]; hw[i] = hw[c];
      i = c;
    }
    ht[i] = lt; hs[i] = ls; hw[i] = lw;
    return who;
  };

  // ---- stage state ----
  const box = Array.from({ length: NSTAGES }, () => new Int32Array(CAP));
  const bh = new Int32Array(NSTAGES), bn = new Int32Array(NSTAGES);
  const busy = new Uint8Array(NSTAGES), blocked = new Uint8Array(NSTAGES + 1); // index SRC = source
  const cur = new Int32Array(NSTAGES + 1); // item in service / held while blocked (SRC: next bio)
  const rng = Uint32Array.from(SEEDS);
  let hops = 0, lastT = 0, checksum = 0, nextBio = 0, stageBlocks = 0, sourceBlocks = 0;

  const tryStart = (i: number): void => {
    if (busy[i] || blocked[i] || bn[i] === 0) return;
    const b = box[i];
    const bio = b[bh[i]];
    bh[i] = (bh[i] + 1) & (CAP - 1);
    bn[i]--;
    // A slot was freed: admit a blocked upstream producer.
    const u = i === 0 ? SRC : i - 1;
    if (blocked[u]) {
      b[(bh[i] + bn[i]) & (CAP - 1)] = cur[u];
      bn[i]++;
      blocked[u] = 0;
      if (u === SRC) srcAfterPut(); else tryStart(u);
    }
    busy[i] = 1;
    cur[i] = bio;
    rng[i] = xs32(rng[i]);
    push(now + BASE[i] + (rng[i] % 3), i);
  };

  const done = (i: number): void => {
    busy[i] = 0;
    hops++;
    if (i === NSTAGES - 1) {
      lastT = now;
      checksum = (checksum + now * ((cur[i] % 7) + 1)) % M32;
    } else {
      const j = i + 1;
      if (bn[j] < CAP) {
        box[j][(bh[j] + bn[j]) & (CAP - 1)] = cur[i];
        bn[j]++;
        tryStart(j);
      } else {
        blocked[i] = 1;
        stageBlocks++;
        return;
      }
    }
    tryStart(i);
  };

  const srcAfterPut = (): void => {
    nextBio++;
    rng[SRC] = xs32(rng[SRC]);
    if (nextBio < n) push(now + 4 + (rng[SRC] % 3), SRC);
  };
  const srcArrive = (): void => {
    if (bn[0] < CAP) {
      box[0][(bh[0] + bn[0]) & (CAP - 1)] = nextBio;
      bn[0]++;
      tryStart(0);
      srcAfterPut();
    } else {
      blocked[SRC] = 1;
      sourceBlocks++;
      cur[SRC] = nextBio;
    }
  };

  push(0, SRC);
  while (hn > 0) {
    const who = pop();
    if (who === SRC) srcArrive(); else done(who);
  }
  if (hops !== n * NSTAGES) throw new Error(`inline floor: ${hops} hops for ${n} bios`);
  return { finalT: lastT, checksum, hops, events: seq, stageBlocks, sourceBlocks };
}
