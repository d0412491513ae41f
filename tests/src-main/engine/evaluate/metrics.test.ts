import { describe, expect, it } from 'vitest';
import {
  chooseThreshold,
  classificationMetrics,
  fitSigmaScale,
  regressionMetrics,
  rocAuc,
  sigmaCoverage,
} from '../../../../src-main/engine/evaluate/metrics.js';

describe('regression metrics', () => {
  it('computes MAE, MSE, RMSE and R2 (values worked by hand)', () => {
    const m = regressionMetrics([1, 2, 3, 4], [1.5, 2, 2, 4]);
    expect(m.mae).toBeCloseTo(0.375, 12);
    expect(m.mse).toBeCloseTo(0.3125, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.3125), 12);
    expect(m.r2).toBeCloseTo(1 - 1.25 / 5, 12);
  });
  it('rejects mismatched input', () => {
    expect(() => regressionMetrics([1], [1, 2])).toThrow(/equal/);
  });
});

describe('classification metrics', () => {
  const labels = [1, 1, 0, 0, 1, 0, 0, 0];
  const probs = [0.9, 0.4, 0.35, 0.1, 0.8, 0.6, 0.2, 0.3];
  it('confusion matrix, per-class and weighted F1, MCC at a threshold', () => {
    const m = classificationMetrics(labels, probs, 0.5);
    expect([m.tn, m.fp, m.fn, m.tp]).toEqual([4, 1, 1, 2]);
    expect(m.positive.precision).toBeCloseTo(2 / 3, 12);
    expect(m.positive.recall).toBeCloseTo(2 / 3, 12);
    expect(m.negative.f1).toBeCloseTo(0.8, 12);
    expect(m.weightedF1).toBeCloseTo((2 / 3) * (3 / 8) + 0.8 * (5 / 8), 12);
    expect(m.mcc).toBeCloseTo((2 * 4 - 1 * 1) / Math.sqrt(3 * 3 * 5 * 5), 12);
    expect(m.accuracy).toBe(0.75);
  });
  it('ROC-AUC by ranks, with ties', () => {
    expect(rocAuc(labels, probs)).toBeCloseTo(14 / 15, 12); // 14 of 15 positive-negative pairs ordered (0.4 < 0.6)
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBe(0.5);
  });
  it('chooses the threshold that maximizes the positive F1', () => {
    const t = chooseThreshold(labels, probs);
    expect(classificationMetrics(labels, probs, t).positive.f1).toBeGreaterThanOrEqual(classificationMetrics(labels, probs, 0.5).positive.f1);
    expect(t).toBe(0.4);
  });
});

describe('uncertainty calibration', () => {
  it('coverage within 1 and 2 sigma, and the scale that makes 68% coverage', () => {
    const truth = [0, 0, 0, 0];
    const pred = [0.5, 1, 1.5, 3];
    const sigma = [1, 1, 1, 1];
    expect(sigmaCoverage(truth, pred, sigma)).toEqual({ within1: 0.5, within2: 0.75 });
    const s = fitSigmaScale(truth, pred, sigma);
    expect(s).toBe(1.5);
    expect(sigmaCoverage(truth, pred, sigma.map((x) => x * s)).within1).toBe(0.75);
  });
});
