/**
 * A combination of evaluation reports: the recipes of several reports of one protocol, averaged row by
 * row on the same folds (an ensemble of recipes, e.g. two encoders of different width). Each report's
 * fold model is calibrated on its own validation rows; the combination takes their calibrated means
 * and sigmas from predictions.csv and
 * - averages the means row by row, with equal weights or, by choice, each report's weight on a row the
 *   inverse of its calibrated sigma^2 there (the precision-weighted mean: a recipe counts for more
 *   where it is surer; no weight is fitted either way),
 * - gives each row the sigma of the mixture with the same weights, sqrt(sum w (sigma^2 + (mean_i -
 *   mean)^2)), so the disagreement of the recipes widens it,
 * - for a target some report gated at zero (a band gap, zero-gate.ts), chooses the combination's own
 *   cut on the fold's validation rows (averaging a 0 and a 0.3 eV gives 0.15: the cut decides again),
 * - scales the sigmas on the same rows as a trained model's are (`gatedSigmaScale`: 68.3% of the
 *   gapped validation rows within 1 sigma), since the mixture's spread widens them,
 * - flags a test row in the domain only where every report's fold model flags it.
 * Classification heads are not combined (their reports' own numbers stand).
 */
import type { RegressionMetrics } from '../../../shared/api/metrics.js';
import { regressionReport, type EvaluationReport, type RegressionReport } from './evaluate.js';
import { domainSplit, type DomainSplit, type FoldResult } from './report.js';
import { applyZeroGate, chooseZeroGate, gatedSigmaScale, ZERO_GATE_MIN_VALIDATION_ROWS } from './zero-gate.js';

/** One row of a report's predictions.csv. */
export interface RowPrediction {
  readonly fold: string;
  readonly rows: 'test' | 'validation';
  readonly formula: string;
  readonly target: string;
  readonly truth: number;
  readonly predicted: number;
  readonly sigma: number;
  /** Test rows of the domain's target: the fold model's flag; else null. */
  readonly inDomain: boolean | null;
}

/** What the combination reads of a report's summary of a fold's rows: their count and each target's baselines. */
export interface PartBaselines {
  readonly rows: number;
  readonly regression: Readonly<Record<string, { readonly meanBaseline: RegressionMetrics; readonly medianBaseline?: RegressionMetrics | undefined }>>;
}

/** One fold of one report, as report.json and predictions.csv hold it. */
export interface SourceFold {
  readonly name: string;
  readonly rows: FoldResult['rows'];
  readonly trainingSeconds: number;
  readonly test: PartBaselines;
  readonly validation: PartBaselines | null;
  /** The fold model's zero-gate cuts, by target. */
  readonly zeroBelow: Readonly<Record<string, number>>;
  readonly domainThreshold: number | null;
  readonly predictions: readonly RowPrediction[];
}

export interface CombinationSource {
  /** Where the report is (for messages). */
  readonly dir: string;
  readonly folds: readonly SourceFold[];
}

export class CombinationError extends Error {}

/** How the reports' means are weighed on each row: equally, or by the inverse of each one's sigma^2 there. */
export const COMBINATION_WEIGHTS = ['equal', 'inverse-variance'] as const;
export type CombinationWeights = (typeof COMBINATION_WEIGHTS)[number];

/** Smallest sigma an inverse-variance weight is taken from (eV-scale targets; keeps a zero sigma finite). */
const MIN_WEIGHT_SIGMA = 1e-3;

/** The weights of `rows` (one per report, not normalized) under `weights`. */
function rowWeights(rows: readonly RowPrediction[], weights: CombinationWeights): number[] {
  return rows.map((r) => (weights === 'equal' ? 1 : 1 / Math.max(r.sigma, MIN_WEIGHT_SIGMA) ** 2));
}

/** What the combination chose on a fold's validation rows, per target: the zero gate's cut (where one was chosen) and the sigma scale. */
export interface TargetCalibration {
  readonly cut?: number;
  readonly sigmaScale: number;
}

/** Per fold, per target. */
export type CombinationCalibration = Readonly<Record<string, Readonly<Record<string, TargetCalibration>>>>;

const SAME = 1e-9;

