import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src-main/engine/backend.js';
import { regressionMetrics } from '../../../../src-main/engine/evaluate/metrics.js';
import { encodeExamples, fitTargetScaling } from '../../../../src-main/engine/train/data.js';
import { predictSet, TrainingCancelled, trainMember } from '../../../../src-main/engine/train/trainer.js';
import { featurizer, TINY, TINY_TRAINING, tinySplit } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pdw-train-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const split = tinySplit(400);
const scaling = fitTargetScaling(split.train, TINY.regressionTargets);
const train = encodeExamples(split.train, featurizer, TINY, scaling);
const val = encodeExamples(split.val, featurizer, TINY, scaling);
const test = encodeExamples(split.test, featurizer, TINY, scaling);

describe('trainMember', () => {
  it('a tiny seeded model beats the mean baseline on held-out formulas', async () => {
    const result = await trainMember({ config: TINY, settings: { ...TINY_TRAINING, epochs: 30 }, train, val, targetStd: scaling.std });
    const { regression } = predictSet(result.params, TINY, test);
    const truth = split.test.map((e) => e.targets['band_gap']!);
    const pred = Array.from(regression, (v) => Math.max(0, v * scaling.std[0]! + scaling.mean[0]!));
    const model = regressionMetrics(truth, pred);
    const baseline = regressionMetrics(truth, truth.map(() => scaling.mean[0]!));
    expect(model.mae).toBeLessThan(0.9 * baseline.mae);
    expect(result.history.length).toBeGreaterThan(0);
    expect(result.history.at(-1)!.samplesPerSecond).toBeGreaterThan(0);
    result.params.dispose();
  });

  it('an interrupted run resumes from its checkpoint and ends where an uninterrupted one does', async () => {
    const settings = { ...TINY_TRAINING, epochs: 4 };
    const whole = await trainMember({ config: TINY, settings, train, val, targetStd: scaling.std });
    const wholeWeights = await whole.params.snapshot();
    whole.params.dispose();

    const dir = tempDir();
    const controller = new AbortController();
    await expect(
      trainMember({ config: TINY, settings, train, val, targetStd: scaling.std, checkpointDir: dir, signal: controller.signal, onEpoch: (p) => p.epoch === 1 && controller.abort() }),
    ).rejects.toBeInstanceOf(TrainingCancelled);
    const resumed = await trainMember({ config: TINY, settings, train, val, targetStd: scaling.std, checkpointDir: dir });
    expect(resumed.resumedFrom).toBe(1);
    expect(resumed.history.map((h) => h.epoch)).toEqual(whole.history.map((h) => h.epoch));
    expect(resumed.bestEpoch).toBe(whole.bestEpoch);
    const resumedWeights = await resumed.params.snapshot();
    for (const [name, values] of wholeWeights) {
      const other = resumedWeights.get(name)!;
      let diff = 0;
      values.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - other[i]!))));
      expect(diff, name).toBeLessThan(1e-5);
    }
    resumed.params.dispose();
  });

  it('is reproducible with a seed and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const a = await trainMember({ config: TINY, settings: { ...TINY_TRAINING, epochs: 2 }, train, val, targetStd: scaling.std });
    const b = await trainMember({ config: TINY, settings: { ...TINY_TRAINING, epochs: 2 }, train, val, targetStd: scaling.std });
    expect(a.history.map((h) => h.trainLoss)).toEqual(b.history.map((h) => h.trainLoss));
    a.params.dispose();
    b.params.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fine-tuning starts from the given weights (at a vanishing learning rate it validates exactly as they do)', async () => {
    const pretrained = await trainMember({ config: TINY, settings: { ...TINY_TRAINING, epochs: 3 }, train, val, targetStd: scaling.std });
    const weights = await pretrained.params.snapshot();
    const pretrainedMae = pretrained.history[pretrained.bestEpoch]!.valMae['band_gap']!;
    pretrained.params.dispose();
    const settings = { ...TINY_TRAINING, epochs: 1, seed: 9, learningRate: 1e-12 };
    const fresh = await trainMember({ config: TINY, settings, train, val, targetStd: scaling.std });
    const tuned = await trainMember({ config: TINY, settings, train, val, targetStd: scaling.std, initial: { source: 'test#0', weights } });
    const mae = (r: typeof fresh): number => r.history[0]!.valMae['band_gap']!;
    expect(mae(tuned)).toBeCloseTo(pretrainedMae, 5);
    expect(Math.abs(mae(fresh) - pretrainedMae)).toBeGreaterThan(1e-3);
    fresh.params.dispose();
    tuned.params.dispose();
  });
});
