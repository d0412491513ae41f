// The applicability domain of a model trained inside an evaluation (a cross-validation fold, protocol
// R's model): references are its training rows, the threshold is chosen on held-out compositions or its
// validation rows, never on its test rows; the report pools the folds. Real data (G's folds), the
// committed default model as the fold's model.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compositionKey } from '../../../shared/composition/key.js';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { initBackend } from '../../../src-main/engine/backend.js';
import { domainGroup, pooledGroup, writeReport, type FoldResult } from '../../../src-main/engine/evaluate/report.js';
import { loadModel } from '../../../src-main/engine/model/bundle.js';
import { EnsemblePredictor } from '../../../src-main/engine/model/predictor.js';
import { crossValidationSplit } from '../../../src-main/engine/train/sources.js';
import { thresholdByBins } from '../../../src-main/services/domain-calibration.js';
import { foldDomainSplit, heldOutMpGap } from '../../../src-main/services/fold-domain.js';

const root = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pdw-fold-domain-'));
let predictor: EnsemblePredictor;
const { split: full } = crossValidationSplit('G', 0, 1, 6);
const split = { train: full.train.slice(0, 400), val: full.val.slice(0, 120), test: full.test.slice(0, 150) };

beforeAll(async () => {
  await initBackend('wasm');
  predictor = new EnsemblePredictor(loadModel(join(root, 'resources', 'models', 'default')), loadElementTable());
});
afterAll(() => {
  predictor?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("a fold model's applicability domain", () => {
  it('chooses the threshold on the validation rows alone and splits every test row by it', () => {
    const d = foldDomainSplit(predictor, split, 'band_gap', 'G fold 0 (a slice)', null);
    const validation = predictor.predict(split.val.map((e) => e.composition)).map((p, i) => ({ distance: p.domain!.distance, error: Math.abs(p.regression['band_gap']!.value - split.val[i]!.targets['band_gap']!) }));
    const mae = validation.reduce((s, r) => s + r.error, 0) / validation.length;
    expect(d.threshold).toBe(thresholdByBins(validation, 5, 2 * mae));
    expect(d.inDomain.rows + d.extrapolation.rows).toBe(split.test.length);
    expect(d.rule).toMatch(/validation rows/);
    // other test rows, same threshold: the test rows take no part in the choice
    const other = foldDomainSplit(predictor, { ...split, test: full.test.slice(150, 200) }, 'band_gap', 'G fold 0 (a slice)', null);
    expect(other.threshold).toBe(d.threshold);
  }, 60_000);

  it('calibrates a PBE gap on mp_gap compositions that are neither training nor test compositions', () => {
    const heldOut = heldOutMpGap(split, 'band_gap', 6);
    const excluded = new Set([...split.train, ...split.test].map((e) => compositionKey(e.composition)));
    expect(heldOut.length).toBeGreaterThan(90_000);
    expect(heldOut.some((e) => excluded.has(compositionKey(e.composition)))).toBe(false);
    const calibration = heldOut.filter((_, i) => i % 40 === 0); // a spread sample keeps the test short
    const d = foldDomainSplit(predictor, split, 'band_gap', 'G fold 0 (a slice)', calibration);
    expect(d.rule).toMatch(/20 equal distance bins of held-out compositions/);
    expect(d.threshold).toBeGreaterThan(0);
    expect(d.inDomain.rows + d.extrapolation.rows).toBe(split.test.length);
  }, 120_000);

  it('reports one table over the folds, with every fold and the folds pooled', () => {
    const group = (errors: number[]) => domainGroup(errors.map((error) => ({ error, sigma: 0.5 })));
    const fold = (name: string, inside: number[], outside: number[]): FoldResult => ({
      name,
      test: { rows: inside.length + outside.length, regression: {}, classification: null },
      histories: [],
      trainingSeconds: 0,
      rows: { train: 0, val: 0, test: inside.length + outside.length },
      domain: { target: 'band_gap', threshold: 0.3, rule: 'is chosen on validation rows', inDomain: group(inside), extrapolation: group(outside) },
    });
    const pooled = pooledGroup([group([0.1, 0.3]), group([1])]);
    expect(pooled).toMatchObject({ rows: 3, within1: 2 / 3 });
    expect(pooled.mae).toBeCloseTo(1.4 / 3, 10);
    writeReport(dir, { protocol: 'G', description: 'test', command: 'pdw evaluate', backend: 'wasm', model: {} }, [fold('fold0', [0.1, 0.3], [0.9]), fold('fold1', [1], [])]);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary.match(/## band_gap by the applicability flag/g)).toHaveLength(1);
    expect(summary).toMatch(/\| fold0, extrapolation \| 1 \| 0\.9000 \|/);
    expect(summary).toMatch(/\| fold1, extrapolation \| 0 \| - \|/);
    expect(summary).toMatch(/\| all folds, in domain \| 3 \| 0\.4667 \| 0\.667 \|/);
  });
});
