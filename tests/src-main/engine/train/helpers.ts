// Small, seeded training data made at test time from the bundle's seed set (nothing copied into the repo).
import { loadNamedDataset } from '../../../../src-main/data/datasets/index.js';
import { loadElementTable } from '../../../../src-main/data/elements/load.js';
import { defaultFeaturizerSettings, Featurizer } from '../../../../src-main/engine/featurize/index.js';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from '../../../../src-main/engine/model/config.js';
import type { Example } from '../../../../src-main/engine/train/data.js';
import { holdOut, onePerFormula } from '../../../../src-main/engine/train/protocols.js';
import { DEFAULT_TRAINING, type TrainingSettings } from '../../../../src-main/engine/train/trainer.js';

export const table = loadElementTable();
export const featurizer = new Featurizer(table, defaultFeaturizerSettings(table));

export const TINY: ModelConfig = { ...DEFAULT_MODEL_CONFIG, dModel: 16, layers: 1, heads: 2, feedForward: 32, trunk: 16, dropout: 0.05 };
export const TINY_TRAINING: TrainingSettings = { ...DEFAULT_TRAINING, epochs: 4, batchSize: 32, learningRate: 3e-3, warmupEpochs: 1, patience: 50 };

let cached: Example[] | undefined;
/** The first `n` formulas of the seed set, one row per formula. */
export function seedExamples(n: number): Example[] {
  cached ??= onePerFormula(loadNamedDataset('mp_abx3'));
  return cached.slice(0, n);
}

export function tinySplit(n: number, seed = 3): { train: Example[]; val: Example[]; test: Example[] } {
  const all = seedExamples(n);
  const { train: rest, val: test } = holdOut(all, 0.2, seed);
  const { train, val } = holdOut(rest, 0.15, seed + 1);
  return { train, val, test };
}
