/**
 * Building blocks written around the wasm backend's performance cliffs. Its matMul is fast (XNNPACK,
 * about 30 GFLOP/s here) only for rank-2 operands without transpose flags; with transposeA/B it falls
 * back to a naive loop (about 2 GFLOP/s). tfjs's own matMul gradient uses exactly those flags, so
 * `linear` has a custom gradient that transposes explicitly (cheap) and multiplies plainly.
 * Callers fold batch dimensions into rows ([B, T, d] -> [B*T, d]) before calling `linear`.
 */
import * as tf from '@tensorflow/tfjs';

const linearNoBias = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(sw)), tf.matMul(tf.transpose(sx), g)];
    },
  };
}) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** y = x W (+ b) for x [N, in], W [in, out], b [out], with a transpose-free gradient. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = linearNoBias(x, w);
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** y = act(x W + b) in one fused kernel, for inference (no custom gradient). */
export function linearFused(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D, activation?: 'relu'): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w, ...(b ? { bias: b } : {}), ...(activation ? { activation } : {}) }) as tf.Tensor2D;
}

/** The same product through tfjs's stock matMul (transpose flags in its gradient), for comparison. */
export function linearStock(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = tf.matMul(x, w) as tf.Tensor2D;
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** Layer normalization over the last axis. */
export function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): T {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), axis, true);
  return tf.add(tf.mul(tf.div(centered, tf.sqrt(tf.add(variance, eps))), gamma), beta) as T;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (tfjs has no gelu op). */
export function gelu<T extends tf.Tensor>(x: T): T {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), GELU_C);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1)) as T;
}

/** Inverted dropout with an explicit seed (reproducible); identity when rate is 0. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  if (rate <= 0) return x;
  const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate), 'float32');
  return tf.mul(x, tf.mul(keep, 1 / (1 - rate))) as T;
}

/** Additive bias that removes masked positions from a softmax: 0 where mask is 1, -1e9 where 0. */
export function maskBias(mask: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sub(1, mask), -1e9);
}
