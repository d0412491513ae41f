import type { ClassificationMetrics, ClassMetrics, RegressionMetrics } from '../../../shared/api/metrics.js';

export type { ClassificationMetrics, ClassMetrics, RegressionMetrics };

/** Regression and binary-classification metrics, threshold choice, and uncertainty calibration. */

export function regressionMetrics(truth: readonly number[], pred: readonly number[]): RegressionMetrics {
  const n = truth.length;
  if (n === 0 || pred.length !== n) throw new Error(`regression metrics need equal, non-empty arrays (got ${n} and ${pred.length})`);
  let abs = 0;
  let sq = 0;
  const mean = truth.reduce((a, b) => a + b, 0) / n;
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    const e = pred[i]! - truth[i]!;
    abs += Math.abs(e);
    sq += e * e;
    total += (truth[i]! - mean) ** 2;
  }
  return { n, mae: abs / n, mse: sq / n, rmse: Math.sqrt(sq / n), r2: total > 0 ? 1 - sq / total : 0 };
}

/** Precision, recall and F1 of one class from its counts (0 where a ratio has no rows). */
export function classMetrics(tp: number, fp: number, fn: number): ClassMetrics {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return { precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0, support: tp + fn };
}

/** ROC-AUC by the rank statistic (ties get average ranks); 0.5 when one class is absent. */
export function rocAuc(labels: readonly number[], scores: readonly number[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(scores.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j += 1;
    for (let k = i; k <= j; k += 1) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let nPos = 0;
  let rankSum = 0;
  labels.forEach((y, i) => {
    if (y === 1) {
      nPos += 1;
      rankSum += ranks[i]!;
    }
  });
  const nNeg = labels.length - nPos;
  if (nPos === 0 || nNeg === 0) return 0.5;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export function classificationMetrics(labels: readonly number[], probabilities: readonly number[], threshold: number): ClassificationMetrics {
  const n = labels.length;
  if (n === 0 || probabilities.length !== n) throw new Error('classification metrics need equal, non-empty arrays');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  labels.forEach((y, i) => {
    const predicted = probabilities[i]! >= threshold ? 1 : 0;
    if (predicted === 1 && y === 1) tp += 1;
    else if (predicted === 1) fp += 1;
    else if (y === 1) fn += 1;
    else tn += 1;
  });
  const positive = classMetrics(tp, fp, fn);
  const negative = classMetrics(tn, fn, fp);
  const denom = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  return {
    n,
    threshold,
    accuracy: (tp + tn) / n,
    tn,
    fp,
    fn,
    tp,
    positive,
    negative,
    weightedF1: (positive.f1 * positive.support + negative.f1 * negative.support) / n,
    mcc: denom > 0 ? (tp * tn - fp * fn) / denom : 0,
    rocAuc: rocAuc(labels, probabilities),
  };
}

/** The threshold (among the observed probabilities and 0.5) that maximizes the positive class's F1. */
export function chooseThreshold(labels: readonly number[], probabilities: readonly number[]): number {
  const candidates = [...new Set([0.5, ...probabilities.map((p) => Math.round(p * 1000) / 1000)])].sort((a, b) => a - b);
  let best = 0.5;
  let bestF1 = -1;
  for (const t of candidates) {
    const f1 = classificationMetrics(labels, probabilities, t).positive.f1;
    if (f1 > bestF1 + 1e-12) {
      bestF1 = f1;
      best = t;
    }
  }
  return best;
}

/** Share of absolute errors within 1 and 2 sigma (a calibrated Gaussian gives 0.683 and 0.954). */
export function sigmaCoverage(truth: readonly number[], pred: readonly number[], sigma: readonly number[]): { within1: number; within2: number } {
  let w1 = 0;
  let w2 = 0;
  truth.forEach((t, i) => {
    const z = Math.abs(pred[i]! - t) / Math.max(sigma[i]!, 1e-9);
    if (z <= 1) w1 += 1;
    if (z <= 2) w2 += 1;
  });
  return { within1: w1 / truth.length, within2: w2 / truth.length };
}

/**
 * Scale s for sigma so that 68.3% of validation errors fall within s * sigma (the empirical
 * quantile of |error| / sigma): recalibrates an ensemble's spread, which is usually too narrow.
 */
export function fitSigmaScale(truth: readonly number[], pred: readonly number[], sigma: readonly number[]): number {
  const ratios = truth.map((t, i) => Math.abs(pred[i]! - t) / Math.max(sigma[i]!, 1e-9)).sort((a, b) => a - b);
  if (ratios.length === 0) return 1;
  const q = ratios[Math.min(ratios.length - 1, Math.floor(0.683 * ratios.length))]!;
  return q > 0 ? q : 1;
}
