/** Messages between the screening loop and its worker threads (enumeration and prediction). */
import type { BackendName } from '../../shared/api/runtime.js';
import type { EnumerationCounts, EnumerationOptions } from '../enumerate/types.js';
import type { Prediction } from '../engine/model/predictor.js';
import type { CandidateRecord } from '../library/index.js';

export interface PredictWorkerInit {
  readonly modelDir: string;
  readonly backend: BackendName;
}

/** Compositions as parallel arrays: per candidate, its elements and amounts (cheap to post). */
export interface CompositionBatch {
  readonly elements: string[][];
  readonly amounts: number[][];
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
