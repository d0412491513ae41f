/**
 * Forward pass of the EDM transformer (SEED_MODEL.md): input projection -> [CLS] + element tokens ->
 * encoder blocks (multi-head self-attention with padding mask, residual + LayerNorm, ReLU
 * feed-forward, residual + LayerNorm; no positional encoding, a composition is a set) -> combined
 * pooling ([CLS] | attention pooling with a learnable query per head | masked max | masked mean) ->
 * trunk (LayerNorm, dense, GELU, dropout) -> one head per task.
 *
 * Shapes: B compositions, R element rows, T = R + 1 tokens, d = dModel, H heads, k = d / H.
 * Dense layers run on folded [B*T, d] matrices (see ops.ts); no tensor above rank 4 is created,
 * because slicing and transposing rank-5 tensors is very slow on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config.js';
import { dropout, gelu, layerNorm, linear, linearFused, linearStock, maskBias } from './ops.js';
import type { Params } from './params.js';

export interface ForwardInput {
  /** [B, R, F] EDM rows. */
  readonly features: tf.Tensor3D;
  /** [B, R], 1 for element rows, 0 for padding. */
  readonly mask: tf.Tensor2D;
}

/** Inference input as distinct EDM rows and an index per (composition, row); see Featurizer.featurizeDistinctRows. */
export interface DistinctRowInput {
  /** [U, F] distinct EDM rows (row 0 is the zero padding row). */
  readonly distinct: tf.Tensor2D;
  /** [B * R] index into `distinct`, row-major. */
  readonly index: Int32Array;
  readonly mask: tf.Tensor2D;
}

export interface ForwardOptions {
  readonly training: boolean;
  /** Seed for this step's dropout masks (training only). */
  readonly dropoutSeed?: number;
  /** Also return attention weights. */
  readonly attention?: boolean;
  /** Also return the shared trunk's output (the representation every head reads). */
  readonly embedding?: boolean;
  /** Use tfjs's stock matMul gradient instead of ours (for the before/after benchmark). */
  readonly stockMatMul?: boolean;
}

export interface ForwardOutput {
  /** [B, nRegression] standardized regression predictions. */
  readonly regression: tf.Tensor2D | null;
  /** [B] logits of the classification target. */
  readonly logits: tf.Tensor1D | null;
  /** Per layer, [B, H, T, T] self-attention weights (token 0 is [CLS]). */
  readonly layerAttention?: tf.Tensor4D[];
  /** [B, R, H] attention-pooling weights over the element tokens. */
  readonly poolingAttention?: tf.Tensor3D;
  /** [B, trunk]: the shared trunk's output, when asked for. */
  readonly embedding?: tf.Tensor2D;
}

