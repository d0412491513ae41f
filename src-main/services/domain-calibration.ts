/**
 * Calibrating a model's applicability domain (engine/domain): the latent distance beyond which its
 * predictions are flagged as extrapolations, chosen on held-out compositions and checked on others.
 *
 * Held-out rows: Matbench mp_gap entries whose composition is not among the model's training
 * compositions (for the default model: every mp_gap composition outside mp_abx3, which its fine-tuning
 * never saw; its pretrained encoder did see them, so the errors here are if anything optimistic). They
 * are split into 5 folds by composition; the threshold is chosen on folds 0-3 and the numbers reported
 * on fold 4. Rule: sort the calibration rows by distance into 20 equal bins; the threshold is the
 * lower edge of the first bin whose band-gap MAE exceeds twice the model's own validation MAE.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compositionKey } from '../../shared/composition/key.js';
import { loadNamedDataset } from '../data/datasets/index.js';
import type { ElementTable } from '../data/elements/load.js';
import { projectRoot } from '../data/paths.js';
import { writeDomainFile } from '../engine/domain/file.js';
import { DOMAIN_FORMAT, type DomainFile } from '../engine/domain/index.js';
import { lineChartSvg } from '../engine/evaluate/plots.js';
import { domainGroup, type DomainGroup } from '../engine/evaluate/report.js';
import { readModelCard } from '../engine/model/bundle.js';
import { bundledTrainingData } from '../engine/model/card.js';
import { EnsemblePredictor } from '../engine/model/predictor.js';
import { modelRoles } from '../engine/model/roles.js';
import { modelTrainingExamples } from '../engine/train/bundled.js';
import { TrainingError } from './training.js';
import { compositionFold, doubleLike } from '../engine/train/stoichiometry.js';

const BINS = 20;

export interface DomainCalibration {
  readonly file: DomainFile;
  readonly validationMae: number;
  readonly calibrationRows: number;
  /** Fold 4: in the domain, flagged, and all. */
  readonly test: { readonly inDomain: DomainGroup; readonly extrapolation: DomainGroup; readonly all: DomainGroup };
  /** Fold 4 by distance, 20 equal bins: upper edge and MAE. */
  readonly bins: readonly { readonly upTo: number; readonly rows: number; readonly mae: number }[];
  /** Fold 4's double-perovskite-like rows (2:1:1:6 and 2:1:6): how many are flagged, and the MAE of each group. */
  readonly doubles: { readonly inDomain: DomainGroup; readonly extrapolation: DomainGroup };
}

interface Scored {
  readonly distance: number;
  readonly error: number;
  readonly sigma: number;
  readonly double: boolean;
}

/** Rows sorted by distance into `bins` bins of equal count: each bin's distance range, rows and MAE. */
export function distanceBins(rows: readonly { readonly distance: number; readonly error: number }[], bins: number): { from: number; upTo: number; rows: number; mae: number }[] {
  const sorted = [...rows].sort((a, b) => a.distance - b.distance);
  return Array.from({ length: bins }, (_, b) => {
    const part = sorted.slice(Math.floor((b * sorted.length) / bins), Math.floor(((b + 1) * sorted.length) / bins));
    return { from: part[0]?.distance ?? 0, upTo: part.at(-1)?.distance ?? 0, rows: part.length, mae: part.reduce((s, r) => s + r.error, 0) / Math.max(1, part.length) };
  });
}

/** The domain's rule: the lower edge of the first distance bin whose MAE exceeds `maxMae`; else the farthest row's distance. */
export function thresholdByBins(rows: readonly { readonly distance: number; readonly error: number }[], bins: number, maxMae: number): number {
  const firstBad = distanceBins(rows, bins).find((b) => b.rows > 0 && b.mae > maxMae);
  return firstBad ? firstBad.from : rows.reduce((m, r) => Math.max(m, r.distance), 0);
}

