/** Options shared by `pdw train` and `pdw evaluate`: architecture, training settings, ensemble. */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from '../../engine/model/config.js';
import { DEFAULT_TRAINING, type TrainingSettings } from '../../engine/train/trainer.js';
import { positiveInt } from './featurize.js';

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive number`);
  return n;
}

export function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`'${value}' is not in [0, 1)`);
  return n;
}

export interface ModelOptions {
  epochs?: number;
  members: number;
  parallel: number;
  seed: number;
  backend?: string;
  dModel?: number;
  layers?: number;
  heads?: number;
  feedForward?: number;
  dropout?: number;
  batchSize?: number;
  lr?: number;
  patience?: number;
  warmup?: number;
  focalAlpha?: number;
}

export const DEFAULT_MEMBERS = 4;

export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--epochs <n>', `maximum epochs (default ${DEFAULT_TRAINING.epochs})`, positiveInt)
    .option('--members <k>', 'ensemble members (uncertainty comes from their spread)', positiveInt, DEFAULT_MEMBERS)
    .option('--parallel <n>', 'members trained at once, each in a worker thread', positiveInt, Math.max(1, availableParallelism()))
    .option('--seed <n>', 'random seed (initialization, shuffling, dropout, validation hold-out)', positiveInt, 1)
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu (default: first that loads; or $PDW_BACKEND)')
    .option('--d-model <n>', `token width (default ${DEFAULT_MODEL_CONFIG.dModel})`, positiveInt)
    .option('--layers <n>', `encoder blocks (default ${DEFAULT_MODEL_CONFIG.layers})`, positiveInt)
    .option('--heads <n>', `attention heads (default ${DEFAULT_MODEL_CONFIG.heads})`, positiveInt)
    .option('--feed-forward <n>', `feed-forward width (default ${DEFAULT_MODEL_CONFIG.feedForward})`, positiveInt)
    .option('--dropout <p>', `dropout rate (default ${DEFAULT_MODEL_CONFIG.dropout})`, fraction)
    .option('--batch-size <n>', `batch size (default ${DEFAULT_TRAINING.batchSize})`, positiveInt)
    .option('--lr <rate>', `peak learning rate (default ${DEFAULT_TRAINING.learningRate})`, positiveNumber)
    .option('--patience <n>', `early-stopping patience in epochs (default ${DEFAULT_TRAINING.patience})`, positiveInt)
    .option('--warmup <n>', `learning-rate warm-up epochs (default ${DEFAULT_TRAINING.warmupEpochs})`, positiveInt)
    .option('--focal-alpha <a>', `focal-loss alpha for the positive class (default ${DEFAULT_TRAINING.loss.focalAlpha})`, fraction);
}

export function modelConfigFrom(opts: ModelOptions, targets: readonly string[], base: ModelConfig = DEFAULT_MODEL_CONFIG): ModelConfig {
  const classification = targets.includes('stable') ? 'stable' : null;
  const dModel = opts.dModel ?? base.dModel;
  return {
    ...base,
    dModel,
    layers: opts.layers ?? base.layers,
    heads: opts.heads ?? base.heads,
    feedForward: opts.feedForward ?? base.feedForward,
    trunk: opts.dModel ? dModel : base.trunk,
    dropout: opts.dropout ?? base.dropout,
    regressionTargets: targets.filter((t) => t !== classification),
    classificationTarget: classification,
  };
}

export function trainingSettingsFrom(opts: ModelOptions, base: TrainingSettings = DEFAULT_TRAINING): TrainingSettings {
  return {
    ...base,
    epochs: opts.epochs ?? base.epochs,
    batchSize: opts.batchSize ?? base.batchSize,
    learningRate: opts.lr ?? base.learningRate,
    patience: opts.patience ?? base.patience,
    warmupEpochs: opts.warmup ?? base.warmupEpochs,
    seed: opts.seed,
    loss: { ...base.loss, focalAlpha: opts.focalAlpha ?? base.loss.focalAlpha },
  };
}
