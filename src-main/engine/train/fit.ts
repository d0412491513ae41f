/**
 * Fits a complete model: featurize the split, train the ensemble, calibrate on validation (the
 * neighbour correction where it helps, the zero gate of band gaps with a point mass at zero, sigma
 * scale per regression target, decision threshold for the classifier), evaluate on the test rows.
 */
import type { BackendName } from '../../../shared/api/runtime.js';
import type { ElementTable } from '../../data/elements/load.js';
import { evaluatePredictions, type EvaluationReport } from '../evaluate/evaluate.js';
import { chooseThreshold } from '../evaluate/metrics.js';
import { applyZeroGate, chooseZeroGate, gatedSigmaScale, hasZeroMass, ZERO_GATE_MIN_VALIDATION_ROWS } from '../evaluate/zero-gate.js';
import { Featurizer, type FeaturizerSettings } from '../featurize/index.js';
import type { CardRoles, ModelCard } from '../model/card.js';
import { chooseRoles, modelRoles } from '../model/roles.js';
import { MODEL_FORMAT } from '../model/card.js';
import { validateModelConfig, type ModelConfig } from '../model/config.js';
import type { Params } from '../model/params.js';
import { crossCheckedCorrection, type NeighbourCorrection } from '../model/neighbour-correction.js';
import { EnsemblePredictor, isNonNegative } from '../model/predictor.js';
import { encodeExamples, fitTargetScaling, type Example } from './data.js';
import { compositionHalf } from './stoichiometry.js';
import { trainEnsemble, type EnsembleResult } from './ensemble.js';
import type { Split } from './protocols.js';
import type { TrainingSettings, TrainProgress } from './trainer.js';

export interface FitArgs {
  readonly table: ElementTable;
  readonly split: Split;
  readonly config: ModelConfig;
  readonly featurizer: FeaturizerSettings;
  readonly settings: TrainingSettings;
  readonly members: number;
  readonly parallel: number;
  readonly backend: BackendName;
  readonly name: string;
  readonly targetsMeaning: Readonly<Record<string, string>>;
  readonly data: Pick<ModelCard['data'], 'source' | 'sha256' | 'mpGapCompositions' | 'doublesRepeats' | 'jointSeed' | 'ownSplit'>;
  readonly checkpointRoot?: string;
  /** Fine-tune from this pretrained model (member k from its member k mod its size). */
  readonly initFrom?: { readonly card: ModelCard; readonly members: readonly ReadonlyMap<string, Float32Array>[] };
  readonly excluded?: { readonly datasets: readonly string[]; readonly rows: number };
  /** Which targets screening uses as band gap and stability (see model/roles.ts). */
  readonly roles?: CardRoles;
  readonly onProgress?: (member: number, progress: TrainProgress) => void;
  readonly signal?: AbortSignal;
  /** Calibrate a neighbour correction on the training rows (see CalibrationArgs). */
  readonly neighbourMemory?: boolean;
  /** The correction's memory where it is not `split.train` (see CalibrationArgs). */
  readonly memoryRows?: readonly Example[];
}

export interface FitResult {
  readonly predictor: EnsemblePredictor;
  readonly ensemble: EnsembleResult;
  readonly test: EvaluationReport | null;
  readonly validation: EvaluationReport;
}

/**
 * The band-gap targets (the card's PBE and experimental gap roles) whose training values have a point
 * mass at zero (evaluate/zero-gate.ts): the ones a zero gate may be fitted to.
 */
function gateableTargets(card: ModelCard, training: readonly Example[]): Set<string> {
  const roles = modelRoles(card);
  const gaps = [roles.bandGap?.target, roles.experimentalGap?.target].filter((t): t is string => t !== undefined);
  return new Set(gaps.filter((t) => hasZeroMass(training.map((e) => e.targets[t]).filter((v): v is number => v !== null && v !== undefined))));
}

/** The zero gate of each gateable target with enough validation rows, chosen on the calibration's validation predictions. */
function fitZeroGates(rawVal: EvaluationReport, gateable: ReadonlySet<string>): Record<string, number> {
  const gates: Record<string, number> = {};
  for (const [name, r] of Object.entries(rawVal.regression)) {
    if (gateable.has(name) && r.truth.length >= ZERO_GATE_MIN_VALIDATION_ROWS) gates[name] = chooseZeroGate(r.truth, r.predicted);
  }
  return gates;
}

