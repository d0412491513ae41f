/** Flags shared by `pdw train` and `pdw evaluate`: architecture, training settings, ensemble. */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { DEFAULT_MODEL_CONFIG, DEFAULT_TRAINING, type ArchitectureRequest, type SettingsRequest } from '../../services/model-recipe.js';
import { fraction, positiveInt, positiveNumber } from '../options.js';

export interface ModelOptions extends ArchitectureRequest, SettingsRequest {
  members: number;
  parallel: number;
  backend?: string;
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
    .option('--feed-forward <n>', `feed-forward width (default ${DEFAULT_MODEL_CONFIG.feedForward}; 2 x d_model with --d-model)`, positiveInt)
    .option('--dropout <p>', `dropout rate (default ${DEFAULT_MODEL_CONFIG.dropout})`, fraction)
    .option('--batch-size <n>', `batch size (default ${DEFAULT_TRAINING.batchSize})`, positiveInt)
    .option('--lr <rate>', `peak learning rate (default ${DEFAULT_TRAINING.learningRate})`, positiveNumber)
    .option('--patience <n>', `early-stopping patience in epochs (default ${DEFAULT_TRAINING.patience}; a third of --epochs when only that is given)`, positiveInt)
    .option('--warmup <n>', `learning-rate warm-up epochs (default ${DEFAULT_TRAINING.warmupEpochs})`, positiveInt)
    .option('--focal-alpha <a>', `focal-loss alpha for the positive class (default ${DEFAULT_TRAINING.loss.focalAlpha})`, fraction)
    .option('--huber-beta <b>', `smooth-L1 regression loss: squared below this error, absolute above it, in standard deviations of the target's training values (default ${DEFAULT_TRAINING.loss.huberBeta})`, positiveNumber);
}
