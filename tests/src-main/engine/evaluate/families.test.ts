import { describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../../shared/composition/parse.js';
import { moleculeAbbreviations } from '../../../../src-main/data/elements/molecules.js';
import { familyBreakdown, familyLines } from '../../../../src-main/engine/evaluate/family-breakdown.js';
import { chemicalFamily } from '../../../../src-main/engine/evaluate/families.js';
import { classificationMetrics, regressionMetrics } from '../../../../src-main/engine/evaluate/metrics.js';
import type { FoldResult } from '../../../../src-main/engine/evaluate/report.js';

const familyOf = (formula: string): string => chemicalFamily(parseFormulaOrThrow(formula, { molecules: moleculeAbbreviations() }).elements.map((e) => e.element));

describe('chemical families', () => {
  it('sorts the screening space by anion, then by the B-site metal of a halide, hybrids first', () => {
    expect(familyOf('MAPbI3')).toBe('hybrid halide');
    expect(familyOf('CsPbBr3')).toBe('Pb halide');
    expect(familyOf('CsSnI3')).toBe('Sn or Ge halide');
    expect(familyOf('CsGeCl3')).toBe('Sn or Ge halide');
    expect(familyOf('CsPb0.5Sn0.5I3')).toBe('Pb halide'); // Pb decides a mixed Pb-Sn halide
    expect(familyOf('Cs2AgBiBr6')).toBe('other Cl/Br/I halide');
    expect(familyOf('KMgF3')).toBe('fluoride');
    expect(familyOf('SrTiO3')).toBe('oxide');
    expect(familyOf('BiOCl')).toBe('mixed anion');
    expect(familyOf('CsPbBrS')).toBe('mixed anion'); // a halide with a chalcogen
    expect(familyOf('BaZrS3')).toBe('chalcogenide');
    expect(familyOf('LaN')).toBe('other');
  });
});

function fold(name: string, rows: { formula: string; truth: number; predicted: number; sigma: number; inDomain: boolean; stable: number; p: number }[], median: number | undefined, threshold: number): FoldResult {
  const truth = rows.map((r) => r.truth);
  const predicted = rows.map((r) => r.predicted);
  const labels = rows.map((r) => r.stable);
  const probabilities = rows.map((r) => r.p);
  const gap = {
    metrics: regressionMetrics(truth, predicted),
    meanBaseline: regressionMetrics(truth, truth.map(() => 1)),
    calibration: { within1: 0, within2: 0 },
    formulas: rows.map((r) => r.formula),
    truth,
    predicted,
    sigma: rows.map((r) => r.sigma),
    ...(median === undefined ? {} : { trainingMedian: median }),
  };
  const chosen = classificationMetrics(labels, probabilities, threshold);
  return {
    name,
    test: { rows: rows.length, regression: { band_gap: gap }, classification: { target: 'stable', atChosenThreshold: chosen, atHalf: chosen, majorityBaseline: chosen, formulas: rows.map((r) => r.formula), labels, probabilities } },
    histories: [],
    trainingSeconds: 0,
    rows: { train: 0, val: 0, test: rows.length },
    domain: { target: 'band_gap', threshold: 0.3, inDomain: { rows: 0, mae: null, within1: null, within2: null }, extrapolation: { rows: 0, mae: null, within1: null, within2: null }, flags: rows.map((r) => r.inDomain) },
  };
}

describe('the report by chemical family', () => {
  const folds = [
    fold('fold0', [
      { formula: 'SrTiO3', truth: 3, predicted: 2.5, sigma: 1, inDomain: true, stable: 1, p: 0.9 },
      { formula: 'CsSnI3', truth: 0.5, predicted: 1.5, sigma: 0.2, inDomain: false, stable: 1, p: 0.2 },
    ], 2, 0.5),
    fold('fold1', [
      { formula: 'BaTiO3', truth: 2, predicted: 2.1, sigma: 0.05, inDomain: true, stable: 0, p: 0.6 },
      { formula: 'CsGeI3', truth: 1, predicted: 1.2, sigma: 0.5, inDomain: true, stable: 0, p: 0.1 },
    ], 1, 0.7),
  ];

  it("pools the folds' test rows per family, each fold's median and threshold its own", () => {
    const b = familyBreakdown(folds);
    // in the families' order; tin and germanium: errors 1 and 0.2, the medians' 1.5 and 0, CsGeI3 within 1 sigma, CsSnI3 flagged;
    // oxides: errors 0.5 and 0.1, the medians' 1 and 1, SrTiO3 within 1 sigma (BaTiO3's 0.1 is two sigma), none flagged
    expect(b.regression['band_gap']).toEqual([
      { family: 'Sn or Ge halide', rows: 2, mae: expect.closeTo(0.6, 10), trainingMedianMae: expect.closeTo(0.75, 10), within1: 0.5, extrapolation: 0.5 },
      { family: 'oxide', rows: 2, mae: expect.closeTo(0.3, 10), trainingMedianMae: expect.closeTo(1, 10), within1: 0.5, extrapolation: 0 },
    ]);
    // SrTiO3 flagged at 0.5 (right), BaTiO3 not at 0.7 (right: 0.6 < 0.7): the oxides' F1 is 1, the tin and germanium halides' 0 (one stable row missed)
    expect(b.classification).toEqual({
      target: 'stable',
      rows: [
        { family: 'Sn or Ge halide', rows: 2, positives: 1, flagged: 0, truePositives: 0, f1: 0, accuracy: 0.5 },
        { family: 'oxide', rows: 2, positives: 1, flagged: 1, truePositives: 1, f1: 1, accuracy: 1 },
      ],
    });
    const text = familyLines(b).join('\n');
    expect(text).toMatch(/\| Sn or Ge halide \| 2 \| 0\.6000 \| 0\.7500 \| 0\.500 \| 0\.500 \|/);
    expect(text).toMatch(/- Sn or Ge halide: Cl, Br or I with Sn or Ge/);
  });

  it("says '-' where a report does not know the training median (a combination of reports)", () => {
    const b = familyBreakdown([fold('fold0', [{ formula: 'SrTiO3', truth: 3, predicted: 2.5, sigma: 1, inDomain: true, stable: 1, p: 0.9 }], undefined, 0.5)]);
    expect(b.regression['band_gap']![0]!.trainingMedianMae).toBeNull();
    expect(familyLines(b).join('\n')).toMatch(/\| oxide \| 1 \| 0\.5000 \| - \|/);
  });
});
