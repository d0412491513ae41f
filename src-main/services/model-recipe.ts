/**
 * One rule for turning a request (CLI flags or the training view's form) into a model config and
 * training settings: which target is the classifier (the dataset's boolean column), heads and
 * feed-forward width when only d_model is given, epochs and patience.
 */
import type { ModelConfig } from '../engine/model/config.js';
import { DEFAULT_MODEL_CONFIG } from '../engine/model/config.js';
import { DEFAULT_TRAINING, type TrainingSettings } from '../engine/train/trainer.js';

export { DEFAULT_MODEL_CONFIG, type ModelConfig } from '../engine/model/config.js';
export { DEFAULT_TRAINING, type TrainingSettings } from '../engine/train/trainer.js';

export interface ArchitectureRequest {
  readonly dModel?: number;
  readonly layers?: number;
  readonly heads?: number;
  readonly feedForward?: number;
  readonly dropout?: number;
}

export interface SettingsRequest {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  readonly patience?: number;
  readonly warmup?: number;
  readonly focalAlpha?: number;
  /** The smooth-L1 regression loss's switch from squared to absolute error, in standard deviations of the target's training values. */
  readonly huberBeta?: number;
  readonly seed: number;
}

/** Heads that divide d_model: the base's count if it does, else the largest of 4, 2, 1 that does. */
function headsFor(dModel: number, base: number): number {
  if (dModel % base === 0) return base;
  return [4, 2, 1].find((h) => dModel % h === 0)!;
}

/**
 * The config for `targets`, of which `classificationTarget` (the dataset's boolean target, or null)
 * gets the classification head and the rest regression heads. With a new d_model and no explicit
 * widths, the feed-forward width is 2 x d_model and the trunk d_model.
 */
export function modelConfigFor(req: ArchitectureRequest, targets: readonly string[], classificationTarget: string | null, base: ModelConfig = DEFAULT_MODEL_CONFIG): ModelConfig {
  const dModel = req.dModel ?? base.dModel;
  const resized = req.dModel !== undefined && req.dModel !== base.dModel;
  return {
    ...base,
    dModel,
    layers: req.layers ?? base.layers,
    heads: req.heads ?? headsFor(dModel, base.heads),
    feedForward: req.feedForward ?? (resized ? 2 * dModel : base.feedForward),
    trunk: resized ? dModel : base.trunk,
    dropout: req.dropout ?? base.dropout,
    regressionTargets: targets.filter((t) => t !== classificationTarget),
    classificationTarget,
  };
}

/** Patience defaults to a third of the epochs (at least 5) when only the epochs are given. */
export function trainingSettingsFor(req: SettingsRequest, base: TrainingSettings = DEFAULT_TRAINING): TrainingSettings {
  const epochs = req.epochs ?? base.epochs;
  return {
    ...base,
    epochs,
    batchSize: req.batchSize ?? base.batchSize,
    learningRate: req.lr ?? base.learningRate,
    patience: req.patience ?? (req.epochs !== undefined ? Math.max(5, Math.round(epochs / 3)) : base.patience),
    warmupEpochs: req.warmup ?? base.warmupEpochs,
    seed: req.seed,
    loss: { ...base.loss, focalAlpha: req.focalAlpha ?? base.loss.focalAlpha, huberBeta: req.huberBeta ?? base.loss.huberBeta },
  };
}
