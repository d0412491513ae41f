/** Evaluation numbers as they are stored in model cards and sent to the renderer (plain JSON). */

export interface RegressionMetrics {
  readonly n: number;
  readonly mae: number;
  readonly mse: number;
  readonly rmse: number;
  readonly r2: number;
}

export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface ClassificationMetrics {
  readonly n: number;
  readonly threshold: number;
  readonly accuracy: number;
  /** Confusion matrix counts (positive = class 1, e.g. stable). */
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  readonly tp: number;
  readonly positive: ClassMetrics;
  readonly negative: ClassMetrics;
  readonly weightedF1: number;
  readonly mcc: number;
  readonly rocAuc: number;
}

/** One regression target's scores, its mean-predictor baseline and its sigma calibration. */
export interface RegressionSummary extends RegressionMetrics {
  readonly meanBaseline: RegressionMetrics;
  /** Share of errors within 1 and 2 predicted sigma. */
  readonly calibration: { readonly within1: number; readonly within2: number };
  /**
   * A band gap with a zero gate: the same shares on the rows predicted above the gate (a gap, not a
   * metal), where the sigma scale is fitted; a metal called a metal has no error and would count as within.
   */
  readonly gappedCalibration?: { readonly within1: number; readonly within2: number; readonly rows: number };
}

export interface ClassificationSummary {
  readonly target: string;
  readonly atChosenThreshold: ClassificationMetrics;
  readonly atHalf: ClassificationMetrics;
  readonly majorityBaseline: ClassificationMetrics;
}

/** An evaluation on one set of rows, without the per-row arrays. */
export interface ReportSummary {
  readonly rows: number;
  readonly regression: Readonly<Record<string, RegressionSummary>>;
  readonly classification: ClassificationSummary | null;
}

/** What a model card's `metrics` holds: validation always, test when the run held a test set out. */
export interface ModelMetrics {
  readonly validation: ReportSummary;
  readonly test?: ReportSummary;
}
