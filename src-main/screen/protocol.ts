/** Messages between the screening loop and its prediction workers. */
import type { Prediction } from '../engine/model/predictor.js';

export interface PredictWorkerInit {
  readonly modelDir: string;
  readonly backend: string;
}

/** A batch of compositions as parallel arrays: per candidate, its elements and amounts. */
export interface PredictRequest {
  readonly id: number;
  readonly elements: string[][];
  readonly amounts: number[][];
}

export type PredictReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly predictions: Prediction[] }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
