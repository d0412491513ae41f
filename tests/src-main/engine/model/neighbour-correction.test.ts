import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/engine/random.js';
import {
  chooseNeighbourCorrection,
  CORRECTION_MIN_VALIDATION_ROWS,
  neighbourCorrection,
  type Neighbourhood,
  type Residuals,
} from '../../../../src-main/engine/model/neighbour-correction.js';

/** One query whose neighbours (nearest first) lie at these squared distances and memory rows. */
function hoodOf(distance2: number[], index: number[]): Neighbourhood {
  return { count: 1, searched: distance2.length, distance2: Float32Array.from(distance2), index: Int32Array.from(index) };
}

describe('neighbourCorrection', () => {
  const residuals: Residuals = { targets: 2, values: Float32Array.from([0.6, Number.NaN, -0.3, 1, 0.9, 2]) };

  it('is the kernel-weighted residual of the k nearest rows, shrunk by the shrinkage', () => {
    const hood = hoodOf([0, 0.04, 1], [0, 1, 2]);
    const settings = { neighbours: 2, bandwidth: 0.2, shrinkage: 0.5 };
    const w1 = Math.exp(-0.04 / 0.04);
    expect(neighbourCorrection(hood, 0, residuals, 0, settings)).toBeCloseTo((1 * 0.6 + w1 * -0.3) / (1 + w1 + 0.5), 6);
    // one neighbour at distance 0 moves the mean by residual / (1 + shrinkage), not by all of it
    expect(neighbourCorrection(hood, 0, residuals, 0, { ...settings, neighbours: 1 })).toBeCloseTo(0.6 / 1.5, 6);
  });

  it('skips rows without a label for the target and counts only labelled ones towards k', () => {
    const hood = hoodOf([0, 0.01, 0.02], [0, 1, 2]);
    // target 1: row 0 is unlabelled, so the two nearest labelled rows are rows 1 and 2
    const got = neighbourCorrection(hood, 0, residuals, 1, { neighbours: 2, bandwidth: 1e3, shrinkage: 1 });
    expect(got).toBeCloseTo((1 + 2) / (2 + 1), 4);
  });

  it('leaves a prediction whose neighbours are all far (weights near 0) where it is', () => {
    const hood = hoodOf([4, 9], [0, 2]);
    expect(Math.abs(neighbourCorrection(hood, 0, residuals, 0, { neighbours: 2, bandwidth: 0.1, shrinkage: 0.25 }))).toBeLessThan(1e-12);
  });
});

describe('chooseNeighbourCorrection', () => {
  /** n validation rows each at squared distance d2 from one training row whose residual is `shared(i)`; the row's own error is `error(i)`. */
  function setting(n: number, shared: (i: number) => number, error: (i: number) => number) {
    const hood: Neighbourhood = { count: n, searched: 1, distance2: new Float32Array(n).fill(0.0001), index: Int32Array.from({ length: n }, (_, i) => i) };
    const residuals: Residuals = { targets: 1, values: Float32Array.from({ length: n }, (_, i) => shared(i)) };
    const mean = Array.from({ length: n }, () => 2);
    const truth = mean.map((m, i) => m + error(i));
    const score = (predicted: readonly number[]): number => predicted.reduce((s, p, i) => s + Math.abs(p - truth[i]!), 0) / predicted.length;
    return { hood, residuals, mean, truth, score, rows: Array.from({ length: n }, (_, i) => i) };
  }

  it('picks a correction that lowers the validation score when neighbours share the error, and reports before and after', () => {
    const rng = new Rng(3);
    const { hood, residuals, mean, score, rows } = setting(200, (i) => (i % 2 ? 0.8 : -0.8), (i) => (i % 2 ? 0.8 : -0.8) + 0.05 * rng.normal());
    const choice = chooseNeighbourCorrection(hood, rows, mean, residuals, 0, score);
    expect(choice).not.toBeNull();
    expect(choice!.before).toBeGreaterThan(0.7);
    expect(choice!.after).toBeLessThan(0.3);
  });

  it('keeps no correction when the neighbours\' residuals say nothing about the error', () => {
    const rng = new Rng(5);
    // residuals of the neighbours are independent of the validation rows' errors
    const { hood, residuals, mean, score, rows } = setting(400, () => 0.5 * rng.normal(), () => 0.5 * rng.normal());
    const choice = chooseNeighbourCorrection(hood, rows, mean, residuals, 0, score);
    // any choice must at least not raise validation MAE; with pure noise it gains almost nothing
    if (choice) expect(choice.before - choice.after).toBeLessThan(0.02);
  });

  it('needs enough labelled validation rows', () => {
    const { hood, residuals, mean, score } = setting(CORRECTION_MIN_VALIDATION_ROWS, () => 1, () => 1);
    const few = Array.from({ length: CORRECTION_MIN_VALIDATION_ROWS - 1 }, (_, i) => i);
    expect(chooseNeighbourCorrection(hood, few, mean.slice(0, few.length), residuals, 0, score)).toBeNull();
    const enough = Array.from({ length: CORRECTION_MIN_VALIDATION_ROWS }, (_, i) => i);
    expect(chooseNeighbourCorrection(hood, enough, mean, residuals, 0, score)).not.toBeNull();
  });
});
