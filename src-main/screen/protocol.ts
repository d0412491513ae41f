/** Messages between the screening loop and its worker threads (enumeration and prediction). */
import type { BackendName } from '../../shared/api/runtime.js';
import type { Composition, ElementAmount, ElementSymbol } from '../../shared/index.js';
import type { EnumerationCounts, EnumerationOptions } from '../enumerate/types.js';
import type { Prediction } from '../engine/model/predictor.js';
import type { CandidateRecord } from '../library/index.js';

export interface PredictWorkerInit {
  readonly modelDir: string;
  readonly backend: BackendName;
}

/**
 * Compositions packed for posting between threads: per candidate its element count and total amount,
 * the symbols joined (',' between elements), and the amounts and atomic fractions in Float64Arrays. A
 * copy of flat values is far cheaper than cloning nested arrays, and the screening loop passes the
 * batch on without unpacking it. The fractions travel as the enumerator computed them, so the
 * prediction workers need not compute (and round) them again: 4% of a worker's busy time in a profile
 * of a 200k screen.
 */
export interface CompositionBatch {
  readonly counts: Uint8Array;
  readonly totals: Float64Array;
  readonly symbols: string;
  readonly amounts: Float64Array;
  readonly fractions: Float64Array;
}

/** Packs compositions (elements with amounts and fractions, and the total amount, per candidate) for posting. */
export function packCompositions(items: readonly Composition[]): CompositionBatch {
  const counts = new Uint8Array(items.length);
  const totals = new Float64Array(items.length);
  const size = items.reduce((n, c) => n + c.elements.length, 0);
  const amounts = new Float64Array(size);
  const fractions = new Float64Array(size);
  const symbols: string[] = [];
  let k = 0;
  items.forEach((c, i) => {
    counts[i] = c.elements.length;
    totals[i] = c.totalAmount;
    for (const e of c.elements) {
      symbols.push(e.element);
      amounts[k] = e.amount;
      fractions[k] = e.fraction;
      k += 1;
    }
  });
  return { counts, totals, symbols: symbols.join(','), amounts, fractions };
}

/** Unpacks a batch into its compositions, in order (the prediction workers' input). */
export function unpackCompositions(batch: CompositionBatch): Composition[] {
  const symbols = batch.symbols === '' ? [] : batch.symbols.split(',');
  const out: Composition[] = [];
  let k = 0;
  batch.counts.forEach((n, i) => {
    const elements: ElementAmount[] = [];
    for (let j = 0; j < n; j += 1, k += 1) elements.push({ element: symbols[k]! as ElementSymbol, amount: batch.amounts[k]!, fraction: batch.fractions[k]! });
    out.push({ elements, totalAmount: batch.totals[i]! });
  });
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
