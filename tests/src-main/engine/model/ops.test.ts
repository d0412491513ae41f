import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src-main/engine/backend.js';
import { DEFAULT_MODEL_CONFIG, validateModelConfig, type ModelConfig } from '../../../../src-main/engine/model/config.js';
import { linear, linearStock } from '../../../../src-main/engine/model/ops.js';
import { Params, paramSpecs } from '../../../../src-main/engine/model/params.js';
import { forward } from '../../../../src-main/engine/model/transformer.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const tiny: ModelConfig = { ...DEFAULT_MODEL_CONFIG, dModel: 16, layers: 2, heads: 2, feedForward: 32, trunk: 16 };

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('linear: transpose-free custom gradient', () => {
  it('matches the framework gradient of matMul within tolerance', () => {
    const x = tf.randomNormal([37, 23], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.randomNormal([23, 11], 0, 1, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomNormal([11], 0, 1, 'float32', 3) as tf.Tensor1D;
    const target = tf.randomNormal([37, 11], 0, 1, 'float32', 4);
    const loss = (f: typeof linear) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.square(tf.sub(f(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), target)));
    const ours = tf.grads(loss(linear))([x, w, b]);
    const stock = tf.grads(loss(linearStock))([x, w, b]);
    ours.forEach((g, i) => expect(maxAbsDiff(g, stock[i]!)).toBeLessThan(1e-3));
    expect(maxAbsDiff(linear(x, w, b), linearStock(x, w, b))).toBeLessThan(1e-5);
    tf.dispose([x, w, b, target, ...ours, ...stock]);
  });

  it('whole-model gradients equal the stock path', () => {
    const params = Params.initialize(paramSpecs(tiny, 40), 3);
    const features = tf.randomNormal([5, 4, 40], 0, 1, 'float32', 5) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 0, 0], [1, 1, 1, 1], [1, 1, 0, 0]]);
    const noDropout = { ...tiny, dropout: 0 };
    const grad = (stockMatMul: boolean): tf.NamedTensorMap =>
      tf.variableGrads(() => {
        const out = forward(params, noDropout, { features, mask }, { training: true, stockMatMul });
        return tf.add(tf.sum(tf.square(out.regression!)), tf.sum(out.logits!)) as tf.Scalar;
      }, params.variables()).grads;
    const ours = grad(false);
    const stock = grad(true);
    const names = Object.keys(ours);
    expect(names.length).toBe(params.variables().length - 2); // task log-variances are not used by forward
    for (const n of names) expect(maxAbsDiff(ours[n]!, stock[n]!)).toBeLessThan(1e-3);
    tf.dispose([features, mask, ...Object.values(ours), ...Object.values(stock)]);
    params.dispose();
  });
});

describe('forward', () => {
  it('gives named outputs; attention rows sum to 1 and padding gets none', () => {
    const params = Params.initialize(paramSpecs(tiny, 40), 1);
    const features = tf.randomNormal([2, 4, 40], 0, 1, 'float32', 9) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 0, 0], [1, 1, 1, 0]]);
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const o = forward(params, tiny, { features, mask }, { training: false, attention: true });
      return { regression: o.regression!, logits: o.logits!, a0: o.layerAttention![0]!, pool: o.poolingAttention! };
    });
    expect(out.regression.shape).toEqual([2, 1]);
    expect(out.logits.shape).toEqual([2]);
    expect(out.a0.shape).toEqual([2, 2, 5, 5]);
    const a = out.a0.arraySync();
    for (const head of a[0]!) {
      for (const row of head) {
        expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
        expect(row[3]).toBeLessThan(1e-6); // padding tokens (rows 2 and 3 of sample 0 = tokens 3 and 4)
        expect(row[4]).toBeLessThan(1e-6);
      }
    }
    const pool = out.pool.arraySync();
    expect(pool[1]![3]![0]).toBeLessThan(1e-6);
    expect(pool[1]!.slice(0, 3).reduce((s, r) => s + r[1]!, 0)).toBeCloseTo(1, 5);
    tf.dispose([out.regression, out.logits, out.a0, out.pool]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([features, mask]);
    params.dispose();
  });

  it('padding rows do not change the prediction', () => {
    const params = Params.initialize(paramSpecs(tiny, 40), 1);
    const base = tf.randomNormal([1, 4, 40], 0, 1, 'float32', 11) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 0, 0]]);
    const noisyPadding = tf.concat([tf.slice(base, [0, 0, 0], [1, 2, 40]), tf.randomNormal([1, 2, 40], 0, 5, 'float32', 12)], 1) as tf.Tensor3D;
    const p1 = tf.tidy(() => forward(params, tiny, { features: base, mask }, { training: false }).regression!.dataSync()[0]!);
    const p2 = tf.tidy(() => forward(params, tiny, { features: noisyPadding, mask }, { training: false }).regression!.dataSync()[0]!);
    expect(p2).toBeCloseTo(p1, 4);
    tf.dispose([base, mask, noisyPadding]);
    params.dispose();
  });

  it('rejects inconsistent configs', () => {
    expect(() => validateModelConfig({ ...tiny, dModel: 18, heads: 4 })).toThrow(/not divisible/);
    expect(() => validateModelConfig({ ...tiny, dropout: 1 })).toThrow(/dropout/);
  });
});

describe('distinct-row input (screening path)', () => {
  it('gives the same outputs as full EDM features', async () => {
    const { loadElementTable } = await import('../../../../src-main/data/elements/load.js');
    const { Featurizer, defaultFeaturizerSettings } = await import('../../../../src-main/engine/featurize/index.js');
    const { parseFormulaOrThrow } = await import('../../../../shared/index.js');
    const table = loadElementTable();
    const featurizer = new Featurizer(table, defaultFeaturizerSettings(table));
    const comps = ['BaTiO3', 'SrTiO3', 'CsPb(I0.5Br0.5)3', 'BaZrO3', 'Cs2AgBiBr6'].map((f) => parseFormulaOrThrow(f));
    const params = Params.initialize(paramSpecs(tiny, featurizer.width), 4);
    const full = featurizer.featurizeBatch(comps);
    const rows = featurizer.featurizeDistinctRows(comps);
    expect(rows.distinctRows).toBeLessThan(comps.length * 6); // O 0.6 and Ti 0.2 etc. repeat
    const a = tf.tidy(() => forward(params, tiny, { features: tf.tensor3d(full.features, [5, 6, featurizer.width]), mask: tf.tensor2d(full.mask, [5, 6]) }, { training: false }).regression!.dataSync());
    const b = tf.tidy(() => forward(params, tiny, { distinct: tf.tensor2d(rows.features, [rows.distinctRows, featurizer.width]), index: rows.index, mask: tf.tensor2d(rows.mask, [5, 6]) }, { training: false }).regression!.dataSync());
    Array.from(a).forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
    params.dispose();
  });

  it('inference (fused bias and ReLU kernels) equals the training graph without dropout', () => {
    const params = Params.initialize(paramSpecs(tiny, 40), 6);
    const features = tf.randomNormal([5, 4, 40], 0, 1, 'float32', 7) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 0, 0], [1, 1, 1, 1], [1, 1, 0, 0]]);
    const noDropout = { ...tiny, dropout: 0 };
    const run = (training: boolean): Float32Array => tf.tidy(() => forward(params, noDropout, { features, mask }, { training }).regression!.dataSync() as Float32Array);
    const inference = run(false);
    const trainingGraph = run(true);
    Array.from(trainingGraph).forEach((v, i) => expect(inference[i]).toBeCloseTo(v, 5));
    tf.dispose([features, mask]);
    params.dispose();
  });
});
