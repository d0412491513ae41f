/**
 * The neighbour correction: a prediction moved by the errors the ensemble makes on the training
 * compositions nearest to it in its own latent space (residual kriging with a k-nearest-neighbour
 * kernel). The network smooths over families whose gaps it cannot resolve from composition alone
 * (the Ag-Bi halide double perovskites: every one predicted about 0.5 eV high); their training rows
 * record that error, and a close neighbour most likely shares it.
 *
 *   corrected = mean + sum_j w_j r_j / (sum_j w_j + shrinkage),  w_j = exp(-d_j^2 / bandwidth^2)
 *
 * over the `neighbours` nearest training rows that carry the target (r_j = label - ensemble mean, d_j
 * the Euclidean distance between trunk outputs of member 0, the domain's space). The shrinkage keeps
 * a lone neighbour from moving a prediction by its whole residual, and a far one (w near 0) from
 * moving it at all. The three numbers are chosen per target on the validation rows (the grid below,
 * argmin of the MAE of the values the model reports: for a band gap, after the zero gate that best fits
 * the corrected means). A target keeps its correction only when the choice itself holds up on rows it
 * did not see (`crossCheckedCorrection`): the best of 175 settings always lowers the MAE of the rows it
 * was picked on a little, noise or not.
 */

/**
 * How a choice held up on rows it was not made on (`crossCheckedCorrection`): the validation error of
 * each half with no correction and with the correction chosen on the other half, weighted by rows.
 */
export interface CrossCheck {
  readonly before: number;
  readonly after: number;
}

/** A target's correction settings (the card's `ensemble.neighbourCorrection`). */
export interface NeighbourCorrection {
  readonly neighbours: number;
  readonly bandwidth: number;
  readonly shrinkage: number;
  /** The cross-check the choice passed, where it was made with one (absent in cards written before). */
  readonly crossChecked?: CrossCheck;
}

/** The settings in a line, with the cross-check's errors where the card has them (reports, `pdw recalibrate`). */
export function describeCorrection(c: NeighbourCorrection, unit: string): string {
  const check = c.crossChecked ? `; validation MAE out of half ${c.crossChecked.before.toFixed(3)} -> ${c.crossChecked.after.toFixed(3)}${unit ? ` ${unit}` : ''}` : '';
  return `k ${c.neighbours}, bandwidth ${c.bandwidth}, shrinkage ${c.shrinkage}${check}`;
}

/** How many nearest training rows each prediction looks at (the largest `neighbours` on the grid). */
export const NEIGHBOURS_SEARCHED = 16;

/** The grid the settings are chosen from on validation. */
export const CORRECTION_GRID = {
  neighbours: [1, 2, 4, 8, 16],
  bandwidth: [0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6],
  shrinkage: [0.25, 0.5, 1, 2, 4],
} as const;

/** A target needs at least this many labelled validation rows to choose its correction on. */
export const CORRECTION_MIN_VALIDATION_ROWS = 30;

/**
 * The nearest training rows of a batch of queries: [count, searched] row-major, nearest first.
 * `distance2` holds squared latent distances, `index` the memory row.
 */
export interface Neighbourhood {
  readonly count: number;
  readonly searched: number;
  readonly distance2: Float32Array;
  readonly index: Int32Array;
}

/**
 * The training rows' residuals: [rows, targets] row-major, NaN where a row has no label for the
 * target (the joint set masks targets).
 */
export interface Residuals {
  readonly targets: number;
  readonly values: Float32Array;
}

/** The correction of query `row`'s target `target` (its column in the residuals). */
export function neighbourCorrection(hood: Neighbourhood, row: number, residuals: Residuals, target: number, settings: NeighbourCorrection): number {
  const inverseBandwidth2 = 1 / (settings.bandwidth * settings.bandwidth);
  let weights = 0;
  let sum = 0;
  let used = 0;
  for (let m = 0; m < hood.searched && used < settings.neighbours; m += 1) {
    const at = row * hood.searched + m;
    const r = residuals.values[hood.index[at]! * residuals.targets + target]!;
    if (Number.isNaN(r)) continue;
    const w = Math.exp(-hood.distance2[at]! * inverseBandwidth2);
    weights += w;
    sum += w * r;
    used += 1;
  }
  return sum / (weights + settings.shrinkage);
}

