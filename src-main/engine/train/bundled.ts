/**
 * A model's training compositions and targets rebuilt from the data bundle, as its card names them:
 * the applicability domain's references and the model update's rehearsal rows. The seed set gives one
 * row per formula; the joint set (joint.ts) is rebuilt with the card's seed, so the sample of mp_gap is
 * the one the model trained on.
 */
import { loadNamedDataset } from '../../data/datasets/index.js';
import { bundledTrainingData, type ModelCard } from '../model/card.js';
import type { Example } from './data.js';
import { JOINT_MP_GAP_COMPOSITIONS, jointExamples } from './joint.js';
import { onePerFormula } from './protocols.js';

/** The model's training examples; null when its card names no bundled data (a model trained on an uploaded CSV). */
export function bundledTrainingExamples(card: Pick<ModelCard, 'data' | 'training' | 'featurizer'>): Example[] | null {
  const name = bundledTrainingData(card);
  if (name === null) return null;
  if (name === 'joint') return jointExamples({ seed: card.training.seed, mpGapCompositions: JOINT_MP_GAP_COMPOSITIONS, maxElements: card.featurizer.maxElements }).examples;
  return onePerFormula(loadNamedDataset(name));
}
