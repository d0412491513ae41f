import { describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../../shared/composition/parse.js';
import { compositionsOnHull, hullRuleEvaluation, polymorphSplit, withHullUniqueness } from '../../../../src-main/engine/evaluate/polymorphs.js';
import type { Example } from '../../../../src-main/engine/train/data.js';
import { loadTrainingData } from '../../../../src-main/engine/train/sources.js';
import { compositionKey } from '../../../../shared/composition/key.js';

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

describe("the hull's uniqueness on a row split", () => {
  const stable = (formula: string, y: number): Example => ({ formula, composition: parseFormulaOrThrow(formula), targets: { stable: y } });
  const split = {
    train: [stable('BaTiO3', 1), stable('BaTiO3', 0), stable('SrTiO3', 0)],
    val: [stable('TiBaO3', 0), stable('CaTiO3', 1), stable('KNbO3', 0)],
    test: [stable('BaTiO3', 0), stable('CaTiO3', 0), stable('SrTiO3', 1), stable('PbTiO3', 0)],
  };

  it('rules out rows whose composition has an entry on the hull, by reduced composition', () => {
    const onHull = compositionsOnHull(split.train, 'stable');
    expect([...onHull]).toHaveLength(1);
    expect(withHullUniqueness(split.val, [0.9, 0.6, 0.2], onHull)).toEqual([0, 0.6, 0.2]);
  });

  it('chooses the threshold on validation rows ruled by train rows, then rules test rows by train + validation', () => {
    const h = hullRuleEvaluation(split, { val: [0.9, 0.6, 0.2], test: [0.8, 0.7, 0.5, 0.1] }, 'stable', 0.5)!;
    // validation after the rule: 0, 0.6, 0.2 with labels 0, 1, 0 -> F1 1 first reached at threshold 0.5
    expect(h.threshold).toBe(0.5);
    expect([h.validation.tn, h.validation.fp, h.validation.fn, h.validation.tp]).toEqual([2, 0, 0, 1]);
    // BaTiO3 (on the hull in train) and CaTiO3 (on the hull in validation) are ruled out of the test rows
    expect(h.testRowsRuledOut).toBe(2);
    expect([h.test.tn, h.test.fp, h.test.fn, h.test.tp]).toEqual([3, 0, 0, 1]);
  });

  it("counts the model alone's test rows by their composition's history in train + validation", () => {
    const h = hullRuleEvaluation(split, { val: [0.9, 0.6, 0.2], test: [0.8, 0.7, 0.5, 0.1] }, 'stable', 0.6)!;
    expect(h.modelAlone.threshold).toBe(0.6);
    // BaTiO3 and CaTiO3 are on the hull in training (flagged: 0.8, 0.7 -> two false positives),
    // SrTiO3 has only an entry off it (on the hull in test, 0.5 missed), PbTiO3 is new (0.1, not flagged)
    expect(h.modelAlone.groups).toEqual([
      { history: 'on hull in training', rows: 2, positives: 0, flagged: 2, truePositives: 0 },
      { history: 'off hull in training', rows: 1, positives: 1, flagged: 0, truePositives: 0 },
      { history: 'new', rows: 1, positives: 0, flagged: 0, truePositives: 0 },
    ]);
  });
});

describe('the seed set (the assumption behind the rule)', () => {
  it('has at most one entry on the hull per reduced composition, and protocol R rows of such compositions are never stable', () => {
    const { split } = loadTrainingData({ data: 'mp_abx3', targets: ['band_gap', 'stable'], protocol: 'R', seed: 1, maxElements: 6 });
    const rows = [...split.train, ...split.val, ...split.test];
    const stableCount = new Map<string, number>();
    for (const e of rows) {
      if (e.targets['stable'] !== 1) continue;
      const key = compositionKey(e.composition);
      stableCount.set(key, (stableCount.get(key) ?? 0) + 1);
    }
    expect(stableCount.size).toBeGreaterThan(900);
    expect(Math.max(...stableCount.values())).toBe(1);
    const ruled = withHullUniqueness(split.test, split.test.map(() => 1), compositionsOnHull([...split.train, ...split.val], 'stable'));
    const ruledOut = split.test.filter((_, i) => ruled[i] === 0);
    expect(ruledOut.length).toBeGreaterThan(50);
    expect(ruledOut.every((e) => e.targets['stable'] === 0)).toBe(true);
  });
});
