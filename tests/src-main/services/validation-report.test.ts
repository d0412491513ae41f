// An evaluation's validation table: each fold's model on its validation rows, kept and labelled as its
// test rows are, so that recipes are compared there and never on the test table. Real data (the joint
// set's fold 1 for J and D, G's fold 0), written through the real report writer.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { writeReport, type FoldResult } from '../../../src-main/engine/evaluate/report.js';
import { JOINT_TARGETS } from '../../../src-main/engine/train/joint.js';
import { doubleLike } from '../../../src-main/engine/train/stoichiometry.js';
import { crossValidationSplit, JOINT_DATA } from '../../../src-main/engine/train/sources.js';
import { validationLikeTest } from '../../../src-main/services/evaluation.js';
import { TrainingService } from '../../../src-main/services/training.js';

const training = new TrainingService(loadElementTable(), 'wasm');
const joint = { regressionTargets: ['band_gap', 'band_gap_expt', 'energy_above_hull', 'formation_energy'], classificationTarget: 'stable' };
const jointFold = (jointTest: 'J' | 'D') => training.loadData({ data: JOINT_DATA, targets: JOINT_TARGETS, protocol: 'rows', testFold: 1, jointTest, seed: 1, maxElements: 6 }).split;
const dir = mkdtempSync(join(tmpdir(), 'pdw-validation-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validation rows kept as the test rows are', () => {
  it('J scores the PBE gap on the seed set\'s rows only, as its test does, and keeps every other target', () => {
    const split = jointFold('J');
    const gapped = (rows: readonly { targets: Readonly<Record<string, number | null>> }[]) => rows.filter((e) => e.targets['band_gap'] !== null && e.targets['band_gap'] !== undefined);
    // the test's PBE gaps are all the seed set's (labelled for stability); the validation rows' are not
    expect(gapped(split.test).every((e) => e.targets['stable'] !== null)).toBe(true);
    expect(gapped(split.val).some((e) => e.targets['stable'] === null)).toBe(true);
    const kept = validationLikeTest('J', joint, split.val);
    expect(kept).toHaveLength(split.val.length);
    expect(gapped(kept).every((e) => e.targets['stable'] !== null)).toBe(true);
    expect(gapped(kept).length).toBe(split.val.filter((e) => e.targets['stable'] !== null && e.targets['band_gap'] !== null).length);
    for (const target of ['band_gap_expt', 'energy_above_hull', 'stable']) {
      expect(kept.map((e) => e.targets[target] ?? null)).toEqual(split.val.map((e) => e.targets[target] ?? null));
    }
  });

  it('D keeps the double-perovskite compositions; G keeps every row', () => {
    const split = jointFold('D');
    const kept = validationLikeTest('D', joint, split.val);
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.length).toBeLessThan(split.val.length);
    expect(kept.every((e) => doubleLike(e.composition))).toBe(true);
    const g = crossValidationSplit('G', 0, 1, 6).split;
    // the very rows: the evaluation then takes the fit's own validation report instead of scoring them again
    expect(validationLikeTest('G', { regressionTargets: ['band_gap'], classificationTarget: 'stable' }, g.val)).toBe(g.val);
  });
});

describe("the report's validation table", () => {
  const report = (truth: number[], predicted: number[]) => {
    const regression = { band_gap: { metrics: { n: truth.length, mae: truth.reduce((s, t, i) => s + Math.abs(t - predicted[i]!), 0) / truth.length, mse: 0, rmse: 0, r2: 0 }, meanBaseline: { n: 0, mae: 0, mse: 0, rmse: 0, r2: 0 }, calibration: { within1: 1, within2: 1 }, formulas: truth.map((_, i) => `Cs${i + 1}PbI3`), truth, predicted, sigma: truth.map(() => 1) } };
    return { rows: truth.length, regression, classification: null };
  };
  const fold = (name: string, testError: number, validationError?: number): FoldResult => ({
    name,
    test: report([1, 2], [1 + testError, 2 + testError]),
    ...(validationError === undefined ? {} : { validation: report([1, 2, 3], [1, 2 + 3 * validationError, 3]) }),
    histories: [],
    trainingSeconds: 0,
    rows: { train: 0, val: 3, test: 2 },
  });

  it('gives the validation means beside the test means, in report.json and summary.md', () => {
    writeReport(dir, { protocol: 'G', description: 'test', command: 'pdw evaluate', backend: 'wasm', model: {} }, [fold('fold0', 0.2, 0.1), fold('fold1', 0.4, 0.3)]);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { summary: Record<string, { mean: number }>; validationSummary: Record<string, { mean: number }>; folds: { validationHeadline: Record<string, number> }[] };
    expect(json.summary['band_gap.mae']!.mean).toBeCloseTo(0.3, 10);
    expect(json.validationSummary['band_gap.mae']!.mean).toBeCloseTo(0.2, 10);
    expect(json.folds[1]!.validationHeadline['band_gap.mae']).toBeCloseTo(0.3, 10);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/## Validation rows \(where recipes are compared\)[\s\S]*validation rows \(3, 3\)[\s\S]*\| band_gap\.mae \| 0\.2000 \| 0\.1414 \|/);
  });

  it('has no validation table where no fold has validation rows scored (a trained model scored)', () => {
    writeReport(dir, { protocol: 'H', description: 'test', command: 'pdw evaluate', backend: 'wasm', model: {} }, [fold('hybrids', 0.2)]);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).not.toHaveProperty('validationSummary');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).not.toMatch(/Validation rows/);
  });
});
