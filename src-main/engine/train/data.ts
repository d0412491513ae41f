/** Examples -> standardized, masked typed arrays for training, and batches of tensors from them. */
import * as tf from '@tensorflow/tfjs';
import type { Composition } from '../../../shared/index.js';
import type { Featurizer } from '../featurize/index.js';
import type { ModelConfig } from '../model/config.js';
import { columnStats, type ColumnStats } from '../stats.js';

/** One composition with its known targets (null where unknown). */
export interface Example {
  readonly formula: string;
  readonly composition: Composition;
  readonly targets: Readonly<Record<string, number | null>>;
}

/** Mean and std of each regression target on the training rows; predictions are de-standardized with it. */
export type TargetScaling = ColumnStats;

export interface EncodedSet {
  readonly count: number;
  readonly rows: number;
  readonly width: number;
  readonly features: Float32Array;
  readonly mask: Float32Array;
  /** [count, nRegression] standardized targets, 0 where missing. */
  readonly regression: Float32Array;
  readonly regressionMask: Float32Array;
  /** [count] 0/1 labels of the classification target, 0 where missing. */
  readonly labels: Float32Array;
  readonly labelMask: Float32Array;
}

export interface Batch {
  readonly features: tf.Tensor3D;
  readonly mask: tf.Tensor2D;
  readonly regression: tf.Tensor2D;
  readonly regressionMask: tf.Tensor2D;
  readonly labels: tf.Tensor1D;
  readonly labelMask: tf.Tensor1D;
}

export function fitTargetScaling(examples: readonly Example[], names: readonly string[]): TargetScaling {
  const columns = names.map((name) => {
    const values = examples.map((e) => e.targets[name]).filter((v): v is number => v !== null && v !== undefined);
    if (values.length === 0) throw new Error(`no training rows have a value for target '${name}'`);
    return values;
  });
  return columnStats(names, columns);
}

export function encodeExamples(examples: readonly Example[], featurizer: Featurizer, config: ModelConfig, scaling: TargetScaling): EncodedSet {
  const batch = featurizer.featurizeBatch(examples.map((e) => e.composition));
  const nReg = config.regressionTargets.length;
  const regression = new Float32Array(examples.length * nReg);
  const regressionMask = new Float32Array(examples.length * nReg);
  const labels = new Float32Array(examples.length);
  const labelMask = new Float32Array(examples.length);
  examples.forEach((e, i) => {
    config.regressionTargets.forEach((name, j) => {
      const v = e.targets[name];
      if (v !== null && v !== undefined) {
        regression[i * nReg + j] = (v - scaling.mean[j]!) / scaling.std[j]!;
        regressionMask[i * nReg + j] = 1;
      }
    });
    const target = config.classificationTarget;
    const y = target === null ? null : e.targets[target];
    if (y !== null && y !== undefined) {
      labels[i] = y > 0.5 ? 1 : 0;
      labelMask[i] = 1;
    }
  });
  return { count: examples.length, rows: batch.rows, width: batch.width, features: batch.features, mask: batch.mask, regression, regressionMask, labels, labelMask };
}

function gather(source: Float32Array, indices: readonly number[], stride: number): Float32Array {
  const out = new Float32Array(indices.length * stride);
  indices.forEach((idx, i) => out.set(source.subarray(idx * stride, (idx + 1) * stride), i * stride));
  return out;
}

/** Tensors for the rows `indices` of `set` (the caller disposes them). */
export function makeBatch(set: EncodedSet, indices: readonly number[], nRegression: number): Batch {
  const n = indices.length;
  return {
    features: tf.tensor3d(gather(set.features, indices, set.rows * set.width), [n, set.rows, set.width]),
    mask: tf.tensor2d(gather(set.mask, indices, set.rows), [n, set.rows]),
    regression: tf.tensor2d(gather(set.regression, indices, nRegression), [n, nRegression]),
    regressionMask: tf.tensor2d(gather(set.regressionMask, indices, nRegression), [n, nRegression]),
    labels: tf.tensor1d(gather(set.labels, indices, 1)),
    labelMask: tf.tensor1d(gather(set.labelMask, indices, 1)),
  };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.features, b.mask, b.regression, b.regressionMask, b.labels, b.labelMask]);
}