export async function fitModel(args: FitArgs): Promise<FitResult> {
  const config = validateModelConfig(args.config);
  const featurizer = new Featurizer(args.table, args.featurizer);
  const scaling = fitTargetScaling(args.split.train, config.regressionTargets);
  const train = encodeExamples(args.split.train, featurizer, config, scaling);
  const val = encodeExamples(args.split.val, featurizer, config, scaling);
  const ensemble = await trainEnsemble({
    config,
    settings: args.settings,
    train,
    val,
    targetStd: scaling.std,
    members: args.members,
    parallel: args.parallel,
    backend: args.backend,
    ...(args.checkpointRoot ? { checkpointRoot: args.checkpointRoot } : {}),
    ...(args.initFrom ? { initFrom: { id: args.initFrom.card.id, members: args.initFrom.members } } : {}),
    ...(args.onProgress ? { onProgress: args.onProgress } : {}),
    ...(args.signal ? { signal: args.signal } : {}),
  });
  const card: Omit<ModelCard, 'weights'> = {
    format: MODEL_FORMAT,
    id: `${args.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    name: args.name,
    createdAt: new Date().toISOString(),
    targets: args.targetsMeaning,
    roles: args.roles ?? chooseRoles(config),
    config,
    featurizer: args.featurizer,
    targetScaling: scaling,
    training: args.settings,
    ensemble: { members: args.members, seeds: ensemble.seeds, sigmaScale: {}, threshold: null, bestEpochs: ensemble.bestEpochs, histories: ensemble.histories },
    data: {
      ...args.data,
      protocol: args.split.name,
      rows: { train: train.count, val: val.count, test: args.split.test.length },
      ...(args.excluded ? { excluded: args.excluded } : {}),
    },
    ...(args.initFrom ? { pretrainedFrom: { id: args.initFrom.card.id, name: args.initFrom.card.name, data: args.initFrom.card.data.source } } : {}),
    metrics: {},
    backend: args.backend,
    trainingSeconds: ensemble.seconds,
  };
  const calibrated = calibrateEnsemble({ card: { ...card, weights: { file: 'weights.bin', tensors: [] } }, members: ensemble.members, table: args.table, split: args.split, neighbourMemory: args.neighbourMemory ?? false, ...(args.memoryRows ? { memoryRows: args.memoryRows } : {}) });
  return { ...calibrated, ensemble };
}

export interface CalibrationArgs {
  /** The card to calibrate: its sigma scales, threshold and zero gates are replaced. */
  readonly card: ModelCard;
  readonly members: readonly Params[];
  readonly table: ElementTable;
  /** The split the model was trained on: calibrated on `val`, the gates' zero mass and the majority baseline read from `train`, scored on `test`. */
  readonly split: Split;
  /**
   * Choose a neighbour correction (model/neighbour-correction.ts) with `split.train` as its memory.
   * Only where the memory can be had again when the model is used: the split rebuilt from the data
   * bundle as the card names it, or a model that lives only in this process (a protocol's fold).
   */
  readonly neighbourMemory: boolean;
  /**
   * The memory's rows where they are not `split.train`: an update's (services/model-update.ts), which
   * trains on a rehearsal sample but has learned all of its base's rows, kept in its split file.
   */
  readonly memoryRows?: readonly Example[];
}

/**
 * The MAE of the values a target would report from these means: for a gated target (`gated`), after
 * the zero gate chosen on them; else clipped at 0 where the target cannot be negative.
 */
function reportedMae(truth: readonly number[], means: readonly number[], name: string, gated: boolean): number {
  const cut = gated ? chooseZeroGate(truth, means) : undefined;
  const reported = means.map((m) => (cut === undefined ? (isNonNegative(name) ? Math.max(0, m) : m) : applyZeroGate(m, cut)));
  return reported.reduce((s, v, i) => s + Math.abs(v - truth[i]!), 0) / Math.max(1, truth.length);
}

/**
 * The neighbour correction of each regression target that it helps, chosen on the validation rows'
 * ensemble means and neighbourhoods in `raw`'s memory (the training rows) and kept only where the
 * choice holds up across the two halves of those rows (`crossCheckedCorrection`).
 */
function fitNeighbourCorrections(raw: EnsemblePredictor, val: readonly Example[], gated: ReadonlySet<string>): Record<string, NeighbourCorrection> {
  const residuals = raw.neighbourResiduals;
  if (!residuals || val.length === 0) return {};
  const compositions = val.map((e) => e.composition);
  const means = raw.ensembleMeans(compositions);
  const hood = raw.neighbourhood(compositions);
  const halves = val.map((e) => compositionHalf(e.composition)); // polymorphs and sources of one formula share a half
  const names = raw.card.config.regressionTargets;
  const chosen: Record<string, NeighbourCorrection> = {};
  names.forEach((name, j) => {
    const rows = val.flatMap((e, i) => (e.targets[name] === null || e.targets[name] === undefined ? [] : [i]));
    const labelled = { rows, mean: rows.map((i) => means[i * names.length + j]!), truth: rows.map((i) => val[i]!.targets[name]!) };
    const score = (truth: readonly number[], predicted: readonly number[]): number => reportedMae(truth, predicted, name, gated.has(name));
    const choice = crossCheckedCorrection(hood, labelled, rows.map((i) => halves[i]!), residuals, j, score);
    if (choice) chosen[name] = { ...choice.settings, crossChecked: choice.crossChecked };
  });
  return chosen;
}

/** The share of positives among the rows labelled with `target` (0/1 at 0.5, as training encodes them); null without a classifier. */
export function positiveRate(examples: readonly Example[], target: string | null): number | null {
  if (target === null) return null;
  const labels = examples.map((e) => e.targets[target]).filter((v): v is number => v !== null && v !== undefined);
  return labels.filter((v) => v > 0.5).length / Math.max(1, labels.length);
}

/**
 * Calibrates an ensemble on its validation rows with an uncalibrated predictor: the neighbour
 * correction of each target it helps (with `neighbourMemory`), then on the corrected means the zero
 * gate of each band gap with a point mass at zero, the sigma scales (on the rows the gate leaves alone)
 * and the decision threshold; returns the calibrated predictor with its validation and test reports.
 */
export function calibrateEnsemble(args: CalibrationArgs): Omit<FitResult, 'ensemble'> {
  const { card, split } = args;
  const rate = positiveRate(split.train, card.config.classificationTarget);
  const { zeroBelow: _z, neighbourCorrection: _n, ...uncalibrated } = { ...card.ensemble, sigmaScale: {}, threshold: null };
  const raw = new EnsemblePredictor({ card: { ...card, ensemble: uncalibrated }, members: [...args.members] }, args.table);
  const memory = args.memoryRows ?? split.train;
  if (args.neighbourMemory && memory.length > 0) raw.setNeighbourMemory(memory);
  const gateable = gateableTargets(card, split.train);
  const neighbourCorrection = fitNeighbourCorrections(raw, split.val, gateable);
  const corrections = Object.keys(neighbourCorrection).length ? { neighbourCorrection } : {};
  // the gates, sigma scales and threshold are chosen on the corrected means
  const corrected = raw.withCard({ ...card, ensemble: { ...uncalibrated, ...corrections } });
  const rawVal = evaluatePredictions(corrected, split.val, corrected.predict(split.val.map((e) => e.composition)), rate);
  const zeroBelow = fitZeroGates(rawVal, gateable);
  const sigmaScale = Object.fromEntries(Object.entries(rawVal.regression).map(([k, r]) => [k, gatedSigmaScale(r, zeroBelow[k])]));
  const threshold = rawVal.classification ? chooseThreshold(rawVal.classification.labels, rawVal.classification.probabilities) : null;
  const { neighbourCorrection: _old, ...ensemble } = card.ensemble;
  const calibrated: ModelCard = { ...card, ensemble: { ...ensemble, sigmaScale, threshold, zeroBelow, ...corrections } };
  const predictor = corrected.withCard(calibrated);
  const validation = evaluatePredictions(predictor, split.val, predictor.predict(split.val.map((e) => e.composition)), rate);
  const test = split.test.length ? evaluatePredictions(predictor, split.test, predictor.predict(split.test.map((e) => e.composition)), rate) : null;
  return { predictor, test, validation };
}

