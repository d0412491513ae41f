/**
 * Evaluation workflows: protocol R scores a trained model on the seed set's test rows (with the
 * polymorph split and the hull rule); G, expt_gap, J and D (with --init-from) cross-validate a training
 * recipe fold by fold; H and D (without) score a trained model.
 * Reports (JSON, Markdown, SVG) are written to `out`; the caller prints what it likes.
 */
import { rmSync } from 'node:fs';
import type { BackendName } from '../../shared/api/runtime.js';
import { join } from 'node:path';
import { evaluatePredictions, withMedianBaselines, type EvaluationReport } from '../engine/evaluate/evaluate.js';
import { DOUBLES_SET, JOINT_DOUBLES_REPEATS, JOINT_MP_GAP_COMPOSITIONS, JOINT_TARGETS, SEED_TARGETS } from '../engine/train/joint.js';
import { jointChoicesOf } from '../engine/train/bundled.js';
import { bundledTrainingData, type ModelCard } from '../engine/model/card.js';
export { JOINT_MP_GAP_COMPOSITIONS } from '../engine/train/joint.js';
import { hullRuleEvaluation, polymorphSplit } from '../engine/evaluate/polymorphs.js';
import { calibrationOf, domainSplit, headline, writeReport, type DomainSplit, type FoldResult } from '../engine/evaluate/report.js';
import type { Example } from '../engine/train/data.js';
import { positiveRate, type FitResult } from '../engine/train/fit.js';
import type { Split } from '../engine/train/protocols.js';
import { loadNamedDataset } from '../data/datasets/index.js';
import { groupOf, isMetal } from '../data/elements/classify.js';
import { modelRoles } from '../engine/model/roles.js';
import { compositionFold, doubleLike, organicHalide } from '../engine/train/stoichiometry.js';
import { atomicNumber } from '../../shared/elements/symbols.js';
import type { ModelConfig } from '../engine/model/config.js';
import { taskNames } from '../engine/model/params.js';
import type { EnsemblePredictor, Prediction } from '../engine/model/predictor.js';
import { crossValidationSplit, JOINT_DATA, type TrainingData } from '../engine/train/sources.js';
import type { TrainingSettings, TrainProgress } from '../engine/train/trainer.js';
import { modelConfigFor, trainingSettingsFor, type ArchitectureRequest, type SettingsRequest } from './model-recipe.js';
import type { ModelStore } from './models.js';
import { TrainingError, type PretrainedModel, type TrainingService } from './training.js';
import { foldDomainSplit, heldOutMpGap } from './fold-domain.js';

export type { FoldResult } from '../engine/evaluate/report.js';

export const PROTOCOL_DESCRIPTIONS: Readonly<Record<string, string>> = {
  R: "seed set, random row split (456 test rows, as in the report). With --init-from: a joint model's recipe trained on R's training rows (one example per formula) and every other source less R's test and validation compositions, then scored the same way",
  G: 'seed set, one row per formula (lowest energy above hull; stable if any polymorph is), 5 folds by formula',
  expt_gap: 'Matbench experimental band gaps, 5 folds (CrabNet split files)',
  D: "double and vacancy-ordered perovskites: Matbench mp_gap entries of A2BB'X6 / A2BX6 stoichiometry (PBE gap), 5 folds by reduced formula. With --init-from: the joint default recipe trained per fold with the fold's compositions left out of every source, fine-tuned from an encoder pretrained without any of them (--exclude-formulas-of mp_gap_doubles); without: a trained model scored on the same folds (the baseline)",
  J: "joint: the default model's recipe (every bundled source at once, targets masked) cross-validated on G's folds (mp_abx3 one row per formula: PBE gap, stable, energy above hull, formation energy) and expt_gap's folds (experimental gap) together; each fold's test compositions leave every training source (the pretrained encoder never saw mp_abx3 or expt_gap compositions)",
  H: "hybrids: every bundled row with C, H and N, a halide and a B-site metal (groups 3-16; Matbench mp_gap, PBE gaps: expt_gap and mp_abx3 have none), scored with a trained model as a sanity check (a model pretrained on mp_gap has seen them: not a held-out score)",
};

