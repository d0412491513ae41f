/**
 * A model's training compositions and targets rebuilt from the data bundle, as its card names them:
 * the applicability domain's references and the model update's rehearsal rows. The seed set gives one
 * row per formula; the joint set (joint.ts) is rebuilt with the card's seed, so the sample of mp_gap is
 * the one the model trained on. Also the exact split a model was trained on (`rebuildTrainingSplit`:
 * recalibration's validation rows, the neighbour correction's training rows). A model whose rows the
 * bundle cannot give again (an update's imported results) carries its split in its folder
 * (split-file.ts), read here in the bundle's place.
 */
import { compositionKey } from '../../../shared/composition/key.js';
import { loadNamedDataset } from '../../data/datasets/index.js';
import { bundledTrainingData, type ModelCard } from '../model/card.js';
import { taskNames } from '../model/params.js';
import type { Example } from './data.js';
import { JOINT_DOUBLES_REPEATS, JOINT_MP_GAP_COMPOSITIONS, jointExamples } from './joint.js';
import { onePerFormula } from './protocols.js';
import { JOINT_DATA, loadTrainingData, type TrainingDataRequest } from './sources.js';
import { readSplitFile, type OwnSplit } from './split-file.js';

/** How many mp_gap compositions a joint model's data kept: its card's record, else the default model's size (cards from before it was recorded). */
export function jointSampleOf(card: Pick<ModelCard, 'data'>): number {
  return card.data.mpGapCompositions ?? JOINT_MP_GAP_COMPOSITIONS;
}

/** The joint data choices a joint model's card records: its mp_gap sample (`jointSampleOf`) and each double perovskite's training rows per epoch (once where the card records none). */
export function jointChoicesOf(card: Pick<ModelCard, 'data'>): { readonly mpGapCompositions: number; readonly doublesRepeats: number } {
  return { mpGapCompositions: jointSampleOf(card), doublesRepeats: card.data.doublesRepeats ?? JOINT_DOUBLES_REPEATS };
}

/** A model's split file is missing or changed: its training rows cannot be had, and nothing may stand in for them. */
export class SplitFileError extends Error {
  override name = 'SplitFileError';
}

/** The seed a joint model's mp_gap sample was drawn with: its card's record (an updated model's base's), else its training seed. */
export function jointSeedOf(card: Pick<ModelCard, 'data' | 'training'>): number {
  return card.data.jointSeed ?? card.training.seed;
}

/** The model's training examples from the bundle; null when its card names no bundled data (a model trained on an uploaded CSV). */
export function bundledTrainingExamples(card: Pick<ModelCard, 'data' | 'training' | 'featurizer'>): Example[] | null {
  const name = bundledTrainingData(card);
  if (name === null) return null;
  if (name === 'joint') return jointExamples({ seed: jointSeedOf(card), mpGapCompositions: jointSampleOf(card), maxElements: card.featurizer.maxElements }).examples;
  return onePerFormula(loadNamedDataset(name));
}

/**
 * Every composition the model in `dir` learned from, once each: its bundled data's examples, or for a
 * model with its own split file (an update) the file's rows, which hold every composition of its base
 * (the memory and rehearsal rows its base learned, the validation rows it did not) with the imported
 * values in place of the bundle's; they carry forward into the next update's rehearsal. Null when it
 * has neither; an error when its split file is missing or changed.
 */
export function modelTrainingExamples(card: ModelCard, dir: string | null): Example[] | null {
  if (!card.data.ownSplit || dir === null) return bundledTrainingExamples(card);
  const own = readSplitFile(dir, card.data.ownSplit);
  if ('problem' in own) throw new SplitFileError(`model ${card.name} (${card.id}): ${own.problem}`);
  const out: Example[] = [];
  const seen = new Set<string>();
  for (const e of [...own.memoryRows, ...own.split.train, ...own.split.val]) {
    const key = compositionKey(e.composition);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/** The request that rebuilds the split a bundled model was trained on; null for a model trained on an uploaded CSV. */
export function trainingRequestOf(card: ModelCard): TrainingDataRequest | null {
  const data = bundledTrainingData(card);
  if (data === null) return null;
  const [protocol, fold] = card.data.protocol.split('/fold');
  const base = { targets: taskNames(card.config), seed: card.training.seed, maxElements: card.featurizer.maxElements, ...(fold === undefined ? {} : { testFold: Number(fold) }) };
  if (data === JOINT_DATA) return { ...base, data, protocol: 'rows', ...jointChoicesOf(card) };
  if (protocol === 'R' || protocol === 'G' || protocol === 'rows') return { ...base, data, protocol };
  return null;
}

/** Why a model's split cannot be rebuilt: not bundled data, a pretrained encoder's exclusions, or a bundle that changed. */
export type UnrebuiltSplit = { readonly problem: string; readonly why: 'not-bundled' | 'excluded' | 'changed' };

/**
 * The split `card`'s model was trained on and its neighbour correction's memory rows (the training
 * rows), rebuilt from the data bundle (or read from its split file in `dir`, the model's folder, where
 * its card records one); a reason instead when it cannot be (an
 * uploaded CSV, a pretrained encoder's exclusions) or the bundle no longer gives the same rows (row
 * counts and data checksum must match the card's).
 */
export function rebuildTrainingSplit(card: ModelCard, dir: string | null): OwnSplit | UnrebuiltSplit {
  if (card.data.ownSplit) {
    if (dir === null) return { why: 'not-bundled', problem: 'its split is a file in its model folder, and no folder was given' };
    const own = readSplitFile(dir, card.data.ownSplit);
    return 'problem' in own ? { why: 'changed', problem: own.problem } : own;
  }
  // a pretrained encoder's exclusions first, whatever its data: recalibrate's advice for it differs
  if (card.data.excluded) return { why: 'excluded', problem: `trained with --exclude-formulas-of ${card.data.excluded.datasets.join(',')} (a pretrained encoder)` };
  const request = trainingRequestOf(card);
  if (request === null) return { why: 'not-bundled', problem: `trained on ${card.data.source} (protocol ${card.data.protocol}), not on bundled data whose split can be rebuilt` };
  const training = loadTrainingData(request);
  const { train, val, test } = training.split;
  const rows = card.data.rows;
  if (training.sha256 !== card.data.sha256 || train.length !== rows.train || val.length !== rows.val || test.length !== rows.test) {
    return {
      why: 'changed',
      problem: `the data bundle no longer gives the split it was trained on (${train.length}/${val.length}/${test.length} rows, card ${rows.train}/${rows.val}/${rows.test}; checksum ${training.sha256 === card.data.sha256 ? 'equal' : 'differs'})`,
    };
  }
  return { split: training.split, memoryRows: training.split.train };
}
