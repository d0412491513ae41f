import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/engine/random.js';
import {
  chooseNeighbourCorrection,
  CORRECTION_MIN_VALIDATION_ROWS,
  crossCheckedCorrection,
  describeCorrection,
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

/** The validation MAE of the means as reported (no gate). */
const mae = (t: readonly number[], predicted: readonly number[]): number => predicted.reduce((s, p, i) => s + Math.abs(p - t[i]!), 0) / predicted.length;

/**
 * n validation rows each next to one training row whose residual is `shared(i)`; the row's own error is
 * `error(i)`; halves for the cross-check: one row in three in half 1.
 */
function setting(n: number, shared: (i: number) => number, error: (i: number) => number) {
  const hood: Neighbourhood = { count: n, searched: 1, distance2: new Float32Array(n).fill(0.0001), index: Int32Array.from({ length: n }, (_, i) => i) };
  const residuals: Residuals = { targets: 1, values: Float32Array.from({ length: n }, (_, i) => shared(i)) };
  const mean = Array.from({ length: n }, () => 2);
  const truth = mean.map((m, i) => m + error(i));
  const rows = Array.from({ length: n }, (_, i) => i);
  return { hood, residuals, val: { rows, mean, truth }, score: mae, half: rows.map((i) => (i % 3 === 0 ? 1 : 0)) };
}

describe('chooseNeighbourCorrection', () => {
  it('picks a correction that lowers the validation score when neighbours share the error, and reports before and after', () => {
    const rng = new Rng(3);
    const { hood, residuals, val, score } = setting(200, (i) => (i % 2 ? 0.8 : -0.8), (i) => (i % 2 ? 0.8 : -0.8) + 0.05 * rng.normal());
    const choice = chooseNeighbourCorrection(hood, val, residuals, 0, score);
    expect(choice).not.toBeNull();
    expect(choice!.before).toBeGreaterThan(0.7);
    expect(choice!.after).toBeLessThan(0.3);
  });

  it('keeps no correction when the neighbours\' residuals say nothing about the error', () => {
    const rng = new Rng(5);
    // residuals of the neighbours are independent of the validation rows' errors
    const { hood, residuals, val, score } = setting(400, () => 0.5 * rng.normal(), () => 0.5 * rng.normal());
    const choice = chooseNeighbourCorrection(hood, val, residuals, 0, score);
    // any choice must at least not raise validation MAE; with pure noise it gains almost nothing
    if (choice) expect(choice.before - choice.after).toBeLessThan(0.02);
  });

  it('needs enough labelled validation rows', () => {
    const { hood, residuals, val, score } = setting(CORRECTION_MIN_VALIDATION_ROWS, () => 1, () => 1);
    const few = CORRECTION_MIN_VALIDATION_ROWS - 1;
    const firstFew = { rows: val.rows.slice(0, few), mean: val.mean.slice(0, few), truth: val.truth.slice(0, few) };
    expect(chooseNeighbourCorrection(hood, firstFew, residuals, 0, score)).toBeNull();
    expect(chooseNeighbourCorrection(hood, val, residuals, 0, score)).not.toBeNull();
  });
});

describe('crossCheckedCorrection', () => {
  it('keeps a correction that helps on both halves, with the choice made on all rows and the out-of-half errors', () => {
    const rng = new Rng(11);
    const { hood, residuals, val, score, half } = setting(200, (i) => (i % 2 ? 0.8 : -0.8), (i) => (i % 2 ? 0.8 : -0.8) + 0.05 * rng.normal());
    const checked = crossCheckedCorrection(hood, val, half, residuals, 0, score);
    expect(checked).not.toBeNull();
    expect(checked!.settings).toEqual(chooseNeighbourCorrection(hood, val, residuals, 0, score)!.settings);
    expect(checked!.crossChecked.before).toBeGreaterThan(0.7);
    expect(checked!.crossChecked.after).toBeLessThan(0.3);
  });

  it('drops most of the grid\'s best choices on noise, which the plain choice keeps', () => {
    let keptByPlainChoice = 0;
    let keptByCrossCheck = 0;
    for (let seed = 1; seed <= 20; seed += 1) {
      const rng = new Rng(seed);
      const n = 300;
      const searched = 16;
      // each row's 16 neighbours at random distances among 1,000 training rows whose residuals are noise
      const hood: Neighbourhood = {
        count: n,
        searched,
        distance2: Float32Array.from({ length: n * searched }, (_, k) => ((k % searched) + rng.next()) * 0.01),
        index: Int32Array.from({ length: n * searched }, () => rng.int(1000)),
      };
      const residuals: Residuals = { targets: 1, values: Float32Array.from({ length: 1000 }, () => 0.5 * rng.normal()) };
      const mean = Array.from({ length: n }, () => 2);
      const val = { rows: mean.map((_, i) => i), mean, truth: mean.map((m) => m + 0.5 * rng.normal()) };
      const half = val.rows.map((i) => i % 2);
      if (chooseNeighbourCorrection(hood, val, residuals, 0, mae)) keptByPlainChoice += 1;
      if (crossCheckedCorrection(hood, val, half, residuals, 0, mae)) keptByCrossCheck += 1;
    }
    // on noise the grid's best gains on the rows it was chosen on about half the time (11 of these 20)
    expect(keptByPlainChoice).toBeGreaterThanOrEqual(8);
    // and holds up on the other half far less often (3 of 20)
    expect(keptByCrossCheck).toBeLessThanOrEqual(keptByPlainChoice / 2);
  });

  it('is described in a line with the errors of its cross-check, where the card has them', () => {
    const settings = { neighbours: 4, bandwidth: 0.2, shrinkage: 0.5 };
    expect(describeCorrection(settings, 'eV')).toBe('k 4, bandwidth 0.2, shrinkage 0.5');
    expect(describeCorrection({ ...settings, crossChecked: { before: 0.3123, after: 0.30449 } }, 'eV')).toBe('k 4, bandwidth 0.2, shrinkage 0.5; validation MAE out of half 0.312 -> 0.304 eV');
  });

  it('keeps nothing when one half is empty (nothing to check the choice on)', () => {
    const { hood, residuals, val, score } = setting(100, () => 1, () => 1);
    expect(crossCheckedCorrection(hood, val, val.rows.map(() => 0), residuals, 0, score)).toBeNull();
  });
});