export type EvaluationProtocol = 'R' | 'G' | 'expt_gap' | 'H' | 'D' | 'J';

/** Protocol H's rule: C, H and N (an organic cation), a halide, and a metal of groups 3-16 (a B-site metal, not an A-site alkali or alkaline earth). */
export function isHybridHalide(elements: readonly string[]): boolean {
  const z = (el: string): number => atomicNumber(el) ?? 0;
  return organicHalide(elements) && elements.some((e) => isMetal(z(e)) && groupOf(z(e)) >= 3);
}

/** Test rows of `gap` split by the flag their predictions carry (a model with its calibrated domain.json). */
function splitByCalibratedFlag(gap: string, threshold: number, examples: readonly Example[], predictions: readonly Prediction[]): DomainSplit {
  return domainSplit(gap, threshold, examples.map((e, i) => ({ error: Math.abs(predictions[i]!.regression[gap]!.value - e.targets[gap]!), sigma: predictions[i]!.regression[gap]!.sigma, inDomain: predictions[i]!.domain?.inDomain ?? false })));
}

/**
 * The validation rows of a fold, kept and labelled as its test rows are, so that their numbers compare
 * recipes on what the test scores: the joint recipe (J, and R with --init-from) scores the PBE gap on
 * the seed set's rows only (those with a stability label; mp_gap's rows keep their other targets), D the
 * double-perovskite compositions only; G and expt_gap every row.
 */
export function validationLikeTest(protocol: EvaluationProtocol, config: Pick<ModelConfig, 'regressionTargets' | 'classificationTarget'>, val: readonly Example[]): readonly Example[] {
  if (protocol === 'D') return val.filter((e) => doubleLike(e.composition));
  const gap = config.regressionTargets[0];
  const label = config.classificationTarget;
  if ((protocol !== 'J' && protocol !== 'R') || !gap || !label) return val;
  return val.map((e) => (e.targets[label] === null || e.targets[label] === undefined ? { ...e, targets: { ...e.targets, [gap]: null } } : e));
}

/**
 * A fold's model on its validation rows as `validationLikeTest` keeps them (the report's validation
 * table): the fit's own validation report where they are kept as they are (G, expt_gap), else those
 * rows scored again.
 */
function validationReport(protocol: EvaluationProtocol, fitted: Pick<FitResult, 'predictor' | 'validation'>, split: Split): EvaluationReport {
  const { predictor } = fitted;
  const { config } = predictor.card;
  const val = validationLikeTest(protocol, config, split.val);
  if (val === split.val) return fitted.validation;
  return evaluatePredictions(predictor, val, predictor.predict(val.map((e) => e.composition)), positiveRate(split.train, config.classificationTarget));
}

/** The joint recipe's choices of training data: how many mp_gap compositions, how often each double perovskite per epoch. */
export type JointRecipeChoices = ReturnType<typeof jointChoicesOf>;

/**
 * The joint recipe's data choices for an evaluation: each flag where the request gives it, else the
 * model folder's own (its card records both when it was trained with --data joint), else the recipe's
 * defaults. So `pdw evaluate resources/models/default --protocol D --init-from ...` cross-validates the
 * recipe the shipped model was trained with, not an older one.
 */
export function jointRecipeChoices(req: Pick<EvaluationRequest, 'mpGapCompositions' | 'doublesRepeats'>, base: Pick<ModelCard, 'data'> | null): JointRecipeChoices {
  const own = base && bundledTrainingData(base) === JOINT_DATA ? jointChoicesOf(base) : { mpGapCompositions: JOINT_MP_GAP_COMPOSITIONS, doublesRepeats: JOINT_DOUBLES_REPEATS };
  return { mpGapCompositions: req.mpGapCompositions ?? own.mpGapCompositions, doublesRepeats: req.doublesRepeats ?? own.doublesRepeats };
}

/** The joint recipe's training data with `choices`, for every protocol that trains it. */
function jointRecipeData(seed: number, choices: JointRecipeChoices) {
  return { data: JOINT_DATA, targets: JOINT_TARGETS, protocol: 'rows', seed, maxElements: 6, ...choices } as const;
}

