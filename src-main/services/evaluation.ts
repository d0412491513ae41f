/**
 * Evaluation workflows: protocol R scores a trained model on the seed set's test rows (with the
 * polymorph split and the hull rule); G and expt_gap cross-validate a training recipe fold by fold.
 * Reports (JSON, Markdown, SVG) are written to `out`; the caller prints what it likes.
 */
import { rmSync } from 'node:fs';
import type { BackendName } from '../../shared/api/runtime.js';
import { join } from 'node:path';
import { evaluatePredictions } from '../engine/evaluate/evaluate.js';
import { hullRuleEvaluation, polymorphSplit } from '../engine/evaluate/polymorphs.js';
import { headline, writeReport, type FoldResult } from '../engine/evaluate/report.js';
import type { ModelConfig } from '../engine/model/config.js';
import type { Prediction } from '../engine/model/predictor.js';
import { crossValidationSplit } from '../engine/train/sources.js';
import type { TrainingSettings, TrainProgress } from '../engine/train/trainer.js';
import { modelConfigFor, trainingSettingsFor, type ArchitectureRequest, type SettingsRequest } from './model-recipe.js';
import type { ModelStore } from './models.js';
import { TrainingError, type TrainingService } from './training.js';

export type { FoldResult } from '../engine/evaluate/report.js';

export const PROTOCOL_DESCRIPTIONS: Readonly<Record<string, string>> = {
  R: 'seed set, random row split (456 test rows, as in the report)',
  G: 'seed set, one row per formula (lowest energy above hull; stable if any polymorph is), 5 folds by formula',
  expt_gap: 'Matbench experimental band gaps, 5 folds (CrabNet split files)',
};

export type EvaluationProtocol = 'R' | 'G' | 'expt_gap';

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
  /** The command line recorded in the report. */
  readonly command: string;
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
    const folds: FoldResult[] = [];
    const modelInfo = req.protocol === 'R' ? this.protocolR(req, folds) : await this.crossValidate(req, folds);
    const summary = writeReport(req.out, { protocol: req.protocol, description: PROTOCOL_DESCRIPTIONS[req.protocol]!, command: req.command, backend: this.backend, model: modelInfo }, folds);
    return { out: req.out, folds, summary };
  }

  private protocolR(req: EvaluationRequest, folds: FoldResult[]): Record<string, unknown> {
    if (!req.modelDir) throw new TrainingError('protocol R evaluates a trained model: pdw evaluate resources/models/protocol-r --protocol R');
    const predictor = this.models.predictor(req.modelDir);
    const card = predictor.card;
    const targets = [...card.config.regressionTargets, ...(card.config.classificationTarget ? [card.config.classificationTarget] : [])];
    const { split } = this.training.loadData({ data: 'mp_abx3', targets, protocol: 'R', seed: card.training.seed, maxElements: card.featurizer.maxElements });
    const stable = split.train.filter((e) => e.targets['stable'] === 1).length / split.train.length;
    const predictions = predictor.predict(split.test.map((e) => e.composition));
    const report = evaluatePredictions(predictor, split.test, predictions, stable);
    const gap = card.config.regressionTargets[0];
    const polymorphs = gap ? polymorphSplit([...split.train, ...split.val], split.test, predictions.map((p) => p.regression[gap]!.value), gap) : null;
    const target = card.config.classificationTarget;
    const probabilities = (predicted: readonly Prediction[]): number[] => predicted.map((p) => p.classification!.probability);
    const hullRule = target
      ? hullRuleEvaluation(split, { val: probabilities(predictor.predict(split.val.map((e) => e.composition))), test: probabilities(predictions) }, target)
      : null;
    folds.push({
      name: 'test',
      test: report,
      histories: card.ensemble.histories,
      trainingSeconds: card.trainingSeconds,
      rows: card.data.rows,
      ...(polymorphs ? { polymorphs } : {}),
      ...(hullRule ? { hullRule } : {}),
    });
    req.onFoldDone?.('test', headline(report));
    return { id: card.id, dir: req.modelDir, config: card.config, members: card.ensemble.members, threshold: card.ensemble.threshold, sigmaScale: card.ensemble.sigmaScale };
  }

  private async crossValidate(req: EvaluationRequest, folds: FoldResult[]): Promise<Record<string, unknown>> {
    const protocol = req.protocol as 'G' | 'expt_gap';
    const base = req.modelDir ? this.models.card(req.modelDir) : null;
    const targets = protocol === 'G' ? ['band_gap', 'stable'] : ['band_gap'];
    const config: ModelConfig = modelConfigFor(req, targets, protocol === 'G' ? 'stable' : null, base?.config);
    const settings: TrainingSettings = trainingSettingsFor(req, base?.training);
    const initFrom = req.initFrom ? this.training.loadPretrained(req.initFrom, config) : undefined;
    if (initFrom) this.training.checkPretrainingExcludes(initFrom, protocol === 'G' ? 'mp_abx3' : 'expt_gap');
    for (const fold of req.folds) {
      if (!Number.isInteger(fold) || fold < 0 || fold > 4) throw new TrainingError(`folds are 0..4, got ${fold}`);
      const training = crossValidationSplit(protocol, fold, req.seed, 6);
      req.onFoldStart?.(`fold${fold}`);
      const result = await this.training.fit({
        training,
        config,
        settings,
        members: req.members,
        parallel: req.parallel,
        name: `cv-${protocol}-fold${fold}`,
        checkpointRoot: join(req.out, '.checkpoint', `fold${fold}`),
        ...(initFrom ? { initFrom } : {}),
        ...(req.onProgress ? { onProgress: (m: number, p: TrainProgress) => req.onProgress!(m, req.members, p) } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      });
      const { split } = training;
      folds.push({ name: `fold${fold}`, test: result.test!, histories: result.ensemble.histories, trainingSeconds: result.ensemble.seconds, rows: { train: split.train.length, val: split.val.length, test: split.test.length } });
      req.onFoldDone?.(`fold${fold}`, headline(result.test!));
      result.predictor.dispose();
    }
    rmSync(join(req.out, '.checkpoint'), { recursive: true, force: true });
    return { config, training: settings, members: req.members, ...(initFrom ? { pretrainedFrom: { id: initFrom.card.id, dir: req.initFrom, data: initFrom.card.data } } : {}) };
  }
}
