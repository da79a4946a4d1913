/**
 * Merging the `--json` outputs of shards of one exploration (`biostack
 * merge`). Outputs of different explorations are refused, naming the field
 * that differs; so are overlapping shards. Counts add up; a signature found
 * by several shards keeps its lowest seed and the sum of its counts. Merging
 * every shard gives the unsharded output, apart from `workers` (summed) and
 * `wallMs` (the longest shard's: shards run side by side).
 */
import { InputError } from '../input-error.js';
import { OUTCOMES, type Outcome } from '../check/outcome.js';
import { EXPLORE_JSON_VERSION, type ExploreDoc, type Finding } from './explore.js';
import { parseShardsText, shardsText } from './shard.js';

export interface SourcedDoc {
  /** File name, for errors. */
  readonly source: string;
  readonly doc: ExploreDoc;
}

/** Parse one `explore --json` output, checking the fields merge relies on. */
export function parseExploreDoc(text: string, source: string): ExploreDoc {
  const fail = (what: string): never => {
    throw new InputError(`'${source}': ${what}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message.replace(/\s+/g, ' ')})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return fail('must be a JSON object written by explore --json');
  const o = doc as Record<string, unknown>;
  const field = (name: string, ok: boolean, allowed: string): void => {
    if (!ok) fail(`field '${name}' must be ${allowed}, got ${name in o ? JSON.stringify(o[name]) : 'nothing'}`);
  };
  const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
  field('biostack', o.biostack === 'explore', '"explore" (this is not the output of explore --json)');
  field('version', o.version === EXPLORE_JSON_VERSION, String(EXPLORE_JSON_VERSION));
  field('scenario', typeof o.scenario === 'string', 'a scenario name');
  field('variant', typeof o.variant === 'string', 'a variant name');
  field('strategy', ['random', 'pct', 'portfolio'].includes(o.strategy as string), 'random, pct or portfolio (dfs and bfs outputs are not sharded)');
  field('swarm', typeof o.swarm === 'boolean', 'true or false');
  field('params', o.params !== null && typeof o.params === 'object' && !Array.isArray(o.params), 'an object of parameter values');
  field('schedules', isCount(o.schedules), 'a non-negative integer');
  field('shard', o.shard === null || (typeof o.shard === 'string' && parseShardsText(o.shard) !== undefined), 'null or i/n (i, j/n after a merge)');
  field('runs', isCount(o.runs), 'a non-negative integer');
  field('outcomes', o.outcomes !== null && typeof o.outcomes === 'object' && Object.entries(o.outcomes as object).every(([k, v]) => (OUTCOMES as readonly string[]).includes(k) && isCount(v)), 'an object of outcome counts');
  field('findings', Array.isArray(o.findings), 'an array');
  (o.findings as unknown[]).forEach((f, i) => {
    const x = f as Record<string, unknown> | null;
    const ok = x !== null && typeof x === 'object' && typeof x.signature === 'string' && Number.isSafeInteger(x.seed) && isCount(x.count);
    field(`findings[${i}]`, ok, 'a finding with signature, seed and count');
  });
  field('workers', isCount(o.workers), 'a non-negative integer');
  field('wallMs', isCount(o.wallMs), 'a non-negative integer');
  return doc as ExploreDoc;
}

/** Merge shards of one exploration; see the file comment. */
export function mergeExploreDocs(docs: readonly SourcedDoc[]): ExploreDoc {
  if (docs.length === 0) throw new InputError('merge needs at least one explore --json output');
  const [first] = docs;
  const same = (name: keyof ExploreDoc): void => {
    const want = JSON.stringify(first.doc[name]);
    for (const d of docs.slice(1)) {
      const got = JSON.stringify(d.doc[name]);
      if (got !== want) throw new InputError(`cannot merge: field '${name}' differs: '${first.source}' has ${want ?? 'nothing'}, '${d.source}' has ${got ?? 'nothing'} (merge shards of one exploration only)`);
    }
  };
  for (const name of ['scenario', 'variant', 'strategy', 'pctDepth', 'swarm', 'params', 'schedules'] as const) same(name);

  const owner = new Map<number, string>();
  let count: number | undefined;
  for (const d of docs) {
    const s = parseShardsText(d.doc.shard)!;
    if (count !== undefined && s.count !== count) {
      throw new InputError(`cannot merge: field 'shard' differs: '${first.source}' is a shard of ${count}, '${d.source}' ${d.doc.shard === null ? 'is unsharded' : `is ${d.doc.shard}`}`);
    }
    count = s.count;
    for (const i of s.indices) {
      const other = owner.get(i);
      if (other !== undefined) throw new InputError(`cannot merge: field 'shard': shard ${i}/${count} is in both '${other}' and '${d.source}'`);
      owner.set(i, d.source);
    }
  }

  const outcomes: Partial<Record<Outcome, number>> = {};
  for (const o of OUTCOMES) {
    const n = docs.reduce((sum, d) => sum + (d.doc.outcomes[o] ?? 0), 0);
    if (n > 0) outcomes[o] = n;
  }
  const bySignature = new Map<string, Finding>();
  for (const d of docs) {
    for (const f of d.doc.findings) {
      const seen = bySignature.get(f.signature);
      if (!seen) bySignature.set(f.signature, f);
      else bySignature.set(f.signature, { ...(f.seed! < seen.seed! ? f : seen), count: seen.count + f.count });
    }
  }
  const findings = [...bySignature.values()].sort((a, b) => a.seed! - b.seed!);
  const { wallMs: _w, workers: _k, ...header } = first.doc;
  return {
    ...header,
    shard: shardsText([...owner.keys()], count!),
    runs: docs.reduce((sum, d) => sum + d.doc.runs, 0),
    outcomes,
    findings,
    workers: docs.reduce((sum, d) => sum + d.doc.workers, 0),
    wallMs: Math.max(...docs.map((d) => d.doc.wallMs)),
  };
}