export function isEvaluationProtocol(p: string): p is EvaluationProtocol {
  return Object.hasOwn(PROTOCOL_DESCRIPTIONS, p);
}

export interface EvaluationRequest extends ArchitectureRequest, SettingsRequest {
  readonly protocol: EvaluationProtocol;
  /** R: the model to score; G / expt_gap: optional, its config and settings are the base of the recipe. */
  readonly modelDir?: string;
  readonly folds: readonly number[];
  readonly out: string;
  readonly initFrom?: string;
  readonly members: number;
  readonly parallel: number;
  /**
   * The joint recipe's mp_gap compositions (J, D, and R with --init-from): the perovskite
   * stoichiometries and hybrids always, then a seeded sample of the rest up to this many; default the
   * model folder's when it was trained on the joint data, else JOINT_MP_GAP_COMPOSITIONS.
   */
  readonly mpGapCompositions?: number;
  /**
   * The joint recipe's training rows per double-perovskite example and epoch (J, D, and R with
   * --init-from); default the model folder's when it was trained on the joint data (the shipped
   * default's card says 2), else once.
   */
  readonly doublesRepeats?: number;
  /** The command line recorded in the report. */
  readonly command: string;
  /** The joint recipe's data choices once they are settled (J, and D or R with --init-from), before any training. */
  readonly onJointData?: (choices: JointRecipeChoices) => void;
  readonly onFoldStart?: (fold: string) => void;
  readonly onFoldDone?: (fold: string, headline: Record<string, number>) => void;
  readonly onProgress?: (member: number, members: number, progress: TrainProgress) => void;
  readonly signal?: AbortSignal;
}

export interface EvaluationResult {
  readonly out: string;
  readonly folds: readonly FoldResult[];
  /** Per metric: mean (and spread) over folds. */
  readonly summary: Readonly<Record<string, { readonly mean: number; readonly std: number }>>;
}

export class EvaluationService {
  constructor(
    private readonly models: ModelStore,
    private readonly training: TrainingService,
    private readonly backend: BackendName,
  ) {}

  async evaluate(req: EvaluationRequest): Promise<EvaluationResult> {
    const scoresOrTrains = req.protocol === 'D' || req.protocol === 'R'; // a trained model, or with --init-from the joint recipe
    const trainsJoint = req.protocol === 'J' || (scoresOrTrains && req.initFrom !== undefined);
    const jointOption = req.mpGapCompositions !== undefined ? 'an mp_gap sample size' : req.doublesRepeats !== undefined ? "a double perovskite's repeats" : null;
    if (jointOption && !trainsJoint) {
      const why = scoresOrTrains ? `${req.protocol} without --init-from scores a trained model` : `${req.protocol} does not train the joint recipe`;
      throw new TrainingError(`${jointOption} sets the joint recipe's training data (protocol J, or D or R with --init-from); ${why}`);
    }
    const folds: FoldResult[] = [];
    const modelInfo =
      req.protocol === 'R' ? await this.protocolR(req, folds)
      : req.protocol === 'H' || (req.protocol === 'D' && !req.initFrom) ? this.scoreModel(req, folds)
      : await this.crossValidate(req, folds);
    const summary = writeReport(req.out, { protocol: req.protocol, description: PROTOCOL_DESCRIPTIONS[req.protocol]!, command: req.command, backend: this.backend, model: modelInfo }, folds);
    return { out: req.out, folds, summary };
  }

  private async protocolR(req: EvaluationRequest, folds: FoldResult[]): Promise<Record<string, unknown>> {
    if (!req.modelDir) throw new TrainingError('protocol R evaluates a trained model: pdw evaluate resources/models/protocol-r --protocol R (or, with --init-from, trains a joint model\'s recipe on R\'s split)');
    if (req.initFrom) return this.protocolRJoint(req, req.modelDir, req.initFrom, folds);
    const modelDir = req.modelDir;
    const predictor = this.models.predictor(modelDir);
    const card = predictor.card;
    const { split } = this.seedSplitR(card.config, card.training.seed, card.featurizer.maxElements);
    folds.push({
      name: 'test',
      ...this.scoreR(predictor, split, (predictions, gap) => this.protocolRDomain(modelDir, split, predictions, gap)),
      histories: card.ensemble.histories,
      trainingSeconds: card.trainingSeconds,
      rows: card.data.rows,
      calibration: calibrationOf(card.ensemble),
    });
    req.onFoldDone?.('test', headline(folds[0]!.test));
    return { id: card.id, dir: modelDir, config: card.config, members: card.ensemble.members, threshold: card.ensemble.threshold, sigmaScale: card.ensemble.sigmaScale };
  }

