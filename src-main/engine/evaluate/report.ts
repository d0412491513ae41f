/** Writes evaluation reports: report.json, summary.md and SVG plots in one folder. */
import { targetUnit } from '../../../shared/api/labels.js';
import type { BackendName } from '../../../shared/api/runtime.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { join } from 'node:path';
import type { EpochRecord } from '../train/trainer.js';
import { summarizeReport, type EvaluationReport } from './evaluate.js';
import { confusionSvg, lineChartSvg, paritySvg } from './plots.js';
import { classMetrics } from './metrics.js';
import { familyBreakdown, familyLines } from './family-breakdown.js';
import type { CompositionGroup, HullRuleResult, PolymorphSplit } from './polymorphs.js';
import type { ModelCard } from '../model/card.js';
import { describeCorrection, type NeighbourCorrection } from '../model/neighbour-correction.js';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

export interface FoldResult {
  readonly name: string;
  readonly test: EvaluationReport;
  /**
   * The fold's model on its validation rows, chosen as its test rows are (evaluation.ts,
   * `validationLikeTest`). These rows chose the fold's early stopping and calibration, so their
   * numbers flatter the model: they are where one recipe is chosen over another, never a score.
   */
  readonly validation?: EvaluationReport;
  readonly histories: readonly (readonly EpochRecord[])[];
  readonly trainingSeconds: number;
  readonly rows: { readonly train: number; readonly val: number; readonly test: number };
  /** Split of rows (protocol R): test rows by whether their composition was seen in training. */
  readonly polymorphs?: PolymorphSplit;
  /** Split of rows: the classifier with the hull's uniqueness applied (see polymorphs.ts). */
  readonly hullRule?: HullRuleResult;
  /** The band gap split by the model's applicability flag (a model with a calibrated domain). */
  readonly domain?: DomainSplit;
  /** What the fold's model chose on its validation rows (or the scored model's card). */
  readonly calibration?: FoldCalibration;
}

/** A model's calibration as its card holds it: per regression target, the neighbour correction, zero gate and sigma scale. */
export interface FoldCalibration {
  readonly neighbourCorrection: Readonly<Record<string, NeighbourCorrection>>;
  readonly zeroBelow: Readonly<Record<string, number>>;
  readonly sigmaScale: Readonly<Record<string, number>>;
  readonly threshold: number | null;
}

/** The calibration a card records. */
export function calibrationOf(ensemble: Pick<ModelCard['ensemble'], 'neighbourCorrection' | 'zeroBelow' | 'sigmaScale' | 'threshold'>): FoldCalibration {
  return { neighbourCorrection: ensemble.neighbourCorrection ?? {}, zeroBelow: ensemble.zeroBelow ?? {}, sigmaScale: ensemble.sigmaScale, threshold: ensemble.threshold };
}

function calibrationLines(folds: readonly FoldResult[]): string[] {
  const withCalibration = folds.filter((f): f is FoldResult & { calibration: FoldCalibration } => f.calibration !== undefined);
  if (!withCalibration.length) return [];
  const rows = withCalibration.flatMap((f) =>
    Object.keys(f.calibration.sigmaScale).map((t) => {
      const c = f.calibration.neighbourCorrection[t];
      const cut = f.calibration.zeroBelow[t];
      return `| ${f.name} | ${t} | ${c ? describeCorrection(c, targetUnit(t)) : 'none'} | ${cut === undefined ? 'none' : `<= ${cut.toFixed(3)} -> 0`} | ${f.calibration.sigmaScale[t]!.toFixed(3)} |`;
    }),
  );
  return [
    '',
    '## Calibration of each model (chosen on its validation rows)',
    '',
    'Neighbour correction: the mean moved by the residuals of the k nearest training rows in latent space (engine/model/neighbour-correction.ts; "none": no setting lowered validation MAE, or the gain did not hold up across the two halves of the validation rows; where given, the MAE of each half with no correction and with the other half\'s choice). Zero gate: a band gap whose mean is at or below the cut reads 0.',
    '',
    '| model | target | neighbour correction | zero gate | sigma scale |',
    '|---|---|---|---|---|',
    ...rows,
  ];
}

