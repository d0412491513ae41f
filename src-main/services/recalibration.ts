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
import type { ModelCard } from '../engine/model/card.js';
import { rebuildTrainingSplit, type UnrebuiltSplit } from '../engine/train/bundled.js';
import { calibrateEnsemble } from '../engine/train/fit.js';
import { modelMetrics, TrainingError } from './training.js';
export { describeCorrection } from '../engine/model/neighbour-correction.js';

/** What to do about a split that cannot be rebuilt. */
const ADVICE: Readonly<Record<UnrebuiltSplit['why'], string>> = {
  'not-bundled': 'retrain it to calibrate it',
  excluded: 'it is calibrated when a model is fine-tuned from it',
  changed: 'nothing written',
};

export interface Recalibration {
  readonly before: ModelCard;
  readonly after: ModelCard;
}

export function recalibrate(dir: string, table: ElementTable): Recalibration {
  const bundle = loadModel(dir);
  const card = bundle.card;
  const rebuilt = rebuildTrainingSplit(card, dir);
  if ('problem' in rebuilt) throw new TrainingError(`${dir}: ${rebuilt.problem}; ${ADVICE[rebuilt.why]}`);
  const result = calibrateEnsemble({ card, members: bundle.members, table, split: rebuilt.split, neighbourMemory: true, memoryRows: rebuilt.memoryRows });
  // a new id: its predictions differ, and a library keys a screen's model (and its stored card) by id
  const at = new Date().toISOString();
  const after: ModelCard = { ...result.predictor.card, id: `${card.name}-${at.replace(/[:.]/g, '-')}`, recalibrated: { from: card.id, at }, metrics: modelMetrics(result) };
  writeModelCard(dir, after);
  result.predictor.dispose();
  return { before: card, after };
}
