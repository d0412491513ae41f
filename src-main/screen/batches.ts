/** Enumeration as batches for a screen: shard, limit and resume offset applied, records serialized. */
import type { ElementTable } from '../data/elements/load.js';
import { enumerateCandidates, type EnumeratedCandidate } from '../enumerate/enumerate.js';
import type { EnumerationOptions } from '../enumerate/types.js';
import type { Composition } from '../../shared/index.js';
import { candidateRecord, type CandidateRecord } from '../library/index.js';
import { loadKnownMasks } from '../data/known/known-compounds.js';
import { packCompositions, type CandidateBatch, type Shard } from './protocol.js';

export interface BatchPlan {
  readonly options: EnumerationOptions;
  readonly shard: Shard | null;
  /** Only the first `limit` candidates (after sharding). */
  readonly limit: number | null;
  /** Candidates already stored (a resumed screen): skipped. */
  readonly skip: number;
  readonly batchSize: number;
}

function* shardOf(candidates: Iterable<EnumeratedCandidate>, shard: Shard | null, limit: number | null): Generator<EnumeratedCandidate> {
  let n = 0;
  for (const c of candidates) {
    if (limit !== null && n >= limit) return;
    if (!shard || c.seq % shard.count === shard.index) {
      n += 1;
      yield c;
    }
  }
}

export function* candidateBatches(table: ElementTable, plan: BatchPlan): Generator<CandidateBatch> {
  const source = shardOf(enumerateCandidates(table, plan.options), plan.shard, plan.limit);
  for (let skipped = 0; skipped < plan.skip; skipped += 1) if (source.next().done) return;
  let records: CandidateRecord[] = [];
  let compositions: Composition[] = [];
  const known = loadKnownMasks();
  for (const c of source) {
    records.push(candidateRecord(c, known ? known.maskOf(c.composition) : null));
    compositions.push(c.composition);
    if (records.length === plan.batchSize) {
      yield { records, compositions: packCompositions(compositions) };
      records = [];
      compositions = [];
    }
  }
  if (records.length) yield { records, compositions: packCompositions(compositions) };
}