/** One group of test rows by the applicability flag: band-gap MAE and the share within 1 and 2 sigma. */
export interface DomainGroup {
  readonly rows: number;
  readonly mae: number | null;
  readonly within1: number | null;
  readonly within2: number | null;
}

export interface DomainSplit {
  readonly target: string;
  readonly threshold: number;
  /** How the threshold was chosen, where the evaluation chose it (a fold's model); absent for a model's calibrated domain.json. */
  readonly rule?: string;
  readonly inDomain: DomainGroup;
  readonly extrapolation: DomainGroup;
  /** Each test row's flag, in the order of the test report's rows of `target` (predictions.csv; not in report.json). */
  readonly flags?: readonly boolean[];
}

/** MAE and the shares within 1 and 2 sigma of rows given as absolute error and sigma. */
export function domainGroup(rows: readonly { readonly error: number; readonly sigma: number }[]): DomainGroup {
  if (!rows.length) return { rows: 0, mae: null, within1: null, within2: null };
  const share = (k: number): number => rows.filter((r) => r.error <= k * r.sigma).length / rows.length;
  return { rows: rows.length, mae: rows.reduce((s, r) => s + r.error, 0) / rows.length, within1: share(1), within2: share(2) };
}

/** Test rows (absolute error, sigma and flag) grouped by the flag. */
export function domainSplit(target: string, threshold: number, rows: readonly { error: number; sigma: number; inDomain: boolean }[]): DomainSplit {
  return { target, threshold, inDomain: domainGroup(rows.filter((r) => r.inDomain)), extrapolation: domainGroup(rows.filter((r) => !r.inDomain)), flags: rows.map((r) => r.inDomain) };
}

/** The headline numbers of one fold. */
export function headline(r: EvaluationReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, reg] of Object.entries(r.regression)) {
    out[`${name}.mae`] = reg.metrics.mae;
    out[`${name}.rmse`] = reg.metrics.rmse;
    out[`${name}.r2`] = reg.metrics.r2;
    out[`${name}.within1sigma`] = reg.calibration.within1;
    out[`${name}.within2sigma`] = reg.calibration.within2;
    if (reg.gappedCalibration) {
      out[`${name}.within1sigmaGapped`] = reg.gappedCalibration.within1;
      out[`${name}.within2sigmaGapped`] = reg.gappedCalibration.within2;
    }
    out[`${name}.baselineMae`] = reg.meanBaseline.mae;
    if (reg.medianBaseline) out[`${name}.medianBaselineMae`] = reg.medianBaseline.mae;
  }
  const c = r.classification;
  if (c) {
    out[`${c.target}.rocAuc`] = c.atChosenThreshold.rocAuc;
    out[`${c.target}.f1`] = c.atChosenThreshold.positive.f1;
    out[`${c.target}.recall`] = c.atChosenThreshold.positive.recall;
    out[`${c.target}.precision`] = c.atChosenThreshold.positive.precision;
    out[`${c.target}.accuracy`] = c.atChosenThreshold.accuracy;
    out[`${c.target}.weightedF1`] = c.atChosenThreshold.weightedF1;
    out[`${c.target}.mcc`] = c.atChosenThreshold.mcc;
    out[`${c.target}.f1At0.5`] = c.atHalf.positive.f1;
    out[`${c.target}.baselineAccuracy`] = c.majorityBaseline.accuracy;
  }
  return out;
}

/** Mean and sample standard deviation of each headline number over folds (of their test reports, or of the reports `pick` gives). */
export function aggregate(folds: readonly FoldResult[], pick: (f: FoldResult) => EvaluationReport | undefined = (f) => f.test): Record<string, { mean: number; std: number }> {
  const rows = folds.flatMap((f) => {
    const r = pick(f);
    return r ? [headline(r)] : [];
  });
  const keys = Object.keys(rows[0] ?? {});
  return Object.fromEntries(
    keys.map((k) => {
      const v = rows.map((r) => r[k]).filter((x): x is number => x !== undefined); // a number some folds lack (no gated rows) averages over those that have it
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
      return [k, { mean, std }];
    }),
  );
}

