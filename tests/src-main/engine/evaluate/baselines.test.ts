import { describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../../shared/composition/parse.js';
import { withMedianBaselines, type EvaluationReport } from '../../../../src-main/engine/evaluate/evaluate.js';
import { regressionMetrics } from '../../../../src-main/engine/evaluate/metrics.js';
import type { Example } from '../../../../src-main/engine/train/data.js';
import { headline } from '../../../../src-main/engine/evaluate/report.js';

const example = (e_hull: number | null): Example => ({ formula: 'CaTiO3', composition: parseFormulaOrThrow('CaTiO3'), targets: { energy_above_hull: e_hull } });

describe('the training-median baseline', () => {
  it("scores each target's test rows against the median of its present training values", () => {
    const truth = [0, 0.02, 0.3];
    const report: EvaluationReport = {
      rows: 3,
      regression: { energy_above_hull: { metrics: regressionMetrics(truth, [0, 0.01, 0.2]), meanBaseline: regressionMetrics(truth, [0.1, 0.1, 0.1]), calibration: { within1: 1, within2: 1 }, formulas: ['CaTiO3', 'SrTiO3', 'BaTiO3'], truth, predicted: [0, 0.01, 0.2], sigma: [0.1, 0.1, 0.1] } },
      classification: null,
    };
    // training values 0, 0, 0.01, 0.5 (and a row without one): median 0.005; E_hull is skewed, so the median beats the mean
    const withBaseline = withMedianBaselines(report, [example(0), example(0.5), example(0), example(null), example(0.01)]);
    const mae = (Math.abs(0 - 0.005) + Math.abs(0.02 - 0.005) + Math.abs(0.3 - 0.005)) / 3;
    expect(withBaseline.regression['energy_above_hull']!.medianBaseline!.mae).toBeCloseTo(mae, 10);
    expect(headline(withBaseline)['energy_above_hull.medianBaselineMae']).toBeCloseTo(mae, 10);
    expect(headline(report)['energy_above_hull.medianBaselineMae']).toBeUndefined();
  });
});