/** The folds of `sources` combined row by row (see the module comment). Throws CombinationError where the reports did not score the same rows. */
export function combineSources(sources: readonly CombinationSource[], weights: CombinationWeights): { folds: FoldResult[]; calibration: CombinationCalibration } {
  if (sources.length < 2) throw new CombinationError(`a combination needs at least two reports, got ${sources.length}`);
  const [first, ...rest] = sources as [CombinationSource, ...CombinationSource[]];
  const names = first.folds.map((f) => f.name).join(', ');
  for (const s of rest) {
    const other = s.folds.map((f) => f.name).join(', ');
    if (other !== names) throw new CombinationError(`${s.dir} has folds ${other || 'none'}, ${first.dir} has ${names || 'none'}: combine reports of the same folds`);
  }
  const calibration: Record<string, Record<string, TargetCalibration>> = {};
  const folds = first.folds.map((fold, k) => {
    const parts = sources.map((s) => s.folds[k]!);
    const gated = new Set(parts.flatMap((p) => Object.keys(p.zeroBelow)));
    const val = parts.every((p) => p.validation) ? averagedPart(sources, k, 'validation', weights) : null;
    const chosen = new Map<string, TargetCalibration>();
    for (const [target, v] of val ?? []) {
      const cut = gated.has(target) && v.truth.length >= ZERO_GATE_MIN_VALIDATION_ROWS ? chooseZeroGate(v.truth, v.mean) : undefined;
      const predicted = cut === undefined ? v.mean : v.mean.map((m) => applyZeroGate(m, cut));
      chosen.set(target, { ...(cut === undefined ? {} : { cut }), sigmaScale: gatedSigmaScale({ truth: v.truth, predicted, sigma: v.sigma }, cut) });
    }
    calibration[fold.name] = Object.fromEntries(chosen);
    const test = scoredPart(sources, k, 'test', averagedPart(sources, k, 'test', weights), chosen);
    const validation = val ? scoredPart(sources, k, 'validation', val, chosen) : null;
    const domain = combinedDomain(sources, k, test);
    const result: FoldResult = {
      name: fold.name,
      test,
      ...(validation ? { validation } : {}),
      histories: [],
      trainingSeconds: parts.reduce((s, p) => s + p.trainingSeconds, 0),
      rows: fold.rows,
      ...(domain ? { domain } : {}),
    };
    return result;
  });
  return { folds, calibration };
}

/** Every source's rows of fold `k`, part `part`, one target: the same formulas and truths in the same order, or an error that says where they part. */
function alignedRows(sources: readonly CombinationSource[], k: number, part: RowPrediction['rows'], target: string): RowPrediction[][] {
  const rows = sources.map((s) => s.folds[k]!.predictions.filter((r) => r.rows === part && r.target === target));
  const [base] = rows as [RowPrediction[]];
  rows.forEach((r, j) => {
    const where = `${sources[j]!.dir}, ${sources[0]!.folds[k]!.name} ${part} rows of ${target}`;
    if (r.length !== base.length) throw new CombinationError(`${where}: ${r.length} rows against ${base.length} in ${sources[0]!.dir}; combine reports of the same protocol, folds and seed`);
    r.forEach((row, i) => {
      const b = base[i]!;
      if (row.formula !== b.formula || Math.abs(row.truth - b.truth) > SAME) {
        throw new CombinationError(`${where}, row ${i + 1}: ${row.formula} (${row.truth}) against ${b.formula} (${b.truth}) in ${sources[0]!.dir}; combine reports of the same protocol, folds and seed`);
      }
    });
  });
  return rows;
}

function summaryOf(p: SourceFold, part: RowPrediction['rows']): PartBaselines | null {
  return part === 'test' ? p.test : p.validation;
}

/** A baseline every source must agree on (the same training rows give the same mean and median). */
function sharedBaseline(sources: readonly CombinationSource[], k: number, part: RowPrediction['rows'], target: string, pick: (s: PartBaselines['regression'][string]) => RegressionMetrics | undefined): RegressionMetrics | undefined {
  const values = sources.map((s) => {
    const r = summaryOf(s.folds[k]!, part)?.regression[target];
    return r ? pick(r) : undefined;
  });
  const [base] = values;
  values.forEach((v, j) => {
    if (base && v && Math.abs(v.mae - base.mae) > 1e-6) {
      throw new CombinationError(`${sources[j]!.dir}, ${sources[0]!.folds[k]!.name}: its baseline MAE of ${target} (${v.mae}) is not ${sources[0]!.dir}'s (${base.mae}); their training rows differ`);
    }
  });
  return base;
}