  /**
   * Protocol R with the joint recipe of `modelDir` (a model trained with --data joint): trained on R's
   * training rows and every other source less R's test and validation compositions (joint.ts,
   * `rowSplitR`), fine-tuned from `initFrom` (pretrained without mp_abx3), then scored like a trained
   * model on R's test rows.
   */
  private async protocolRJoint(req: EvaluationRequest, modelDir: string, initFromDir: string, folds: FoldResult[]): Promise<Record<string, unknown>> {
    const base = this.models.card(modelDir);
    if (base.data.protocol !== JOINT_DATA) {
      throw new TrainingError(`protocol R with --init-from trains the joint recipe of a model trained with --data joint; ${modelDir} was trained on ${base.data.source}. For the seed-set recipe: pdw train --data mp_abx3 --protocol R, then pdw evaluate MODEL --protocol R`);
    }
    const config = modelConfigFor(req, JOINT_TARGETS, 'stable', base.config);
    const settings = trainingSettingsFor(req, base.training);
    const initFrom = this.training.loadPretrained(initFromDir, config);
    this.training.checkPretrainingExcludes(initFrom, 'mp_abx3');
    const choices = jointRecipeChoices(req, base);
    req.onJointData?.(choices);
    const training = this.training.loadData({ ...jointRecipeData(req.seed, choices), jointTest: 'R' });
    req.onFoldStart?.('test');
    const result = await this.fit(req, training, config, settings, initFrom, 'cv-R-joint', 'test');
    const { split } = this.seedSplitR(config, req.seed, 6);
    const own = training.split;
    const scored = this.scoreR(result.predictor, split, (_predictions, gap) => foldDomainSplit(result.predictor, own, gap, 'protocol R joint training rows', heldOutMpGap(own, gap, 6)));
    folds.push({
      name: 'test',
      ...scored,
      validation: validationReport('R', result, own),
      histories: result.ensemble.histories,
      trainingSeconds: result.ensemble.seconds,
      rows: { train: own.train.length, val: own.val.length, test: own.test.length },
      calibration: calibrationOf(result.predictor.card.ensemble),
    });
    result.predictor.dispose();
    rmSync(join(req.out, '.checkpoint'), { recursive: true, force: true });
    req.onFoldDone?.('test', headline(folds[0]!.test));
    return { config, training: settings, members: req.members, recipe: base.data.source, jointData: choices, pretrainedFrom: { id: initFrom.card.id, dir: initFromDir, data: initFrom.card.data } };
  }

  /** Protocol R's split of the seed set's rows, with the targets of `config` the seed set records. */
  private seedSplitR(config: ModelConfig, seed: number, maxElements: number): TrainingData {
    const targets = taskNames(config).filter((t) => (SEED_TARGETS as readonly string[]).includes(t));
    return this.training.loadData({ data: 'mp_abx3', targets, protocol: 'R', seed, maxElements });
  }

