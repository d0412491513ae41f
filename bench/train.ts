/**
 * `npm run bench:train`: training samples/s and inference compositions/s (batch 1, 256, 4096) for the
 * default config and for CrabNet's size, on the backend in use, plus the backend's raw matMul
 * GFLOP/s; and the before/after of the transpose-free gradients (stock tfjs matMul gradient vs ours).
 */
import * as tf from '@tensorflow/tfjs';
import { loadElementTable } from '../src-main/data/elements/load.js';
import { describeBackend, initBackend } from '../src-main/engine/backend.js';
import { defaultFeaturizerSettings, Featurizer } from '../src-main/engine/featurize/index.js';
import { CRABNET_SIZE, DEFAULT_MODEL_CONFIG, type ModelConfig } from '../src-main/engine/model/config.js';
import { Params, paramSpecs } from '../src-main/engine/model/params.js';
import { forward } from '../src-main/engine/model/transformer.js';
import { loadNamedDataset } from '../src-main/data/datasets/index.js';
import { join } from 'node:path';
import { resourcesDir } from '../src-main/data/paths.js';
import { readModelCard } from '../src-main/engine/model/bundle.js';

const backend = await initBackend(process.argv[2]);
console.log(`backend: ${describeBackend(backend)}`);

function time(fn: () => void, minSeconds = 1.5, minReps = 3): number {
  fn(); // warm-up
  let reps = 0;
  const t0 = performance.now();
  while (reps < minReps || performance.now() - t0 < minSeconds * 1000) {
    fn();
    reps += 1;
  }
  return (performance.now() - t0) / 1000 / reps;
}

// raw matMul throughput (rank 2, no transpose), and the transposed case the stock gradient hits
for (const n of [256, 1024]) {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const plain = time(() => tf.matMul(a, b).dataSync());
  const transposed = time(() => tf.matMul(a, b, false, true).dataSync(), 1, 2);
  console.log(`matMul ${n}x${n}x${n}: ${((2 * n ** 3) / plain / 1e9).toFixed(2)} GFLOP/s plain, ${((2 * n ** 3) / transposed / 1e9).toFixed(2)} GFLOP/s with transposeB`);
  tf.dispose([a, b]);
}

const table = loadElementTable();
const featurizer = new Featurizer(table, defaultFeaturizerSettings(table));
const compositions = loadNamedDataset('mp_abx3').rows.slice(0, 4096).map((r) => r.composition);
const batch4096 = featurizer.featurizeBatch(compositions);
const width = featurizer.width;
const rows = featurizer.settings.maxElements;

function slice(n: number): { features: tf.Tensor3D; mask: tf.Tensor2D } {
  return {
    features: tf.tensor3d(batch4096.features.subarray(0, n * rows * width), [n, rows, width]),
    mask: tf.tensor2d(batch4096.mask.subarray(0, n * rows), [n, rows]),
  };
}

const configs: [string, ModelConfig][] = [
  ['default', DEFAULT_MODEL_CONFIG],
  ['crabnet-size', { ...DEFAULT_MODEL_CONFIG, ...CRABNET_SIZE }],
];
// the shipped screening model may use a smaller encoder than the default config
const shipped = readModelCard(join(resourcesDir(), 'models', 'default')).config;
if (shipped.dModel !== DEFAULT_MODEL_CONFIG.dModel || shipped.layers !== DEFAULT_MODEL_CONFIG.layers || shipped.feedForward !== DEFAULT_MODEL_CONFIG.feedForward) {
  configs.splice(1, 0, ['default model (resources/models/default)', shipped]);
}
for (const [name, config] of configs) {
  const params = Params.initialize(paramSpecs(config, width), 1);
  console.log(`\n${name}: d_model ${config.dModel}, ${config.layers} layers, ${config.heads} heads, feed-forward ${config.feedForward}; ${params.count.toLocaleString()} parameters`);
  const trainBatch = 64;
  const input = slice(trainBatch);
  const regression = tf.zeros([trainBatch, 1]);
  for (const stockMatMul of [true, false]) {
    const step = (): void => {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const out = forward(params, config, input, { training: true, dropoutSeed: 1, stockMatMul });
          return tf.add(tf.mean(tf.square(tf.sub(out.regression!, regression))), tf.mean(out.logits!)) as tf.Scalar;
        }, params.variables());
        value.dataSync();
        return Object.values(grads);
      });
    };
    const seconds = time(step, name === 'crabnet-size' ? 3 : 2, 2);
    console.log(`  training (forward + backward, batch ${trainBatch}, ${stockMatMul ? 'stock matMul gradient' : 'transpose-free gradient'}): ${(trainBatch / seconds).toFixed(0)} samples/s`);
  }
  tf.dispose([input.features, input.mask, regression]);
  for (const n of [1, 256, 4096]) {
    // a 4096 batch of the CrabNet-size model needs more than the wasm heap's 4 GiB: run it as 4 x 1024
    const chunk = config.dModel > 256 && n > 1024 ? 1024 : n;
    const x = slice(chunk);
    const seconds = time(() => {
      for (let done = 0; done < n; done += chunk) tf.tidy(() => forward(params, config, x, { training: false }).regression!.dataSync());
    }, 1.5, 2);
    const how = chunk === n ? '' : ` (as ${n / chunk} x ${chunk}: one batch of ${n} exceeds the wasm heap)`;
    console.log(`  inference, batch ${n}: ${(n / seconds).toFixed(0)} compositions/s${how} (one model; an ensemble of K costs K times this)`);
    tf.dispose([x.features, x.mask]);
  }
  params.dispose();
}
