// The domain's embedded references are cached beside the model: the cache gives the same predictions as
// the rebuild from the bundle, is used when it matches, and is rebuilt when it was made from something
// else or its embeddings no longer agree with the encoder (a copy of the committed default model).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../../shared/index.js';
import { loadElementTable } from '../../../../src-main/data/elements/load.js';
import { initBackend } from '../../../../src-main/engine/backend.js';
import { readDomainFile } from '../../../../src-main/engine/domain/file.js';
import { REFERENCE_CACHE_FILE, readReferenceCache, referenceCacheKey, spreadSample, writeReferenceCache } from '../../../../src-main/engine/domain/reference-cache.js';
import { loadModel } from '../../../../src-main/engine/model/bundle.js';
import { EnsemblePredictor, type Prediction } from '../../../../src-main/engine/model/predictor.js';
import { bundledTrainingExamples } from '../../../../src-main/engine/train/bundled.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const defaultModel = join(root, 'resources', 'models', 'default');
const dir = mkdtempSync(join(tmpdir(), 'pdw-reference-cache-'));
const model = join(dir, 'default');
const cacheFile = join(model, REFERENCE_CACHE_FILE);
const formulas = ['CsPbI3', 'Cs2AgBiBr6', 'CsPb(I0.5Br0.5)3', 'FrAmF3', 'BaTiO3'];
const compositions = formulas.map((f) => parseFormulaOrThrow(f));
let rebuilt: Prediction[];

/** Predictions of a predictor loaded from the copy (through the cache when there is one). */
function loadAndPredict(): Prediction[] {
  const predictor = EnsemblePredictor.load(model, loadElementTable());
  try {
    return predictor.predict(compositions);
  } finally {
    predictor.dispose();
  }
}

beforeAll(async () => {
  await initBackend('wasm');
  mkdirSync(model);
  for (const file of ['model.json', 'weights.bin', 'domain.json']) copyFileSync(join(defaultModel, file), join(model, file));
  // the reference: the domain set from the bundle directly, no cache involved
  const predictor = new EnsemblePredictor(loadModel(model), loadElementTable());
  predictor.setDomain(readDomainFile(model)!, bundledTrainingExamples(predictor.card)!);
  rebuilt = predictor.predict(compositions);
  predictor.dispose();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the domain's reference cache", () => {
  it('is written on the first load and gives the same distances, flags and nearest compositions as the rebuild', () => {
    expect(existsSync(cacheFile)).toBe(false);
    const first = loadAndPredict();
    expect(existsSync(cacheFile)).toBe(true);
    const second = loadAndPredict(); // from the cache
    expect(first.map((p) => p.domain)).toEqual(rebuilt.map((p) => p.domain));
    expect(second.map((p) => p.domain)).toEqual(rebuilt.map((p) => p.domain));
    expect(rebuilt[3]!.domain!.inDomain).toBe(false); // FrAmF3: the check covers a flagged composition too
    const cached = readReferenceCache(model, referenceCacheKey(model))!;
    expect(cached.formulas.length).toBe(bundledTrainingExamples(loadModel(model).card)!.length);
  }, 60_000);

  it('is what a load uses when it matches (a renamed reference shows up as the nearest composition)', () => {
    const key = referenceCacheKey(model);
    const cached = readReferenceCache(model, key)!;
    const nearest = cached.formulas.indexOf('CsPbI3');
    expect(spreadSample(cached.formulas.length, 64)).not.toContain(nearest); // not among the rows the load checks again
    writeReferenceCache(model, key, { ...cached, formulas: cached.formulas.map((f, i) => (i === nearest ? 'CsPbI3 (renamed in the cache)' : f)) });
    expect(loadAndPredict()[0]!.domain!.nearest).toBe('CsPbI3 (renamed in the cache)');
  }, 60_000);

  it('is rebuilt when the model changes (another key) or its embeddings disagree with the encoder', () => {
    const key = referenceCacheKey(model);
    const cached = readReferenceCache(model, key)!;
    const renamed = { ...cached, formulas: cached.formulas.map((f) => (f === 'CsPbI3' ? 'stale' : f)) };
    writeReferenceCache(model, 'a key made from other weights', renamed);
    expect(loadAndPredict().map((p) => p.domain)).toEqual(rebuilt.map((p) => p.domain));
    expect(readReferenceCache(model, key)).not.toBeNull(); // rewritten with the right key

    const drifted = new Float32Array(cached.embeddings);
    const sampled = spreadSample(cached.formulas.length, 64)[5]!;
    drifted[sampled * cached.dim] = drifted[sampled * cached.dim]! + 0.01; // an encoder that no longer maps this composition where it did
    writeReferenceCache(model, key, { ...renamed, embeddings: drifted });
    expect(loadAndPredict().map((p) => p.domain)).toEqual(rebuilt.map((p) => p.domain));

    // a changed weights file is another key
    const weights = readFileSync(join(model, 'weights.bin'));
    writeFileSync(join(model, 'weights.bin'), Buffer.concat([weights.subarray(0, weights.length - 4), Buffer.from([0, 0, 0, 0])]));
    expect(referenceCacheKey(model)).not.toBe(key);
    writeFileSync(join(model, 'weights.bin'), weights);
    expect(referenceCacheKey(model)).toBe(key);
  }, 120_000);

  it('is skipped, not an error, where it cannot be written', () => {
    const cached = readReferenceCache(model, referenceCacheKey(model))!;
    expect(writeReferenceCache(join(dir, 'no such folder'), 'k', cached)).toBe(false);
    writeFileSync(cacheFile, '{ not json');
    expect(readReferenceCache(model, referenceCacheKey(model))).toBeNull();
  });
});
