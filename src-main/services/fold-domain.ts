/**
 * The applicability domain of a model trained inside an evaluation (a cross-validation fold, or
 * protocol R's model, which has no domain.json): references are its training compositions, and the
 * threshold follows `pdw calibrate-domain`'s rule: the lower edge of the first of 20 equal distance bins
 * of held-out compositions whose band-gap MAE exceeds twice the model's validation MAE. Held-out rows,
 * for a PBE gap: Matbench mp_gap entries whose composition is neither a training nor a test composition
 * of the fold (the calibration the default model had); for another gap (expt_gap's measured gaps, which
 * mp_gap's PBE values would score with their fidelity gap) the fold's validation rows, in 5 bins. The
 * test rows are then split by the flag. No test row takes part in the choice.
 */
import { DOMAIN_FORMAT, type DomainFile } from '../engine/domain/index.js';
import { domainSplit, type DomainSplit } from '../engine/evaluate/report.js';
import type { EnsemblePredictor } from '../engine/model/predictor.js';
import type { Example } from '../engine/train/data.js';
import { compositionKey } from '../../shared/composition/key.js';
import { loadNamedDataset } from '../data/datasets/index.js';
import { thresholdByBins } from './domain-calibration.js';

const HELD_OUT_BINS = 20;
const VALIDATION_BINS = 5;

type Split = { readonly train: readonly Example[]; readonly val: readonly Example[]; readonly test: readonly Example[] };

/** mp_gap entries (PBE gap as `target`) whose composition is none of `split`'s training or test compositions. */
export function heldOutMpGap(split: Split, target: string, maxElements: number): Example[] {
  const excluded = new Set([...split.train, ...split.test].map((e) => compositionKey(e.composition)));
  return loadNamedDataset('mp_gap')
    .rows.filter((r) => r.composition.elements.length <= maxElements && !excluded.has(compositionKey(r.composition)))
    .map((r) => ({ formula: r.formula, composition: r.composition, targets: { [target]: r.targets['band_gap'] ?? null } }));
}

/** The rows of `examples` with a value for `target`, with the model's absolute error, sigma and distance. */
function scoreRows(predictor: EnsemblePredictor, examples: readonly Example[], target: string): { error: number; sigma: number; distance: number }[] {
  const rows = examples.filter((e) => e.targets[target] !== null && e.targets[target] !== undefined);
  const predicted = predictor.predict(rows.map((e) => e.composition));
  return rows.map((e, i) => {
    const p = predicted[i]!;
    return { error: Math.abs(p.regression[target]!.value - e.targets[target]!), sigma: p.regression[target]!.sigma, distance: p.domain!.distance };
  });
}

/**
 * The test rows of `target` split by a domain over `split.train` whose threshold is chosen on
 * `heldOut` (see above; null: on `split.val`). Leaves the references (with no threshold) set on `predictor`.
 */
export function foldDomainSplit(predictor: EnsemblePredictor, split: Split, target: string, source: string, heldOut: readonly Example[] | null): DomainSplit {
  const references: DomainFile = {
    format: DOMAIN_FORMAT,
    reference: { dataset: source, rows: split.train.length },
    space: "ensemble member 0's trunk output (Euclidean)",
    threshold: Infinity,
    rule: '',
    calibratedAt: new Date().toISOString(),
    report: '',
  };
  predictor.setDomain(references, split.train);
  const validation = scoreRows(predictor, split.val, target);
  const validationMae = validation.reduce((s, r) => s + r.error, 0) / Math.max(1, validation.length);
  const threshold = heldOut
    ? thresholdByBins(scoreRows(predictor, heldOut, target), HELD_OUT_BINS, 2 * validationMae)
    : thresholdByBins(validation, VALIDATION_BINS, 2 * validationMae);
  const rule = heldOut
    ? `is the lower edge of the first of ${HELD_OUT_BINS} equal distance bins of held-out compositions (mp_gap entries that are neither training nor test compositions of the model) whose ${target} MAE exceeds twice the model's validation MAE`
    : `is the lower edge of the first of ${VALIDATION_BINS} equal bins of its validation rows (by distance) whose ${target} MAE exceeds twice their MAE, else the farthest validation row's distance`;
  const test = scoreRows(predictor, split.test, target).map((r) => ({ ...r, inDomain: r.distance <= threshold }));
  return { ...domainSplit(target, threshold, test), rule };
}
