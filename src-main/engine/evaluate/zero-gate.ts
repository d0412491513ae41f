/**
 * The zero gate: the point mass of band gaps at zero (metals) that a regression head smears into
 * small positive values.
 *
 * Half of the seed set's rows (51%) and of Matbench expt_gap (53%) are metals with a gap of exactly
 * 0 eV, and few compounds lie just above (4.8% and 3.6% in 0-0.3 eV); a composition-only ensemble
 * predicts the metals as 0.1-0.4 eV. The gate reports a mean prediction at or below a cut as 0: a
 * hurdle model whose classifier is the regression mean itself. The cut is chosen on validation to
 * minimize the mean absolute error (the cut 0 is plain clipping at zero), so it can only lower the
 * validation MAE; the test sets show what it does elsewhere.
 *
 * Only band gaps are gated. Energy above hull also has a mass at 0 (22% of the seed set on the hull),
 * but it is continuous from there (28% within 0-50 meV/atom): a cut would call metastable compounds
 * stable and tie the ranking of the most stable candidates.
 */

import { fitSigmaScale } from './metrics.js';

/** A target is gated only when its training values hold at least this share of exact zeros ... */
export const ZERO_GATE_MIN_ZERO_SHARE = 0.05;
/** ... and none is negative, and validation has at least this many labelled rows to choose the cut on. */
export const ZERO_GATE_MIN_VALIDATION_ROWS = 30;

/** Whether a target's training values have a point mass at zero worth gating (non-negative, >= 5% zeros). */
export function hasZeroMass(trainingValues: readonly number[]): boolean {
  if (trainingValues.length === 0) return false;
  let zeros = 0;
  for (const v of trainingValues) {
    if (v < 0) return false;
    if (v === 0) zeros += 1;
  }
  return zeros / trainingValues.length >= ZERO_GATE_MIN_ZERO_SHARE;
}

/** A mean prediction at or below `cut` reads as 0 (the cut is >= 0, so a gated target is never negative). */
export function applyZeroGate(value: number, cut: number): number {
  return value <= cut ? 0 : value;
}

/**
 * The cut (>= 0) that minimizes the MAE of `applyZeroGate(pred, cut)` against `truth`: an exact sweep
 * over the sorted predictions. The cut returned lies halfway between the last prediction it zeroes
 * and the next one, so a prediction equal to a validation row's is not decided by round-off.
 */
export function chooseZeroGate(truth: readonly number[], pred: readonly number[]): number {
  const order = pred.map((_, i) => i).filter((i) => pred[i]! > 0).sort((a, b) => pred[a]! - pred[b]!);
  // cut 0: every non-positive prediction is 0
  let cost = 0;
  truth.forEach((t, i) => (cost += pred[i]! > 0 ? Math.abs(t - pred[i]!) : Math.abs(t)));
  let best = cost;
  let bestCount = 0;
  order.forEach((i, k) => {
    cost += Math.abs(truth[i]!) - Math.abs(truth[i]! - pred[i]!);
    // ties (equal predictions) move together: only a cut past the last of them is a real choice
    if (k + 1 < order.length && pred[order[k + 1]!] === pred[i]) return;
    if (cost < best - 1e-12) {
      best = cost;
      bestCount = k + 1;
    }
  });
  if (bestCount === 0) return 0;
  const last = pred[order[bestCount - 1]!]!;
  const next = bestCount < order.length ? pred[order[bestCount]!]! : last;
  return (last + next) / 2;
}

/**
 * The sigma scale of a target: fitted on the validation rows whose value the gate leaves alone (the
 * gapped compounds a screen ranks by P(gap in window)). A gated row's error is mostly 0 (a metal called
 * a metal), and fitting on those as well would narrow every sigma. All rows when fewer than
 * ZERO_GATE_MIN_VALIDATION_ROWS pass the gate, or without a gate.
 */
export function gatedSigmaScale(r: { readonly truth: readonly number[]; readonly predicted: readonly number[]; readonly sigma: readonly number[] }, cut: number | undefined): number {
  if (cut === undefined) return fitSigmaScale(r.truth, r.predicted, r.sigma);
  const kept = r.predicted.flatMap((p, i) => (applyZeroGate(p, cut) === 0 ? [] : [i]));
  if (kept.length < ZERO_GATE_MIN_VALIDATION_ROWS) return fitSigmaScale(r.truth, r.predicted, r.sigma);
  return fitSigmaScale(kept.map((i) => r.truth[i]!), kept.map((i) => r.predicted[i]!), kept.map((i) => r.sigma[i]!));
}