/** One target's rows of a part, averaged over the sources: the weighted mean of their means and the mixture's sigma (before any gate or scale). */
interface AveragedTarget {
  readonly formulas: string[];
  readonly truth: number[];
  readonly mean: number[];
  readonly sigma: number[];
}

function averagedPart(sources: readonly CombinationSource[], k: number, part: RowPrediction['rows'], weights: CombinationWeights): Map<string, AveragedTarget> {
  const targets = [...new Set(sources[0]!.folds[k]!.predictions.filter((r) => r.rows === part).map((r) => r.target))];
  return new Map(
    targets.map((target) => {
      const rows = alignedRows(sources, k, part, target);
      const base = rows[0]!;
      const mean: number[] = [];
      const sigma: number[] = [];
      base.forEach((_, i) => {
        const row = rows.map((r) => r[i]!);
        const w = rowWeights(row, weights);
        const total = w.reduce((s, x) => s + x, 0);
        const m = row.reduce((s, r, j) => s + w[j]! * r.predicted, 0) / total;
        mean.push(m);
        sigma.push(Math.sqrt(row.reduce((s, r, j) => s + w[j]! * (r.sigma ** 2 + (r.predicted - m) ** 2), 0) / total));
      });
      return [target, { formulas: base.map((r) => r.formula), truth: base.map((r) => r.truth), mean, sigma }];
    }),
  );
}

/** A part's report: each target's averaged rows with the fold's gate and sigma scale, and the baselines its sources agree on. */
function scoredPart(sources: readonly CombinationSource[], k: number, part: RowPrediction['rows'], averaged: ReadonlyMap<string, AveragedTarget>, calibration: ReadonlyMap<string, TargetCalibration>): EvaluationReport {
  const regression: Record<string, RegressionReport> = {};
  for (const [target, a] of averaged) {
    const cut = calibration.get(target)?.cut;
    const scale = calibration.get(target)?.sigmaScale ?? 1;
    const meanBaseline = sharedBaseline(sources, k, part, target, (r) => r.meanBaseline);
    if (!meanBaseline) throw new CombinationError(`${sources[0]!.dir}, ${sources[0]!.folds[k]!.name}: report.json has no ${part} baseline for ${target} (written before commit 4c2b381, 2026-12-06: run its command again)`);
    const medianBaseline = sharedBaseline(sources, k, part, target, (r) => r.medianBaseline);
    const rows = {
      formulas: a.formulas,
      truth: a.truth,
      predicted: cut === undefined ? a.mean : a.mean.map((m) => applyZeroGate(m, cut)),
      sigma: a.sigma.map((s) => scale * s),
    };
    regression[target] = { ...regressionReport(rows, meanBaseline, cut !== undefined), ...(medianBaseline ? { medianBaseline } : {}) };
  }
  const rowCount = summaryOf(sources[0]!.folds[k]!, part)?.rows ?? 0;
  return { rows: rowCount, regression, classification: null };
}

/** The test rows of the domain's target, in the domain only where every source's fold model puts them. */
function combinedDomain(sources: readonly CombinationSource[], k: number, test: EvaluationReport): DomainSplit | null {
  const flagged = sources.map((s) => s.folds[k]!.predictions.filter((r) => r.rows === 'test' && r.inDomain !== null));
  const target = flagged[0]![0]?.target;
  if (!target || flagged.some((rows) => rows.length === 0 || rows.some((r) => r.target !== target))) return null;
  const reg = test.regression[target];
  if (!reg || flagged.some((rows) => rows.length !== reg.truth.length)) return null;
  const rows = reg.truth.map((t, i) => ({
    error: Math.abs(reg.predicted[i]! - t),
    sigma: reg.sigma[i]!,
    inDomain: flagged.every((f) => f[i]!.inDomain === true),
  }));
  const thresholds = sources.map((s) => s.folds[k]!.domainThreshold);
  const first = thresholds[0] ?? Number.NaN;
  return {
    ...domainSplit(target, first, rows),
    rule: `is the first report's; a row is in the domain only where every combined report's fold model puts it in its own (thresholds ${thresholds.map((t) => (t === null ? '-' : t.toFixed(4))).join(' / ')})`,
  };
}