/** A target's validation rows: their positions in the neighbourhood, ensemble means and labels. */
export interface CorrectionRows {
  readonly rows: readonly number[];
  readonly mean: readonly number[];
  readonly truth: readonly number[];
}

/** The validation error of the values reported from `means` for rows labelled `truth` (lower is better). */
export type CorrectionScore = (truth: readonly number[], means: readonly number[]) => number;

export interface CorrectionChoice {
  readonly settings: NeighbourCorrection;
  /** Validation error (as the score measures it) without and with the correction. */
  readonly before: number;
  readonly after: number;
}

/**
 * The settings on the grid that minimize `score` on these rows for one target; null when none lowers
 * it or there are too few rows.
 */
export function chooseNeighbourCorrection(hood: Neighbourhood, val: CorrectionRows, residuals: Residuals, target: number, score: CorrectionScore): CorrectionChoice | null {
  if (val.rows.length < CORRECTION_MIN_VALIDATION_ROWS) return null;
  const before = score(val.truth, val.mean);
  let best: CorrectionChoice | null = null;
  for (const neighbours of CORRECTION_GRID.neighbours) {
    for (const bandwidth of CORRECTION_GRID.bandwidth) {
      for (const shrinkage of CORRECTION_GRID.shrinkage) {
        const settings = { neighbours, bandwidth, shrinkage };
        const after = score(val.truth, corrected(hood, val, residuals, target, settings));
        if (after < (best?.after ?? before) - 1e-9) best = { settings, before, after };
      }
    }
  }
  return best;
}

function corrected(hood: Neighbourhood, val: CorrectionRows, residuals: Residuals, target: number, settings: NeighbourCorrection): number[] {
  return val.mean.map((m, i) => m + neighbourCorrection(hood, val.rows[i]!, residuals, target, settings));
}

function subset(val: CorrectionRows, keep: readonly number[]): CorrectionRows {
  return { rows: keep.map((i) => val.rows[i]!), mean: keep.map((i) => val.mean[i]!), truth: keep.map((i) => val.truth[i]!) };
}

/** A choice that held up on the rows it was not made on: the error of each half with the other half's choice. */
export interface CrossCheckedChoice extends CorrectionChoice {
  readonly crossChecked: CrossCheck;
}

/**
 * The choice on all rows, kept only if choosing holds up out of sample: the rows are cut in two
 * (`half`, 0 or 1 per row; rows of one composition should share a half), each half's choice is scored
 * on the other half (no choice there: no change), and the choice is kept only if the two halves'
 * error with the other's choice, weighted by their rows, is below their error without one. Two-fold
 * cross-validation of the choosing itself, where the plain choice would keep whatever the grid's
 * best on noise gains.
 */
export function crossCheckedCorrection(
  hood: Neighbourhood,
  val: CorrectionRows,
  half: readonly number[],
  residuals: Residuals,
  target: number,
  score: CorrectionScore,
): CrossCheckedChoice | null {
  const choice = chooseNeighbourCorrection(hood, val, residuals, target, score);
  if (!choice) return null;
  const halves = [0, 1].map((h) => subset(val, half.flatMap((v, i) => (v === h ? [i] : []))));
  let before = 0;
  let after = 0;
  halves.forEach((own, h) => {
    const other = halves[1 - h]!;
    if (other.rows.length === 0) return;
    const picked = chooseNeighbourCorrection(hood, own, residuals, target, score);
    const unchanged = score(other.truth, other.mean);
    before += unchanged * other.rows.length;
    after += (picked ? score(other.truth, corrected(hood, other, residuals, target, picked.settings)) : unchanged) * other.rows.length;
  });
  const rows = val.rows.length;
  if (!(after < before - 1e-9)) return null;
  return { ...choice, crossChecked: { before: before / rows, after: after / rows } };
}
