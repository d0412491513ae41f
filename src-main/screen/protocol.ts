/** Messages between the screening loop and its worker threads (enumeration and prediction). */
import type { BackendName } from '../../shared/api/runtime.js';
import { compositionFromAmounts, type Composition, type ElementSymbol } from '../../shared/index.js';
import type { EnumerationCounts, EnumerationOptions } from '../enumerate/types.js';
import type { Prediction } from '../engine/model/predictor.js';
import type { CandidateRecord } from '../library/index.js';

export interface PredictWorkerInit {
  readonly modelDir: string;
  readonly backend: BackendName;
}

/**
 * Compositions packed for posting between threads: per candidate its element count, the symbols joined
 * (',' between elements), and the amounts in one Float64Array. A copy of three flat values is far
 * cheaper than cloning nested arrays, and the screening loop passes the batch on without unpacking it.
 */
export interface CompositionBatch {
  readonly counts: Uint8Array;
  readonly symbols: string;
  readonly amounts: Float64Array;
}

/** Packs compositions (elements and amounts per candidate) for posting. */
export function packCompositions(items: readonly { readonly elements: readonly { readonly element: string; readonly amount: number }[] }[]): CompositionBatch {
  const counts = new Uint8Array(items.length);
  const total = items.reduce((n, c) => n + c.elements.length, 0);
  const amounts = new Float64Array(total);
  const symbols: string[] = [];
  let k = 0;
  items.forEach((c, i) => {
    counts[i] = c.elements.length;
    for (const e of c.elements) {
      symbols.push(e.element);
      amounts[k++] = e.amount;
    }
  });
  return { counts, symbols: symbols.join(','), amounts };
}

/** Unpacks a batch into its compositions, in order (the prediction workers' input). */
export function unpackCompositions(batch: CompositionBatch): Composition[] {
  const symbols = batch.symbols === '' ? [] : batch.symbols.split(',');
  const out: Composition[] = [];
  let k = 0;
  for (const n of batch.counts) {
    const pairs: (readonly [ElementSymbol, number])[] = [];
    for (let j = 0; j < n; j += 1, k += 1) pairs.push([symbols[k]! as ElementSymbol, batch.amounts[k]!]);
    out.push(compositionFromAmounts(pairs));
  }
  return out;
}

export interface PredictRequest extends CompositionBatch {
  readonly id: number;
}

export type PredictReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly predictions: Prediction[] }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** A batch of enumerated candidates: the library's records and the model's input, in the same order. */
export interface CandidateBatch {
  readonly records: CandidateRecord[];
  readonly compositions: CompositionBatch;
}

export type EnumerateWorkerInit =
  | { readonly mode: 'count'; readonly options: EnumerationOptions; readonly stopAt: number; readonly budgetMs: number }
  | { readonly mode: 'enumerate'; readonly options: EnumerationOptions; readonly shard: Shard | null; readonly limit: number | null; readonly skip: number; readonly batchSize: number };

export type EnumerateReply =
  | { readonly type: 'counts'; readonly counts: EnumerationCounts & { readonly exact: boolean } }
  | { readonly type: 'batch'; readonly batch: CandidateBatch }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly message: string; readonly enumeration: boolean };
