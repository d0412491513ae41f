import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../../shared/index.js';
import { initBackend } from '../../../../src-main/engine/backend.js';
import { loadModel, saveModel } from '../../../../src-main/engine/model/bundle.js';
import { EnsemblePredictor } from '../../../../src-main/engine/model/predictor.js';
import { fitModel } from '../../../../src-main/engine/train/fit.js';
import { featurizer, table, TINY, TINY_TRAINING, tinySplit } from './helpers.js';

let dir = '';
beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'pdw-fit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fitModel -> saveModel -> load', () => {
  it('calibrates, evaluates, saves, and loads back to identical predictions', async () => {
    const s = tinySplit(300);
    const result = await fitModel({
      table,
      split: { name: 'tiny', ...s },
      config: TINY,
      featurizer: featurizer.settings,
      settings: { ...TINY_TRAINING, epochs: 3 },
      members: 2,
      parallel: 1,
      backend: 'wasm',
      name: 'tiny',
      targetsMeaning: { band_gap: 'test', stable: 'test' },
      data: { source: 'seed subset', sha256: 'n/a' },
    });
    const card = result.predictor.card;
    expect(card.ensemble.members).toBe(2);
    expect(card.ensemble.seeds[0]).not.toBe(card.ensemble.seeds[1]);
    expect(card.ensemble.threshold).toBeGreaterThan(0);
    expect(card.ensemble.sigmaScale['band_gap']).toBeGreaterThan(0);
    expect(result.test?.regression['band_gap']?.metrics.n).toBe(s.test.length);
    // calibration fitted on validation: about 68% of validation errors fall within 1 sigma
    expect(result.validation.regression['band_gap']!.calibration.within1).toBeGreaterThan(0.6);
    // the band gap has a point mass at zero (metals): gated, and every reported gap is 0 or above the cut
    const cut = card.ensemble.zeroBelow?.['band_gap'];
    expect(cut).toBeGreaterThanOrEqual(0);
    expect(result.validation.regression['band_gap']!.predicted.every((v) => v === 0 || v > cut!)).toBe(true);
    // its sigma coverage is also given on the rows predicted above the gate
    const val = result.validation.regression['band_gap']!;
    expect(val.gappedCalibration?.rows).toBe(val.predicted.filter((v) => v > 0).length);

    const { weights: _w, ...rest } = card;
    await saveModel(dir, rest, result.predictor.bundle.members);
    const loaded = new EnsemblePredictor(loadModel(dir), table);
    const formulas = ['BaTiO3', 'CsPb(I0.5Br0.5)3', 'Cs2AgBiBr6'].map((f) => parseFormulaOrThrow(f));
    const before = tf.memory().numTensors;
    const a = result.predictor.predict(formulas);
    const b = loaded.predict(formulas);
    expect(tf.memory().numTensors).toBe(before); // no leak across predict
    expect(b).toEqual(a);
    const maps = loaded.attention(formulas[0]!);
    expect(tf.memory().numTensors).toBe(before);
    expect(maps.tokens).toEqual(['[CLS]', 'O', 'Ba', 'Ti', 'pad', 'pad', 'pad']);
    expect(maps.layers).toHaveLength(TINY.layers);
    expect(maps.pooling).toHaveLength(TINY.heads);
    for (const p of a) {
      expect(p.regression['band_gap']!.value).toBeGreaterThanOrEqual(0);
      expect(p.regression['band_gap']!.sigma).toBeGreaterThan(0);
      expect(p.classification!.probability).toBeGreaterThan(0);
      expect(p.classification!.probability).toBeLessThan(1);
    }
    result.predictor.dispose();
    loaded.dispose();
  });

  it('a model folder without weights or card fails clearly', () => {
    expect(() => loadModel(join(dir, 'nope'))).toThrow(/model.json missing/);
  });
});
