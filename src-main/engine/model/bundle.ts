/** A model folder: `model.json` (the card) and `weights.bin` (every ensemble member's parameters). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { edmLayout } from '../featurize/index.js';
import { MODEL_FORMAT, type ModelCard } from './card.js';
import { Params, paramSpecs } from './params.js';
import { readTensorFile, toMap, writeTensorFile, type TensorEntry } from './tensor-file.js';

export interface ModelBundle {
  readonly card: ModelCard;
  readonly members: Params[];
}

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export function memberPrefix(k: number): string {
  return `member${k}/`;
}

export async function saveModel(dir: string, card: Omit<ModelCard, 'weights'>, members: readonly Params[]): Promise<ModelCard> {
  mkdirSync(dir, { recursive: true });
  const entries: TensorEntry[] = [];
  for (const [k, params] of members.entries()) {
    const values = await params.snapshot();
    for (const spec of params.specs) entries.push({ name: memberPrefix(k) + spec.name, shape: spec.shape, values: values.get(spec.name)! });
  }
  writeTensorFile(join(dir, 'weights.bin'), entries);
  const full: ModelCard = { ...card, weights: { file: 'weights.bin', tensors: entries.map((e) => ({ name: e.name, shape: e.shape })) } };
  writeModelCard(dir, full);
  return full;
}

/** Writes a model folder's card (`model.json`), leaving its weights as they are. */
export function writeModelCard(dir: string, card: ModelCard): void {
  writeFileSync(join(dir, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
}

export function readModelCard(dir: string): ModelCard {
  const file = join(dir, 'model.json');
  if (!existsSync(file)) throw new ModelLoadError(`no model at ${dir} (model.json missing)`);
  let card: ModelCard;
  try {
    card = JSON.parse(readFileSync(file, 'utf8')) as ModelCard;
  } catch (e) {
    throw new ModelLoadError(`${file}: ${(e as Error).message}`);
  }
  if (card.format !== MODEL_FORMAT) throw new ModelLoadError(`${file}: format '${String(card.format)}', expected '${MODEL_FORMAT}'`);
  return card;
}

/**
 * A model's weights as plain arrays, one map per member (no tfjs variables): the starting point
 * for fine-tuning, shipped to training workers as is.
 */
export function loadMemberWeights(dir: string): { card: ModelCard; members: Map<string, Float32Array>[] } {
  const card = readModelCard(dir);
  const values = toMap(readTensorFile(join(dir, card.weights.file)));
  const members = Array.from({ length: card.ensemble.members }, (_, k) => {
    const prefix = memberPrefix(k);
    return new Map([...values].filter(([name]) => name.startsWith(prefix)).map(([name, v]) => [name.slice(prefix.length), v]));
  });
  return { card, members };
}

export function loadModel(dir: string): ModelBundle {
  const { card, members: weights } = loadMemberWeights(dir);
  const specs = paramSpecs(card.config, edmLayout(card.featurizer.fractionWidth).width);
  const members = weights.map(
    (values, k) =>
      new Params(specs, (spec) => {
        const v = values.get(spec.name);
        if (!v) throw new ModelLoadError(`${dir}: weights lack ${memberPrefix(k) + spec.name}`);
        return v;
      }),
  );
  return { card, members };
}