export interface ReportMeta {
  readonly protocol: string;
  readonly description: string;
  readonly command: string;
  readonly backend: BackendName;
  readonly model: Record<string, unknown>;
  /** Markdown lines for summary.md, after the headline table (what the report is, where it is not a trained recipe). */
  readonly notes?: readonly string[];
}

export function writeReport(dir: string, meta: ReportMeta, folds: readonly FoldResult[]): Record<string, { mean: number; std: number }> {
  mkdirSync(dir, { recursive: true });
  const summary = aggregate(folds);
  const validationSummary = folds.some((f) => f.validation) ? aggregate(folds, (f) => f.validation) : null;
  const { notes: _notes, ...described } = meta;
  const json = {
    ...described,
    createdAt: new Date().toISOString(),
    summary,
    ...(validationSummary ? { validationSummary } : {}),
    folds: folds.map((f) => ({ name: f.name, rows: f.rows, trainingSeconds: f.trainingSeconds, headline: headline(f.test), detail: summarizeReport(f.test), ...(f.validation ? { validationHeadline: headline(f.validation), validationDetail: summarizeReport(f.validation) } : {}), ...(f.polymorphs ? { polymorphs: f.polymorphs } : {}), ...(f.hullRule ? { hullRule: f.hullRule } : {}), ...(f.domain ? { domain: withoutFlags(f.domain) } : {}), ...(f.calibration ? { calibration: f.calibration } : {}) })),
    families: familyBreakdown(folds),
  };
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(dir, PREDICTIONS_FILE), predictionsCsv(folds));
  folds.forEach((f, i) => {
    const tag = folds.length > 1 ? `-fold${i}` : '';
    for (const [name, reg] of Object.entries(f.test.regression)) {
      writeFileSync(join(dir, `parity-${name}${tag}.svg`), paritySvg(`${meta.protocol} ${f.name}: ${name} (test, n=${reg.truth.length})`, reg.truth, reg.predicted, targetUnit(name)));
    }
    if (f.test.classification) {
      writeFileSync(join(dir, `confusion${tag}.svg`), confusionSvg(`${meta.protocol} ${f.name}: ${f.test.classification.target} (test)`, f.test.classification.atChosenThreshold));
    }
    const firstTarget = Object.keys(f.histories[0]?.[0]?.valMae ?? {})[0];
    if (!f.histories.length) return; // no model trained here (a combination of reports)
    writeFileSync(
      join(dir, `learning-curves${tag}.svg`),
      lineChartSvg(
        `${meta.protocol} ${f.name}: validation ${firstTarget ?? 'score'} per epoch`,
        f.histories.map((h, k) => ({
          label: `member ${k}`,
          values: h.map((e) => (firstTarget ? e.valMae[firstTarget]! : e.valScore)),
          color: PALETTE[k % PALETTE.length]!,
        })),
        firstTarget ? `validation MAE (${firstTarget})` : 'validation score',
      ),
    );
  });
  const lines = [
    `# ${meta.protocol}: ${meta.description}`,
    '',
    `Command: \`${meta.command}\`  `,
    `Backend: ${meta.backend}; folds: ${folds.length}; written ${json.createdAt}.`,
    '',
    '| metric | mean | std over folds |',
    '|---|---|---|',
    ...Object.entries(summary).map(([k, v]) => `| ${k} | ${v.mean.toFixed(4)} | ${v.std.toFixed(4)} |`),
    '',
    'Per fold: `report.json`; every row\'s prediction: `' + PREDICTIONS_FILE + '`. Plots: ' + ['parity-*.svg', 'confusion*.svg', 'learning-curves*.svg'].join(', ') + '.',
    '',
    ...(meta.notes ?? []),
    ...(validationSummary ? validationLines(validationSummary, folds) : []),
    ...folds.flatMap((f) => (f.polymorphs ? polymorphLines(f.polymorphs) : [])),
    ...folds.flatMap((f) => (f.hullRule ? hullRuleLines(f.hullRule) : [])),
    ...domainLines(folds),
    ...familyLines(json.families),
    ...calibrationLines(folds),
  ];
  writeFileSync(join(dir, 'summary.md'), lines.join('\n'));
  return summary;
}

