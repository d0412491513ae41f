/**
 * Training: load a dataset into a split, fit an ensemble (optionally fine-tuned from a pretrained
 * model), and save it as a model folder with one card shape (roles, typed metrics). Used in the
 * foreground by `pdw train` / `pdw evaluate`, and as background jobs by the training view.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelMetrics } from '../../shared/api/metrics.js';
import type { BackendName } from '../../shared/api/runtime.js';
import type { ElementTable } from '../data/elements/load.js';
import { summarizeReport } from '../engine/evaluate/evaluate.js';
import { defaultFeaturizerSettings } from '../engine/featurize/index.js';
import { loadMemberWeights, saveModel } from '../engine/model/bundle.js';
import type { ModelCard } from '../engine/model/card.js';
import { describeArchitecture, type ModelConfig } from '../engine/model/config.js';
import { chooseRoles } from '../engine/model/roles.js';
import { fitModel, type FitResult } from '../engine/train/fit.js';
import type { Example } from '../engine/train/data.js';
import { JOINT_DATA, loadTrainingData, NoUsableRows, type TrainingData, type TrainingDataRequest } from '../engine/train/sources.js';
import { isNamedDataset } from '../data/datasets/named.js';
import type { RowProblem } from '../data/datasets/index.js';
import type { TrainingSettings, TrainProgress } from '../engine/train/trainer.js';

export { TrainingCancelled, type TrainProgress } from '../engine/train/trainer.js';
export type { TrainingData, TrainingDataRequest, TrainingProtocol } from '../engine/train/sources.js';
export type { FitResult } from '../engine/train/fit.js';
export { headline } from '../engine/evaluate/report.js';
export { JOINT_DATA } from '../engine/train/sources.js';
export { JOINT_MP_GAP_COMPOSITIONS } from '../engine/train/joint.js';

export class TrainingError extends Error {
  override name = 'TrainingError';
  constructor(
    message: string,
    /** Rejected rows with their lines, when the data is what failed. */
    readonly problems: readonly RowProblem[] = [],
  ) {
    super(message);
  }
}

export interface PretrainedModel {
  readonly card: ModelCard;
  readonly members: Map<string, Float32Array>[];
}

export interface FitRun {
  readonly training: TrainingData;
  readonly config: ModelConfig;
  readonly settings: TrainingSettings;
  readonly members: number;
  readonly parallel: number;
  readonly name: string;
  readonly checkpointRoot?: string;
  readonly initFrom?: PretrainedModel;
  /** The band-gap target's name; absent: inferred (see roles.ts); null: none. */
  readonly bandGapTarget?: string | null;
  readonly onProgress?: (member: number, progress: TrainProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * Calibrate a neighbour correction with the training rows as its memory (engine/model/
   * neighbour-correction.ts): only where they can be had again when the model is used (bundled data
   * whose split the card names, or a model used in this process only). Default false.
   */
  readonly neighbourMemory?: boolean;
  /** The correction's memory where it is not the training rows (an update's: every row its base learned, and the imported ones). */
  readonly memoryRows?: readonly Example[];
}

/**
 * Whether a model trained on `data` can have its training rows again where it is used (a neighbour
 * correction's memory): bundled data, whose split the card names, with nothing left out.
 */
export function splitCanBeRebuilt(data: string, excludeFormulasOf?: readonly string[]): boolean {
  return (isNamedDataset(data) || data === JOINT_DATA) && !excludeFormulasOf?.length;
}

/** What the card records of how its training rows can be had again, beyond the source: the joint sample and seed, the split file. */
function cardDataOf(training: TrainingData): Pick<ModelCard['data'], 'mpGapCompositions' | 'doublesRepeats' | 'jointSeed' | 'ownSplit'> {
  const { mpGapCompositions, doublesRepeats, jointSeed, ownSplit } = training;
  return {
    ...(mpGapCompositions !== undefined ? { mpGapCompositions } : {}),
    ...(doublesRepeats !== undefined ? { doublesRepeats } : {}),
    ...(jointSeed !== undefined ? { jointSeed } : {}),
    ...(ownSplit ? { ownSplit } : {}),
  };
}

/** A model's metrics record for its card and the views: validation always, test when held out. */
export function modelMetrics(result: Pick<FitResult, 'validation' | 'test'>): ModelMetrics {
  return { validation: summarizeReport(result.validation), ...(result.test ? { test: summarizeReport(result.test) } : {}) };
}

export class TrainingService {
  constructor(
    private readonly table: ElementTable,
    readonly backend: BackendName,
  ) {}