export function forward(params: Params, config: ModelConfig, input: ForwardInput | DistinctRowInput, options: ForwardOptions): ForwardOutput {
  const [B, R] = input.mask.shape;
  const T = R + 1;
  const d = config.dModel;
  const H = config.heads;
  const k = d / H;
  // inference multiplies, adds the bias and applies ReLU in one fused kernel (no gradient needed)
  const dense = options.stockMatMul ? linearStock : options.training ? linear : linearFused;
  let seed = options.dropoutSeed ?? 0;
  const drop = <X extends tf.Tensor>(x: X): X => (options.training ? dropout(x, config.dropout, (seed += 1)) : x);
  const p1 = (name: string): tf.Tensor1D => params.get<tf.Tensor1D>(name);
  const p2 = (name: string): tf.Tensor2D => params.get<tf.Tensor2D>(name);
  const layer = (prefix: string, x: tf.Tensor2D, activation?: 'relu'): tf.Tensor2D => {
    const y = dense(x, p2(`${prefix}.w`), p1(`${prefix}.b`), activation);
    return activation && dense !== linearFused ? tf.relu(y) : y;
  };
  const norm = <X extends tf.Tensor>(prefix: string, x: X): X => layerNorm(x, p1(`${prefix}.gamma`), p1(`${prefix}.beta`));

  // 1. input projection of each EDM row, and 2. the [CLS] token prepended (its mask is always 1);
  // with distinct rows, each is projected once and the [B*T, d] token matrix is gathered in JS
  let h: tf.Tensor2D;
  if ('distinct' in input) {
    h = gatherTokens(layer('input', input.distinct), params.get<tf.Tensor3D>('cls'), input.index, B, R);
  } else {
    const tokens = layer('input', tf.reshape(input.features, [B * R, input.features.shape[2]]));
    const cls = tf.add(tf.zeros([B, 1, d]), params.get<tf.Tensor3D>('cls')); // broadcast: cheaper than tile on wasm
    h = tf.reshape(tf.concat([cls, tf.reshape(tokens, [B, R, d])], 1), [B * T, d]) as tf.Tensor2D;
  }
  const tokenMask = tf.concat([tf.ones([B, 1]), input.mask], 1) as tf.Tensor2D;
  const keyBias = tf.reshape(maskBias(tokenMask), [B, 1, 1, T]);

  const layerAttention: tf.Tensor4D[] = [];
  const splitHeads = (x: tf.Tensor2D): tf.Tensor3D =>
    tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, k]), [0, 2, 1, 3]), [B * H, T, k]);

  for (let l = 0; l < config.layers; l += 1) {
    // separate q, k, v products: splitting one fused [B*T, 3d] product costs more than it saves on wasm
    const q = layer(`layer${l}.attn.q`, h);
    const kk = layer(`layer${l}.attn.k`, h);
    const v = layer(`layer${l}.attn.v`, h);
    const scores = tf.mul(tf.matMul(splitHeads(q), tf.transpose(splitHeads(kk), [0, 2, 1])), 1 / Math.sqrt(k));
    const weights = tf.softmax(tf.add(tf.reshape(scores, [B, H, T, T]), keyBias)) as tf.Tensor4D;
    if (options.attention) layerAttention.push(weights);
    const context = tf.matMul(tf.reshape(weights, [B * H, T, T]), splitHeads(v));
    const merged = tf.reshape(tf.transpose(tf.reshape(context, [B, H, T, k]), [0, 2, 1, 3]), [B * T, d]) as tf.Tensor2D;
    const attended = layer(`layer${l}.attn.out`, merged);
    h = norm(`layer${l}.norm1`, tf.add(h, drop(attended)));
    const ff = layer(`layer${l}.ff2`, layer(`layer${l}.ff1`, h, 'relu'));
    h = norm(`layer${l}.norm2`, tf.add(h, drop(ff)));
  }

  // 3. combined pooling
  const h3 = tf.reshape(h, [B, T, d]);
  const clsOut = tf.reshape(tf.slice(h3, [0, 0, 0], [B, 1, d]), [B, d]);
  const elements = tf.slice(h3, [0, 1, 0], [B, R, d]); // [B, R, d]
  const elementMask = tf.reshape(input.mask, [B, R, 1]);
  // attention pooling: one learnable query per head scores each element's key
  const keys = tf.reshape(layer('pool.key', tf.reshape(elements, [B * R, d])), [B, R, H, k]);
  const poolScores = tf.mul(tf.sum(tf.mul(keys, p2('pool.query')), 3), 1 / Math.sqrt(k)); // [B, R, H]
  const poolWeights = tf.softmax(tf.transpose(tf.add(poolScores, maskBias(elementMask)), [0, 2, 1])) as tf.Tensor3D; // [B, H, R]
  const poolingAttention = tf.transpose(poolWeights, [0, 2, 1]) as tf.Tensor3D; // [B, R, H]
  const pooled = tf.reshape(
    tf.sum(tf.mul(tf.reshape(poolingAttention, [B, R, H, 1]), tf.reshape(elements, [B, R, H, k])), 1),
    [B, d],
  );
  const maxPooled = tf.max(tf.add(elements, maskBias(elementMask)), 1);
  const meanPooled = tf.div(tf.sum(tf.mul(elements, elementMask), 1), tf.sum(elementMask, 1));
  const combined = tf.concat([clsOut, pooled, maxPooled, meanPooled], 1) as tf.Tensor2D; // [B, 4d]

  // 4. shared trunk and heads
  const trunk = drop(gelu(layer('trunk.dense', norm('trunk.norm', combined))));
  const { regression, logits } = readHeads(params, config, trunk, dense);
  return { regression, logits, ...(options.attention ? { layerAttention, poolingAttention } : {}), ...(options.embedding ? { embedding: trunk as tf.Tensor2D } : {}) };
}

/**
 * The task heads on a trunk output ([B, trunk]): one dense layer per target. A distilled model's
 * members share everything up to the trunk and differ only here (see EnsemblePredictor).
 */
export function readHeads(params: Params, config: ModelConfig, trunk: tf.Tensor2D, dense = linearFused): Pick<ForwardOutput, 'regression' | 'logits'> {
  const head = (target: string): tf.Tensor2D => dense(trunk, params.get<tf.Tensor2D>(`head.${target}.w`), params.get<tf.Tensor1D>(`head.${target}.b`));
  const regression = config.regressionTargets.length ? (tf.concat(config.regressionTargets.map(head), 1) as tf.Tensor2D) : null;
  const target = config.classificationTarget;
  const logits = target === null ? null : (tf.reshape(head(target), [trunk.shape[0]]) as tf.Tensor1D);
  return { regression, logits };
}

/**
 * [B*T, d] tokens: per composition the [CLS] row, then its element rows picked from the projected
 * distinct rows by `index`. A JS copy: tf.gather, and the one-hot product used before, cost several
 * times more on wasm for this shape.
 */
function gatherTokens(projected: tf.Tensor2D, cls: tf.Tensor3D, index: Int32Array, B: number, R: number): tf.Tensor2D {
  const d = projected.shape[1];
  const rows = projected.dataSync();
  const clsRow = cls.dataSync();
  const T = R + 1;
  const out = new Float32Array(B * T * d);
  for (let b = 0; b < B; b += 1) {
    out.set(clsRow, b * T * d);
    for (let r = 0; r < R; r += 1) {
      const u = index[b * R + r]!;
      out.set(rows.subarray(u * d, (u + 1) * d), (b * T + r + 1) * d);
    }
  }
  return tf.tensor2d(out, [B * T, d]);
}
