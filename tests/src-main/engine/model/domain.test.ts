// The applicability domain: latent distance to the training compositions, calibrated on held-out
// compositions (the committed default model and its domain.json; a copy is recalibrated here).
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../../shared/index.js';
import { loadElementTable } from '../../../../src-main/data/elements/load.js';
import { moleculeAbbreviations } from '../../../../src-main/data/elements/molecules.js';
import { initBackend } from '../../../../src-main/engine/backend.js';
import { EnsemblePredictor } from '../../../../src-main/engine/model/predictor.js';
import { calibrateDomain } from '../../../../src-main/services/domain-calibration.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const defaultModel = join(root, 'resources', 'models', 'default');
const dir = mkdtempSync(join(tmpdir(), 'pdw-domain-'));
let predictor: EnsemblePredictor;

beforeAll(async () => {
  await initBackend('wasm');
  predictor = EnsemblePredictor.load(defaultModel, loadElementTable());
});
afterAll(() => {
  predictor?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const predict = (formulas: string[]) => predictor.predict(formulas.map((f) => parseFormulaOrThrow(f, { molecules: moleculeAbbreviations() })));

describe("the default model's applicability domain", () => {
  it('puts its own training compositions at distance 0, and flags what it never learned', () => {
    const [cspbi3, double, hybrid, mixedHalide, odd] = predict(['CsPbI3', 'Cs2AgBiBr6', 'FAPbI3', 'CsPb(I0.5Br0.5)3', 'FrAmF3']);
    expect(cspbi3!.domain).toMatchObject({ inDomain: true, nearest: 'CsPbI3' });
    // the joint default model trained on mp_gap's double perovskites and hybrids as well as the seed set
    for (const p of [cspbi3, double, hybrid]) expect(p!.domain!.distance).toBeLessThan(1e-3);
    expect(mixedHalide!.domain!.distance).toBeGreaterThan(0.01); // a mixed site is no training composition
    expect(odd!.domain!.inDomain).toBe(false); // elements no source records together
    expect(odd!.domain!.distance).toBeGreaterThan(mixedHalide!.domain!.distance);
    expect(predictor.domain?.threshold).toBeGreaterThan(0);
  });

  it('is calibrated on held-out compositions: the flagged ones have visibly larger errors (a recalibration of a copy)', () => {
    const copy = join(dir, 'default');
    cpSync(defaultModel, copy, { recursive: true });
    const c = calibrateDomain(copy, loadElementTable(), join(dir, 'report'));
    const committed = JSON.parse(readFileSync(join(defaultModel, 'domain.json'), 'utf8')) as { threshold: number };
    expect(c.file.threshold).toBeCloseTo(committed.threshold, 4); // the committed domain is what this command makes
    expect(c.test.inDomain.rows).toBeGreaterThan(1000);
    expect(c.test.extrapolation.rows).toBeGreaterThan(500);
    expect(c.test.extrapolation.mae!).toBeGreaterThan(1.5 * c.test.inDomain.mae!); // errors outside the domain are larger (1.87x for the committed model), on rows that took no part in choosing
    expect(readFileSync(join(dir, 'report', 'summary.md'), 'utf8')).toMatch(/\| in domain \| \d+ \| \d\.\d{3} \|/);
  }, 120_000);
});