export function calibrateDomain(modelDir: string, table: ElementTable, reportDir: string): DomainCalibration {
  const card = readModelCard(modelDir);
  const dataset = bundledTrainingData(card);
  if (!dataset) throw new TrainingError(`model ${card.name} was trained on ${card.data.source}, not a bundled dataset: its training compositions cannot be rebuilt, so it gets no domain`);
  const gap = modelRoles(card).bandGap?.target;
  if (!gap) throw new TrainingError(`model ${card.name} has no band-gap target to calibrate the domain on`);
  const validationMae = (card.metrics as { validation?: { regression?: Record<string, { mae: number }> } }).validation?.regression?.[gap]?.mae;
  if (validationMae === undefined) throw new TrainingError(`model ${card.name} has no validation MAE of ${gap} on its card`);
  const references = modelTrainingExamples(card, modelDir)!;
  const referenceKeys = new Set(references.map((r) => compositionKey(r.composition)));
  const heldOut = loadNamedDataset('mp_gap').rows.filter((r) => r.composition.elements.length <= card.featurizer.maxElements && !referenceKeys.has(compositionKey(r.composition)));

  const predictor = EnsemblePredictor.load(modelDir, table, false); // not the old domain.json: its references would be embedded for nothing
  try {
    const reportRel = relative(projectRoot(), join(reportDir, 'summary.md'));
    const provisional: DomainFile = { format: DOMAIN_FORMAT, reference: { dataset, rows: references.length }, space: "ensemble member 0's trunk output (Euclidean)", threshold: Infinity, rule: '', calibratedAt: new Date().toISOString(), report: reportRel };
    predictor.setDomain(provisional, references, modelDir); // and cached beside the model: its next load reads them
    const predicted = predictor.predict(heldOut.map((r) => r.composition));
    const scored = heldOut.map((r, i): Scored & { fold: number } => ({
      distance: predicted[i]!.domain!.distance,
      error: Math.abs(predicted[i]!.regression[gap]!.value - r.targets['band_gap']!),
      sigma: predicted[i]!.regression[gap]!.sigma,
      double: doubleLike(r.composition),
      fold: compositionFold(r.composition),
    }));
    const calibration = scored.filter((r) => r.fold !== 4);
    const test = scored.filter((r) => r.fold === 4);
    const threshold = thresholdByBins(calibration, BINS, 2 * validationMae);
    const rule = `the lower edge of the first of ${BINS} equal bins of held-out compositions (mp_gap entries outside ${dataset}, folds 0-3 by composition) whose ${gap} MAE exceeds twice the model's validation MAE (2 x ${validationMae.toFixed(3)} eV)`;
    const file: DomainFile = { ...provisional, threshold, rule };
    const inside = (r: Scored): boolean => r.distance <= threshold;
    const result: DomainCalibration = {
      file,
      validationMae,
      calibrationRows: calibration.length,
      test: { inDomain: domainGroup(test.filter(inside)), extrapolation: domainGroup(test.filter((r) => !inside(r))), all: domainGroup(test) },
      bins: distanceBins(test, BINS).map(({ upTo, rows, mae }) => ({ upTo, rows, mae })),
      doubles: { inDomain: domainGroup(test.filter((r) => r.double && inside(r))), extrapolation: domainGroup(test.filter((r) => r.double && !inside(r))) },
    };
    writeDomainFile(modelDir, file);
    writeReport(reportDir, card.name, result, `pdw calibrate-domain ${relative(projectRoot(), resolve(modelDir)) || modelDir} --out ${reportDir}`);
    return result;
  } finally {
    predictor.dispose();
  }
}

function writeReport(dir: string, model: string, c: DomainCalibration, command: string): void {
  mkdirSync(dir, { recursive: true });
  const f = (x: number | null, digits = 3): string => (x === null ? '-' : x.toFixed(digits));
  const row = (label: string, g: DomainGroup): string => `| ${label} | ${g.rows} | ${f(g.mae)} | ${f(g.within1, 2)} | ${f(g.within2, 2)} |`;
  const flagged = c.test.extrapolation.rows / Math.max(1, c.test.all.rows);
  writeFileSync(join(dir, 'mae-by-distance.svg'), lineChartSvg(`${model}: PBE gap MAE by latent distance (held-out fold 4)`, [
    { label: 'MAE per bin (eV)', values: c.bins.map((b) => b.mae), color: '#2f5bd3' },
    { label: '2 x validation MAE', values: c.bins.map(() => 2 * c.validationMae), color: '#d73027' },
  ], 'band-gap MAE (eV)', `bins of ${c.bins[0]?.rows ?? 0} rows by distance to the nearest training composition (threshold ${c.file.threshold.toFixed(3)})`, true));
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(c, null, 1)}\n`);
  writeFileSync(join(dir, 'summary.md'), `# Applicability domain of ${model}

Command: \`${command}\`; written ${c.file.calibratedAt}.

Distance: in the model's latent space (${c.file.space}) from a composition to the nearest of its
${c.file.reference.rows} training compositions (${c.file.reference.dataset}, one row per formula). Threshold
**${c.file.threshold.toFixed(4)}**: ${c.file.rule}. Chosen on ${c.calibrationRows} calibration rows; the
numbers below are for fold 4, which took no part in the choice. The model's encoder was pretrained on
mp_gap, so these rows are held out of its fine-tuning only: if anything the errors are optimistic.

| fold 4 (held out) | rows | PBE gap MAE (eV) | within 1 sigma | within 2 sigma |
|---|---|---|---|---|
${row('in domain', c.test.inDomain)}
${row('extrapolation (flagged)', c.test.extrapolation)}
${row('all', c.test.all)}
${row("double-perovskite stoichiometry, in domain", c.doubles.inDomain)}
${row("double-perovskite stoichiometry, flagged", c.doubles.extrapolation)}

${(100 * flagged).toFixed(0)}% of the held-out rows are flagged; their MAE is ${c.test.extrapolation.mae !== null && c.test.inDomain.mae ? (c.test.extrapolation.mae / c.test.inDomain.mae).toFixed(1) : '-'} times that of the rows in the domain.
The model's validation MAE (its own training data's held-out rows): ${c.validationMae.toFixed(3)} eV.

MAE by distance (fold 4, ${BINS} equal bins): ![MAE by distance](mae-by-distance.svg)

| bin | up to distance | rows | MAE (eV) |
|---|---|---|---|
${c.bins.map((b, i) => `| ${i + 1} | ${b.upTo.toFixed(3)} | ${b.rows} | ${b.mae.toFixed(3)} |`).join('\n')}
`);
}