  /** A split to train on; refused when it leaves no rows to validate on (or, with a test fold, to test on). */
  loadData(req: TrainingDataRequest): TrainingData {
    let data: TrainingData;
    try {
      data = loadTrainingData(req);
    } catch (e) {
      throw new TrainingError((e as Error).message, e instanceof NoUsableRows ? e.problems : []);
    }
    const { split } = data;
    const usable = split.train.length + split.val.length + split.test.length;
    if (split.val.length === 0) throw new TrainingError(`${usable} usable rows leave no validation rows (early stopping and calibration need them); use at least 20 rows`);
    if (req.testFold !== undefined && split.test.length === 0) throw new TrainingError(`${usable} usable rows leave no test rows in fold ${req.testFold}; use more rows`);
    return data;
  }

  /** `--init-from DIR`: a pretrained model whose architecture and featurizer match this run's. */
  loadPretrained(dir: string, config: ModelConfig): PretrainedModel {
    let loaded: PretrainedModel;
    try {
      loaded = loadMemberWeights(dir);
    } catch (e) {
      throw new TrainingError(`--init-from ${dir}: ${(e as Error).message}`);
    }
    const [theirs, ours] = [describeArchitecture(loaded.card.config), describeArchitecture(config)];
    if (theirs !== ours) throw new TrainingError(`--init-from ${dir}: its architecture (${theirs}) differs from this run's (${ours})`);
    if (JSON.stringify(loaded.card.featurizer) !== JSON.stringify(defaultFeaturizerSettings(this.table))) throw new TrainingError(`--init-from ${dir}: it was trained with other featurizer settings`);
    return loaded;
  }

  /** Test numbers after fine-tuning are honest only if the pretraining data left out the test set's dataset. */
  checkPretrainingExcludes(pretrained: PretrainedModel, dataset: string): void {
    if (!(pretrained.card.data.excluded?.datasets ?? []).includes(dataset)) {
      throw new TrainingError(`--init-from: ${pretrained.card.name} was not trained with --exclude-formulas-of ${dataset}, so its data may hold test formulas of ${dataset}`);
    }
  }

  fit(run: FitRun): Promise<FitResult> {
    const roles = chooseRoles(run.config, run.bandGapTarget);
    return fitModel({
      table: this.table,
      split: run.training.split,
      config: run.config,
      featurizer: defaultFeaturizerSettings(this.table),
      settings: run.settings,
      members: run.members,
      parallel: run.parallel,
      backend: this.backend,
      name: run.name,
      targetsMeaning: run.training.targetsMeaning,
      data: { source: run.training.source, sha256: run.training.sha256, ...cardDataOf(run.training) },
      roles,
      ...(run.checkpointRoot ? { checkpointRoot: run.checkpointRoot } : {}),
      ...(run.initFrom ? { initFrom: run.initFrom } : {}),
      ...(run.training.excluded ? { excluded: run.training.excluded } : {}),
      ...(run.onProgress ? { onProgress: run.onProgress } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
      neighbourMemory: run.neighbourMemory ?? false,
      ...(run.memoryRows ? { memoryRows: run.memoryRows } : {}),
    });
  }

  /** Saves a fitted model to `dir` with its metrics on the card, and removes its checkpoints. */
  async save(result: FitResult, dir: string, checkpointRoot?: string): Promise<ModelCard> {
    const { weights: _w, ...card } = { ...result.predictor.card, metrics: modelMetrics(result) };
    const saved = await saveModel(dir, card, result.predictor.bundle.members);
    if (checkpointRoot) rmSync(checkpointRoot, { recursive: true, force: true });
    return saved;
  }

  /** Fit, then save to `dir` (checkpoints under it, removed once saved). */
  async fitAndSave(run: Omit<FitRun, 'checkpointRoot'>, dir: string): Promise<{ result: FitResult; card: ModelCard }> {
    const checkpointRoot = join(dir, '.checkpoint');
    const result = await this.fit({ ...run, checkpointRoot });
    const card = await this.save(result, dir, checkpointRoot);
    return { result, card };
  }
}
