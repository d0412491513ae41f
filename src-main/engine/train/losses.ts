/**
 * Training losses (SEED_MODEL.md): Smooth L1 (Huber) on standardized regression targets, focal loss
 * for the binary target, summed over tasks with learnable weights. Missing targets carry mask 0 and
 * a placeholder value of 0, so they add nothing to a loss or its gradient.
 */
import * as tf from '@tensorflow/tfjs';

export interface LossSettings {
  readonly huberBeta: number;
  readonly focalAlpha: number;
  readonly focalGamma: number;
  /** Optional per-class weights [negative, positive] multiplying the focal loss. */
  readonly classWeights: readonly [number, number] | null;
}

export const DEFAULT_LOSS: LossSettings = { huberBeta: 0.5, focalAlpha: 0.25, focalGamma: 2, classWeights: null };

/** Mean Smooth L1 over present entries: 0.5 d^2 / beta where |d| < beta, else |d| - beta / 2. */
export function smoothL1(pred: tf.Tensor, target: tf.Tensor, mask: tf.Tensor, beta: number): tf.Scalar {
  const d = tf.abs(tf.sub(pred, target));
  // written with min, not where: 0.5 q^2 / beta + (d - q) with q = min(d, beta) is the same function
  const q = tf.minimum(d, beta);
  const loss = tf.add(tf.div(tf.mul(tf.square(q), 0.5), beta), tf.sub(d, q));
  return tf.div(tf.sum(tf.mul(loss, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/**
 * Mean focal loss over present entries, from logits: -alpha_t (1 - p_t)^gamma log p_t, with
 * alpha_t = alpha for the positive class and 1 - alpha for the negative one.
 */
export function focalLoss(logits: tf.Tensor1D, labels: tf.Tensor1D, mask: tf.Tensor1D, s: LossSettings): tf.Scalar {
  const logP = tf.neg(tf.softplus(tf.neg(logits)));
  const log1mP = tf.neg(tf.softplus(logits));
  const notY = tf.sub(1, labels);
  const logPt = tf.add(tf.mul(labels, logP), tf.mul(notY, log1mP));
  const pt = tf.exp(logPt);
  const alphaT = tf.add(tf.mul(labels, s.focalAlpha), tf.mul(notY, 1 - s.focalAlpha));
  let loss = tf.mul(tf.neg(alphaT), tf.mul(tf.pow(tf.sub(1, pt), s.focalGamma), logPt));
  if (s.classWeights) loss = tf.mul(loss, tf.add(tf.mul(labels, s.classWeights[1]), tf.mul(notY, s.classWeights[0])));
  return tf.div(tf.sum(tf.mul(loss, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/** Learnable task weighting: sum_t exp(-s_t) L_t + s_t (Kendall et al. 2018), s_t a log variance. */
export function weightedTaskLoss(losses: readonly tf.Scalar[], logVars: readonly tf.Tensor[]): tf.Scalar {
  const terms = losses.map((l, i) => tf.add(tf.mul(tf.exp(tf.neg(logVars[i]!)), l), logVars[i]!));
  return tf.sum(tf.concat(terms.map((t) => tf.reshape(t, [1])))) as tf.Scalar;
}
