/**
 * Recalibrating a trained model on the validation rows it was trained with: the zero gates, sigma
 * scales and decision threshold that `fitModel` chooses (engine/train/fit.ts, `calibrateEnsemble`),
 * for a model saved before one of them existed. The weights are untouched; the card's calibration and
 * metrics are rewritten, under a new id that records the old one (`recalibrated`). The split is
 * rebuilt from the data bundle as the card names it (seed, protocol, test fold) and must match the
 * card's row counts and data checksum, else nothing is written.
 */
import type { ElementTable } from '../data/elements/load.js';
import { loadModel, writeModelCard } from '../engine/model/bundle.js';
import { bundledTrainingData, type ModelCard } from '../engine/model/card.js';
import { taskNames } from '../engine/model/params.js';
import { calibrateEnsemble } from '../engine/train/fit.js';
import { JOINT_DATA, loadTrainingData, type TrainingDataRequest } from '../engine/train/sources.js';
import { modelMetrics, TrainingError } from './training.js';

export interface Recalibration {
  readonly before: ModelCard;
  readonly after: ModelCard;
}

/** The request that rebuilds the split a bundled model was trained on; null for a model trained on an uploaded CSV. */
export function trainingRequestOf(card: ModelCard): TrainingDataRequest | null {
  const data = bundledTrainingData(card);
  if (data === null) return null;
  const [protocol, fold] = card.data.protocol.split('/fold');
  const base = { targets: taskNames(card.config), seed: card.training.seed, maxElements: card.featurizer.maxElements, ...(fold === undefined ? {} : { testFold: Number(fold) }) };
  if (data === JOINT_DATA) return { ...base, data, protocol: 'rows' };
  if (protocol === 'R' || protocol === 'G' || protocol === 'rows') return { ...base, data, protocol };
  return null;
}

export function recalibrate(dir: string, table: ElementTable): Recalibration {
  const bundle = loadModel(dir);
  const card = bundle.card;
  const request = trainingRequestOf(card);
  if (request === null) throw new TrainingError(`${dir}: trained on ${card.data.source} (protocol ${card.data.protocol}), not on bundled data whose split can be rebuilt; retrain it to calibrate it`);
  if (card.data.excluded) throw new TrainingError(`${dir}: trained with --exclude-formulas-of ${card.data.excluded.datasets.join(',')} (a pretrained encoder); it is calibrated when a model is fine-tuned from it`);
  const training = loadTrainingData(request);
  const { train, val, test } = training.split;
  const rows = card.data.rows;
  if (training.sha256 !== card.data.sha256 || train.length !== rows.train || val.length !== rows.val || test.length !== rows.test) {
    throw new TrainingError(
      `${dir}: the data bundle no longer gives the split it was trained on (${train.length}/${val.length}/${test.length} rows, card ${rows.train}/${rows.val}/${rows.test}; checksum ${training.sha256 === card.data.sha256 ? 'equal' : 'differs'}); nothing written`,
    );
  }
  const result = calibrateEnsemble({ card, members: bundle.members, table, split: training.split });
  // a new id: its predictions differ, and a library keys a screen's model (and its stored card) by id
  const at = new Date().toISOString();
  const after: ModelCard = { ...result.predictor.card, id: `${card.name}-${at.replace(/[:.]/g, '-')}`, recalibrated: { from: card.id, at }, metrics: modelMetrics(result) };
  writeModelCard(dir, after);
  result.predictor.dispose();
  return { before: card, after };
}