  /** A model on R's test rows: the report, the polymorph split, the classifier with the hull's rule, and the band gap by the domain flag. */
  private scoreR(predictor: EnsemblePredictor, split: Split, domainOf: (predictions: readonly Prediction[], gap: string) => DomainSplit | null): Pick<FoldResult, 'test' | 'polymorphs' | 'hullRule' | 'domain'> {
    const { config } = predictor.card;
    const stable = positiveRate(split.train, 'stable') ?? 0; // the majority baseline's rate, as calibration reads it
    const predictions = predictor.predict(split.test.map((e) => e.composition));
    const test = withMedianBaselines(evaluatePredictions(predictor, split.test, predictions, stable), split.train);
    const gap = config.regressionTargets[0];
    const polymorphs = gap ? polymorphSplit([...split.train, ...split.val], split.test, predictions.map((p) => p.regression[gap]!.value), gap) : null;
    const target = config.classificationTarget;
    const probabilities = (predicted: readonly Prediction[]): number[] => predicted.map((p) => p.classification!.probability);
    const hullRule = target ? hullRuleEvaluation(split, { val: probabilities(predictor.predict(split.val.map((e) => e.composition))), test: probabilities(predictions) }, target, predictor.card.ensemble.threshold ?? 0.5) : null;
    const domain = gap ? domainOf(predictions, gap) : null;
    return { test, ...(polymorphs ? { polymorphs } : {}), ...(hullRule ? { hullRule } : {}), ...(domain ? { domain } : {}) };
  }

  /** Protocol R's test rows by the applicability flag: the model's domain.json where it has one, else a domain over its training rows calibrated on held-out mp_gap compositions (fold-domain.ts). */
  private protocolRDomain(modelDir: string, split: { readonly train: readonly Example[]; readonly val: readonly Example[]; readonly test: readonly Example[] }, predictions: readonly Prediction[], gap: string): DomainSplit {
    const calibrated = this.models.predictor(modelDir).domain;
    if (calibrated) return splitByCalibratedFlag(gap, calibrated.threshold, split.test, predictions);
    const own = this.models.unsharedPredictor(modelDir);
    try {
      return foldDomainSplit(own, split, gap, 'mp_abx3 protocol R training rows', heldOutMpGap(split, gap, own.card.featurizer.maxElements));
    } finally {
      own.dispose();
    }
  }

  /**
   * Protocols H and D with a trained model: the hybrid halide rows of the bundle (one set), or the
   * double-perovskite rows by fold (D's folds, for the baseline). Held out of the model's training only
   * as far as its card says: the default model's fine-tuning (mp_abx3) has none of these rows, its
   * pretrained encoder saw mp_gap; the report says which.
   */
  private scoreModel(req: EvaluationRequest, folds: FoldResult[]): Record<string, unknown> {
    const protocol = req.protocol as 'H' | 'D';
    if (!req.modelDir) throw new TrainingError(`protocol ${protocol} scores a trained model: pdw evaluate resources/models/default --protocol ${protocol}`);
    const predictor = this.models.predictor(req.modelDir);
    const card = predictor.card;
    const gap = modelRoles(card).bandGap?.target;
    if (!gap) throw new TrainingError(`model ${card.name} has no band-gap target to score on protocol ${protocol}`);
    const rows = loadNamedDataset('mp_gap').rows.filter((r) => r.composition.elements.length <= 8 && (protocol === 'H' ? isHybridHalide(r.composition.elements.map((e) => e.element)) : doubleLike(r.composition)));
    const domain = predictor.domain;
    const sets = protocol === 'H' ? [{ name: 'hybrids', rows }] : req.folds.map((k) => ({ name: `fold${k}`, rows: rows.filter((r) => compositionFold(r.composition) === k) }));
    for (const set of sets) {
      const examples = set.rows.map((r) => ({ formula: r.formula, composition: r.composition, targets: { [gap]: r.targets['band_gap'] ?? null } }));
      const predictions = predictor.predict(examples.map((e) => e.composition));
      const report = evaluatePredictions(predictor, examples, predictions, 0);
      folds.push({
        name: set.name,
        test: report,
        histories: card.ensemble.histories,
        trainingSeconds: card.trainingSeconds,
        rows: { train: 0, val: 0, test: examples.length },
        calibration: calibrationOf(card.ensemble),
        ...(domain
          ? { domain: splitByCalibratedFlag(gap, domain.threshold, examples, predictions) }
          : {}),
      });
      req.onFoldDone?.(set.name, headline(report));
    }
    const seen = [card.data.source, ...(card.pretrainedFrom ? [`pretrained on ${card.pretrainedFrom.data}`] : [])].join('; ');
    return { id: card.id, dir: req.modelDir, members: card.ensemble.members, rows: rows.length, trainingData: seen, heldOut: /mp_gap/.test(seen) ? 'no: the model (or its pretrained encoder) saw mp_gap, which holds these rows' : 'yes' };
  }

