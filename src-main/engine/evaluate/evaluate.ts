/** Evaluates a predictor on labelled examples: every metric the Engine issue asks for, plus baselines. */
import { median } from '../stats.js';
import type { ReportSummary } from '../../../shared/api/metrics.js';
import type { EnsemblePredictor, Prediction } from '../model/predictor.js';
import type { Example } from '../train/data.js';
import {
  classificationMetrics,
  regressionMetrics,
  sigmaCoverage,
  type ClassificationMetrics,
  type RegressionMetrics,
} from './metrics.js';

export interface RegressionReport {
  readonly metrics: RegressionMetrics;
  /** Predicting the training mean for every row. */
  readonly meanBaseline: RegressionMetrics;
  /** Predicting the training median for every row (cross-validation reports add it). */
  readonly medianBaseline?: RegressionMetrics;
  /** The training median that baseline predicts (per-family baselines in the report). */
  readonly trainingMedian?: number;
  /** Share of errors within 1 and 2 predicted sigma. */
  readonly calibration: { readonly within1: number; readonly within2: number };
  /** A gated band gap: the shares on the rows predicted above the gate (see RegressionSummary). */
  readonly gappedCalibration?: { readonly within1: number; readonly within2: number; readonly rows: number };
  /** Per row (the examples with a value for the target, in their order): formula, truth, mean and sigma. */
  readonly formulas: string[];
  readonly truth: number[];
  readonly predicted: number[];
  readonly sigma: number[];
}

export interface ClassificationReport {
  readonly target: string;
  /** At the threshold chosen on validation (stored in the model card). */
  readonly atChosenThreshold: ClassificationMetrics;
  readonly atHalf: ClassificationMetrics;
  /** Predicting the training majority class for every row. */
  readonly majorityBaseline: ClassificationMetrics;
  /** Per row (the examples with a label, in their order). */
  readonly formulas: string[];
  readonly labels: number[];
  readonly probabilities: number[];
}

export interface EvaluationReport {
  readonly rows: number;
  readonly regression: Record<string, RegressionReport>;
  readonly classification: ClassificationReport | null;
}

/**
 * One target's report from its rows: the metrics, the mean baseline given, the share within 1 and 2
 * sigma, and for a gated target the same shares on the rows predicted above the gate.
 */
export function regressionReport(
  rows: Pick<RegressionReport, 'formulas' | 'truth' | 'predicted' | 'sigma'>,
  meanBaseline: RegressionMetrics,
  gated: boolean,
): RegressionReport {
  const { truth, predicted, sigma } = rows;
  const gapped = gated ? predicted.flatMap((p, i) => (p > 0 ? [i] : [])) : [];
  return {
    metrics: regressionMetrics(truth, predicted),
    meanBaseline,
    calibration: sigmaCoverage(truth, predicted, sigma),
    ...(gapped.length
      ? { gappedCalibration: { ...sigmaCoverage(gapped.map((i) => truth[i]!), gapped.map((i) => predicted[i]!), gapped.map((i) => sigma[i]!)), rows: gapped.length } }
      : {}),
    ...rows,
  };
}

/** 0/1 labels of the rows that have the classification target, with their probabilities. */
export function labelled(examples: readonly Example[], probabilities: readonly number[], target: string): { formulas: string[]; labels: number[]; probabilities: number[] } {
  const out = { formulas: [] as string[], labels: [] as number[], probabilities: [] as number[] };
  examples.forEach((e, i) => {
    const y = e.targets[target];
    if (y === null || y === undefined) return;
    out.formulas.push(e.formula);
    out.labels.push(y > 0.5 ? 1 : 0);
    out.probabilities.push(probabilities[i]!);
  });
  return out;
}

export function evaluatePredictions(
  predictor: EnsemblePredictor,
  examples: readonly Example[],
  predictions: readonly Prediction[],
  trainingPositiveRate: number | null,
): EvaluationReport {
  const { config, targetScaling, ensemble } = predictor.card;
  const regression: Record<string, RegressionReport> = {};
  config.regressionTargets.forEach((name, j) => {
    const formulas: string[] = [];
    const truth: number[] = [];
    const predicted: number[] = [];
    const sigma: number[] = [];
    examples.forEach((e, i) => {
      const t = e.targets[name];
      if (t === null || t === undefined) return;
      formulas.push(e.formula);
      truth.push(t);
      predicted.push(predictions[i]!.regression[name]!.value);
      sigma.push(predictions[i]!.regression[name]!.sigma);
    });
    if (truth.length === 0) return;
    const meanBaseline = regressionMetrics(truth, truth.map(() => targetScaling.mean[j]!));
    regression[name] = regressionReport({ formulas, truth, predicted, sigma }, meanBaseline, ensemble.zeroBelow?.[name] !== undefined);
  });
  let classification: ClassificationReport | null = null;
  const target = config.classificationTarget;
  if (target !== null) {
    const { formulas, labels, probabilities } = labelled(examples, predictions.map((p) => p.classification!.probability), target);
    if (labels.length > 0) {
      const majority = (trainingPositiveRate ?? 0) >= 0.5 ? 1 : 0;
      classification = {
        target,
        atChosenThreshold: classificationMetrics(labels, probabilities, ensemble.threshold ?? 0.5),
        atHalf: classificationMetrics(labels, probabilities, 0.5),
        majorityBaseline: classificationMetrics(labels, labels.map(() => majority), 0.5),
        formulas,
        labels,
        probabilities,
      };
    }
  }
  return { rows: examples.length, regression, classification };
}

/** The report with each regression target's training-median baseline (the median of its present values in `training`). */
export function withMedianBaselines(r: EvaluationReport, training: readonly Example[]): EvaluationReport {
  const regression = Object.fromEntries(
    Object.entries(r.regression).map(([name, reg]) => {
      const values = training.map((e) => e.targets[name]).filter((v): v is number => v !== null && v !== undefined);
      if (!values.length) return [name, reg];
      const m = median(values);
      return [name, { ...reg, medianBaseline: regressionMetrics(reg.truth, reg.truth.map(() => m)), trainingMedian: m }];
    }),
  );
  return { ...r, regression };
}

/** The report without per-row arrays, for JSON summaries and model cards. */
export function summarizeReport(r: EvaluationReport): ReportSummary {
  const regression = Object.fromEntries(
    Object.entries(r.regression).map(([k, v]) => [k, { ...v.metrics, meanBaseline: v.meanBaseline, ...(v.medianBaseline ? { medianBaseline: v.medianBaseline } : {}), calibration: v.calibration, ...(v.gappedCalibration ? { gappedCalibration: v.gappedCalibration } : {}) }]),
  );
  const c = r.classification;
  return {
    rows: r.rows,
    regression,
    classification: c === null ? null : { target: c.target, atChosenThreshold: c.atChosenThreshold, atHalf: c.atHalf, majorityBaseline: c.majorityBaseline },
  };
}
