import { describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../../shared/composition/parse.js';
import { polymorphSplit } from '../../../../src-main/engine/evaluate/polymorphs.js';
import type { Example } from '../../../../src-main/engine/train/data.js';

const row = (formula: string, gap: number | null): Example => ({
  formula,
  composition: parseFormulaOrThrow(formula),
  targets: { band_gap: gap },
});

describe('polymorph split of a row-split test set', () => {
  const training = [row('BaTiO3', 1), row('BaTiO3', 3), row('Ti1Ba1O3', 2), row('SrTiO3', 0), row('SrTiO3', 4)];
  const test = [row('TiBaO3', 4), row('SrTiO3', 1), row('CaTiO3', 2), row('KNbO3', null)];
  const predicted = [3, 1.5, 2.5, 9];

  it('matches test rows to training polymorphs by reduced composition, whatever the formula spelling', () => {
    const p = polymorphSplit(training, test, predicted, 'band_gap')!;
    expect(p.seen.rows).toBe(2);
    expect(p.unseen.rows).toBe(1);
    expect(p.seen.modelMae).toBeCloseTo(0.75, 12);
    expect(p.unseen.modelMae).toBeCloseTo(0.5, 12);
    // BaTiO3 polymorphs 1, 3, 2 -> median 2 (error 2 on gap 4); SrTiO3 0, 4 -> median 2 (error 1 on gap 1)
    expect(p.seen.trainingMedianMae).toBeCloseTo(1.5, 12);
  });

  it('floor: new compositions exact, seen ones by their training polymorphs (values worked by hand)', () => {
    const p = polymorphSplit(training, test, predicted, 'band_gap')!;
    expect(p.floor.mae).toBeCloseTo((2 + 1 + 0) / 3, 12);
    // truth 4, 1, 2 (mean 7/3, total 42/9); predictions 2, 2, 2 -> squared error 5
    expect(p.floor.r2).toBeCloseTo(1 - 5 / (42 / 9), 12);
  });

  it('returns null when no test row has the target', () => {
    expect(polymorphSplit(training, [row('KNbO3', null)], [1], 'band_gap')).toBeNull();
  });
});