  /** Trains `config` on `training` as one fold of an evaluation (checkpoints under the report's .checkpoint/`part`). */
  private fit(req: EvaluationRequest, training: TrainingData, config: ModelConfig, settings: TrainingSettings, initFrom: PretrainedModel | undefined, name: string, part: string): ReturnType<TrainingService['fit']> {
    return this.training.fit({
      training,
      config,
      settings,
      members: req.members,
      parallel: req.parallel,
      name,
      checkpointRoot: join(req.out, '.checkpoint', part),
      // the fold's model is used here only, with its training rows at hand
      neighbourMemory: true,
      ...(initFrom ? { initFrom } : {}),
      ...(req.onProgress ? { onProgress: (m: number, p: TrainProgress) => req.onProgress!(m, req.members, p) } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    });
  }

  private async crossValidate(req: EvaluationRequest, folds: FoldResult[]): Promise<Record<string, unknown>> {
    const protocol = req.protocol as 'G' | 'expt_gap' | 'J' | 'D';
    const joint = protocol === 'J' || protocol === 'D';
    const base = req.modelDir ? this.models.card(req.modelDir) : null;
    const targets = joint ? JOINT_TARGETS : protocol === 'G' ? ['band_gap', 'stable'] : ['band_gap'];
    const config: ModelConfig = modelConfigFor(req, targets, protocol === 'expt_gap' ? null : 'stable', base?.config);
    const settings: TrainingSettings = trainingSettingsFor(req, base?.training);
    const initFrom = req.initFrom ? this.training.loadPretrained(req.initFrom, config) : undefined;
    const heldOutOfPretraining = { J: ['mp_abx3', 'expt_gap'], D: [DOUBLES_SET], G: ['mp_abx3'], expt_gap: ['expt_gap'] }[protocol];
    if (initFrom) for (const held of heldOutOfPretraining) this.training.checkPretrainingExcludes(initFrom, held);
    const choices = jointRecipeChoices(req, base); // read by J and D only
    if (joint) req.onJointData?.(choices);
    for (const fold of req.folds) {
      if (!Number.isInteger(fold) || fold < 0 || fold > 4) throw new TrainingError(`folds are 0..4, got ${fold}`);
      const training = joint
        ? this.training.loadData({ ...jointRecipeData(req.seed, choices), testFold: fold, jointTest: protocol })
        : crossValidationSplit(protocol, fold, req.seed, 6);
      req.onFoldStart?.(`fold${fold}`);
      const result = await this.fit(req, training, config, settings, initFrom, `cv-${protocol}-fold${fold}`, `fold${fold}`);
      const { split } = training;
      const gap = config.regressionTargets[0];
      // expt_gap's gap is measured: mp_gap's PBE values cannot calibrate it, so its validation rows do
      const heldOut = gap && protocol !== 'expt_gap' ? heldOutMpGap(split, gap, 6) : null;
      const domain = gap ? foldDomainSplit(result.predictor, split, gap, `protocol ${protocol} fold ${fold} training rows`, heldOut) : null;
      folds.push({
        name: `fold${fold}`,
        test: withMedianBaselines(result.test!, split.train),
        validation: validationReport(protocol, result, split),
        histories: result.ensemble.histories,
        trainingSeconds: result.ensemble.seconds,
        rows: { train: split.train.length, val: split.val.length, test: split.test.length },
        calibration: calibrationOf(result.predictor.card.ensemble),
        ...(domain ? { domain } : {}),
      });
      req.onFoldDone?.(`fold${fold}`, headline(result.test!));
      result.predictor.dispose();
    }
    rmSync(join(req.out, '.checkpoint'), { recursive: true, force: true });
    return { config, training: settings, members: req.members, ...(joint ? { jointData: choices } : {}), ...(initFrom ? { pretrainedFrom: { id: initFrom.card.id, dir: req.initFrom, data: initFrom.card.data } } : {}) };
  }
}