/** The file of every scored row's prediction, beside report.json. */
export const PREDICTIONS_FILE = 'predictions.csv';

/** The columns of predictions.csv, in order. */
export const PREDICTION_COLUMNS = ['fold', 'rows', 'formula', 'target', 'unit', 'truth', 'predicted', 'sigma', 'in_domain'] as const;

function withoutFlags(d: DomainSplit): DomainSplit {
  const { flags: _flags, ...rest } = d;
  return rest;
}

/**
 * Every regression row a report scored, test and validation, with its fold, truth, mean and sigma
 * (the fold model's calibrated values) and, for the test rows of the domain's target, the
 * applicability flag (1 in domain, 0 extrapolation; empty where none was computed).
 */
function predictionsCsv(folds: readonly FoldResult[]): string {
  const rows: (string | number)[][] = [];
  for (const f of folds) {
    for (const [part, report] of [['test', f.test], ['validation', f.validation]] as const) {
      if (!report) continue;
      for (const [target, reg] of Object.entries(report.regression)) {
        const flags = part === 'test' && f.domain?.target === target && f.domain.flags?.length === reg.truth.length ? f.domain.flags : null;
        reg.truth.forEach((t, i) => {
          rows.push([f.name, part, reg.formulas[i]!, target, targetUnit(target), t, reg.predicted[i]!, reg.sigma[i]!, flags ? (flags[i] ? 1 : 0) : '']);
        });
      }
    }
  }
  return stringify(rows, { header: true, columns: [...PREDICTION_COLUMNS] });
}

/** The validation table: where recipes are compared (the test table above is the score). */
function validationLines(summary: Record<string, { mean: number; std: number }>, folds: readonly FoldResult[]): string[] {
  const rows = folds.map((f) => f.validation?.rows ?? 0).join(', ');
  return [
    '## Validation rows (where recipes are compared)',
    '',
    `Each fold's model on its validation rows (${rows}), chosen as its test rows are: the same sources and`,
    'targets (evaluation.ts, `validationLikeTest`). These rows chose early stopping and the calibration, so',
    'the numbers flatter the model; one recipe is chosen over another here, never on the test table above.',
    '',
    '| metric | mean | std over folds |',
    '|---|---|---|',
    ...Object.entries(summary).map(([k, v]) => `| ${k} | ${v.mean.toFixed(4)} | ${v.std.toFixed(4)} |`),
    '',
  ];
}

function polymorphLines(p: PolymorphSplit): string[] {
  const n = p.seen.rows + p.unseen.rows;
  return [
    `## ${p.target}: test rows whose composition has polymorphs in training`,
    '',
    `This split is of rows, and the seed set lists polymorphs as separate rows. A composition-only model gives`,
    `every polymorph of a formula one prediction, so on a test row whose composition it saw in training it`,
    `cannot, in expectation, do better than that composition's training polymorphs.`,
    '',
    '| test rows | rows | model MAE | MAE of the training polymorphs\' median |',
    '|---|---|---|---|',
    `| composition seen in training | ${p.seen.rows} | ${p.seen.modelMae.toFixed(4)} | ${p.seen.trainingMedianMae.toFixed(4)} |`,
    `| composition new | ${p.unseen.rows} | ${p.unseen.modelMae.toFixed(4)} | - |`,
    '',
    `Floor for all ${n} rows, even if every new-composition row were predicted exactly and each seen one by its`,
    `training polymorphs (median for MAE, mean for R2): **MAE ${p.floor.mae.toFixed(4)}, R2 ${p.floor.r2.toFixed(4)}**.`,
    '',
  ];
}

/** Rows of several groups taken together: their count, MAE and shares within 1 and 2 sigma, weighted by rows. */
export function pooledGroup(groups: readonly DomainGroup[]): DomainGroup {
  const rows = groups.reduce((s, g) => s + g.rows, 0);
  if (!rows) return { rows: 0, mae: null, within1: null, within2: null };
  const weighted = (pick: (g: DomainGroup) => number | null): number => groups.reduce((s, g) => s + (g.rows ? pick(g)! * g.rows : 0), 0) / rows;
  return { rows, mae: weighted((g) => g.mae), within1: weighted((g) => g.within1), within2: weighted((g) => g.within2) };
}

