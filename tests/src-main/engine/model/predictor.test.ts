import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../../shared/composition/parse.js';
import { loadElementTable } from '../../../../src-main/data/elements/load.js';
import { resourcesDir } from '../../../../src-main/data/paths.js';
import { initBackend } from '../../../../src-main/engine/backend.js';
import { EnsemblePredictor, reportedValue } from '../../../../src-main/engine/model/predictor.js';

let predictor: EnsemblePredictor;
beforeAll(async () => {
  await initBackend('wasm');
  predictor = EnsemblePredictor.load(join(resourcesDir(), 'models', 'default'), loadElementTable());
});
afterAll(() => predictor.dispose());

// 3 to 6 elements, interleaved, so grouping by element count must put every answer back in place
const FORMULAS = ['CaTiO3', 'Cs2AgBiBr6', 'BaTi0.5Zr0.5O3', 'CsPbI3', '(Cs0.5Rb0.5)(Sn0.5Pb0.5)(I0.5Br0.5)3', 'SrTiO3', 'K(Nb0.5Ta0.5)O3', 'LaMnO3'];

describe('EnsemblePredictor.predict', () => {
  it('gives each composition the prediction it gets padded to maxElements rows, in input order', () => {
    const compositions = FORMULAS.map((f) => parseFormulaOrThrow(f));
    const before = tf.memory().numTensors;
    const grouped = predictor.predict(compositions);
    const padded = predictor.predictBatch(predictor.featurizer.featurizeDistinctRows(compositions));
    expect(tf.memory().numTensors).toBe(before);
    expect(grouped).toHaveLength(FORMULAS.length);
    grouped.forEach((p, i) => {
      const q = padded[i]!;
      expect(p.regression['band_gap']!.value, FORMULAS[i]).toBeCloseTo(q.regression['band_gap']!.value, 4);
      expect(p.regression['band_gap']!.sigma, FORMULAS[i]).toBeCloseTo(q.regression['band_gap']!.sigma, 4);
      expect(p.classification!.probability, FORMULAS[i]).toBeCloseTo(q.classification!.probability, 4);
    });
    // and the predictions differ between compositions (the check above is not comparing constants)
    expect(new Set(grouped.map((p) => p.regression['band_gap']!.value.toFixed(3))).size).toBeGreaterThan(4);
  });

  it('refuses fewer rows than a composition has elements', () => {
    expect(() => predictor.featurizer.featurizeDistinctRows([parseFormulaOrThrow('Cs2AgBiBr6')], 3)).toThrow(/3 rows for compositions of up to 4 elements/);
  });
});

describe('reportedValue: what a regression mean is reported as', () => {
  it.each<{ target: string; mean: number; gate: Record<string, number> | undefined; reported: number }>([
    { target: 'band_gap', mean: 0.3, gate: { band_gap: 0.4 }, reported: 0 }, // at or below the card's zero gate: a metal
    { target: 'band_gap', mean: 0.4, gate: { band_gap: 0.4 }, reported: 0 },
    { target: 'band_gap', mean: 0.41, gate: { band_gap: 0.4 }, reported: 0.41 },
    { target: 'band_gap_expt', mean: 0.3, gate: { band_gap: 0.4 }, reported: 0.3 }, // each target has its own gate
    { target: 'band_gap_expt', mean: -0.2, gate: undefined, reported: 0 }, // no gate: a gap is clipped at 0
    { target: 'energy_above_hull', mean: -0.01, gate: undefined, reported: 0 },
    { target: 'formation_energy', mean: -1.5, gate: undefined, reported: -1.5 }, // may be negative
    { target: 'gap', mean: 0.2, gate: { gap: 0.25 }, reported: 0 }, // a CSV model's gap column, gated by name from its card
  ])('$target, mean $mean, gate $gate -> $reported', ({ target, mean, gate, reported }) => {
    expect(reportedValue(target, mean, gate)).toBe(reported);
  });
});