/** One table of the band gap by the applicability flag: a row pair per fold, then all folds pooled. */
function domainLines(folds: readonly FoldResult[]): string[] {
  const split = folds.filter((f): f is FoldResult & { domain: DomainSplit } => f.domain !== undefined);
  const first = split[0]?.domain;
  if (!first) return [];
  const f = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));
  const row = (name: string, g: DomainGroup): string => `| ${name} | ${g.rows} | ${f(g.mae, 4)} | ${f(g.within1, 3)} | ${f(g.within2, 3)} |`;
  const thresholds = split.map((s) => s.domain.threshold.toFixed(4)).join(', ');
  return [
    `## ${first.target} by the applicability flag`,
    '',
    first.rule === undefined
      ? `The model's calibrated domain (latent distance to its training compositions, threshold ${first.threshold.toFixed(4)}; see reports/domain).`
      : `${split.length > 1 ? 'Each fold\'s model with its own domain' : 'The model with a domain of its own'}: latent distance to its training compositions; the threshold (${thresholds}) ${first.rule}. No test row took part in the choice.`,
    '',
    `| test rows | rows | MAE (eV) | within 1 sigma | within 2 sigma |`,
    '|---|---|---|---|---|',
    ...split.flatMap((s) => [row(`${s.name}, in domain`, s.domain.inDomain), row(`${s.name}, extrapolation`, s.domain.extrapolation)]),
    ...(split.length > 1
      ? [row('all folds, in domain', pooledGroup(split.map((s) => s.domain.inDomain))), row('all folds, extrapolation', pooledGroup(split.map((s) => s.domain.extrapolation)))]
      : []),
    '',
  ];
}

function hullRuleLines(h: HullRuleResult): string[] {
  const row = (name: string, m: HullRuleResult['test']): string =>
    `| ${name} | ${m.positive.f1.toFixed(4)} | ${m.positive.precision.toFixed(4)} | ${m.positive.recall.toFixed(4)} | ${m.rocAuc.toFixed(4)} | ${m.mcc.toFixed(4)} | ${m.tn} / ${m.fp} / ${m.fn} / ${m.tp} |`;
  return [
    `## ${h.target}: the model with the hull's uniqueness`,
    '',
    `The convex hull has one entry per composition (no formula of the seed set has two stable entries), so a`,
    `row whose composition already has an entry on the hull among the training rows is not on it: its`,
    `probability is set to 0 (${h.testRowsRuledOut} test rows). The threshold, ${h.threshold}, is chosen again on the validation`,
    `rows after the same rule (ruled by the train rows only). The table above is the model alone.`,
    '',
    `| rows | F1 (${h.target}) | precision | recall | ROC-AUC | MCC | TN / FP / FN / TP |`,
    '|---|---|---|---|---|---|---|',
    row('validation', h.validation),
    row('test', h.test),
    '',
    ...compositionGroupLines(h),
  ];
}

/** The model alone's test rows by their composition's history in training: where its F1 is lost. */
function compositionGroupLines(h: HullRuleResult): string[] {
  const { threshold, groups } = h.modelAlone;
  const f1 = (g: CompositionGroup): string => (g.positives ? classMetrics(g.truePositives, g.flagged - g.truePositives, g.positives - g.truePositives).f1.toFixed(4) : '-');
  return [
    `## ${h.target}: the model alone, by what the training rows record of each test row's composition`,
    '',
    `At the model's own threshold, ${threshold} (no rule). Training rows: train + validation. A row whose composition`,
    `has an entry on the hull in training is never on it, so every flag there is a false positive; the`,
    `other two groups are where the model can be right.`,
    '',
    `| composition in training | test rows | on the hull | flagged | true positives | false positives | missed | F1 (${h.target}) |`,
    '|---|---|---|---|---|---|---|---|',
    ...groups.map((g) => `| ${g.history} | ${g.rows} | ${g.positives} | ${g.flagged} | ${g.truePositives} | ${g.flagged - g.truePositives} | ${g.positives - g.truePositives} | ${f1(g)} |`),
    '',
  ];
}
