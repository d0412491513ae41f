/**
 * A report's test rows by chemical family (families.ts), pooled over folds: each family's MAE beside
 * the training median's, the share within 1 sigma and the share the applicability flag marks, and the
 * classifier's F1 per family at each fold's own threshold. Written into report.json (`families`) and
 * summary.md.
 */
import { parseFormula } from '../../../shared/index.js';
import { targetUnit } from '../../../shared/api/labels.js';
import { moleculeAbbreviations } from '../../data/elements/molecules.js';
import { CHEMICAL_FAMILIES, chemicalFamily, type ChemicalFamily } from './families.js';
import { classMetrics } from './metrics.js';
import type { FoldResult } from './report.js';

export interface FamilyRegressionRow {
  readonly family: ChemicalFamily;
  readonly rows: number;
  readonly mae: number;
  /** MAE of predicting each fold's training median (null where a report does not know it: a combination). */
  readonly trainingMedianMae: number | null;
  readonly within1: number;
  /** Share of the rows flagged as extrapolation (the domain's target only; null elsewhere). */
  readonly extrapolation: number | null;
}

export interface FamilyClassificationRow {
  readonly family: ChemicalFamily;
  readonly rows: number;
  readonly positives: number;
  readonly flagged: number;
  readonly truePositives: number;
  /** F1 of the positive class (null without positives or flags: nothing to score). */
  readonly f1: number | null;
  readonly accuracy: number;
}

export interface FamilyBreakdown {
  readonly regression: Readonly<Record<string, readonly FamilyRegressionRow[]>>;
  readonly classification: { readonly target: string; readonly rows: readonly FamilyClassificationRow[] } | null;
}

/** A formula's family; a formula the parser refuses (none in the bundled sets) counts as 'other' rather than failing a finished evaluation. */
function familyOfFormula(formula: string, molecules: ReturnType<typeof moleculeAbbreviations>, seen: Map<string, ChemicalFamily>): ChemicalFamily {
  let family = seen.get(formula);
  if (family === undefined) {
    const parsed = parseFormula(formula, { molecules });
    family = parsed.ok ? chemicalFamily(parsed.value.elements.map((e) => e.element)) : 'other';
    seen.set(formula, family);
  }
  return family;
}

function inFamilyOrder<T extends { readonly family: ChemicalFamily }>(rows: readonly T[]): T[] {
  const order = CHEMICAL_FAMILIES.map((f) => f.name as ChemicalFamily);
  return [...rows].sort((a, b) => order.indexOf(a.family) - order.indexOf(b.family));
}

interface RegressionTally {
  rows: number;
  absError: number;
  medianAbsError: number;
  medianKnown: boolean;
  within1: number;
  flagged: number;
  flagKnown: boolean;
}

export function familyBreakdown(folds: readonly FoldResult[]): FamilyBreakdown {
  const molecules = moleculeAbbreviations();
  const seen = new Map<string, ChemicalFamily>();
  const family = (formula: string): ChemicalFamily => familyOfFormula(formula, molecules, seen);
  const regression = new Map<string, Map<ChemicalFamily, RegressionTally>>();
  for (const f of folds) {
    for (const [target, reg] of Object.entries(f.test.regression)) {
      const byFamily = regression.get(target) ?? new Map<ChemicalFamily, RegressionTally>();
      regression.set(target, byFamily);
      const flags = f.domain?.target === target && f.domain.flags?.length === reg.truth.length ? f.domain.flags : null;
      reg.truth.forEach((truth, i) => {
        const name = family(reg.formulas[i]!);
        const t = byFamily.get(name) ?? { rows: 0, absError: 0, medianAbsError: 0, medianKnown: true, within1: 0, flagged: 0, flagKnown: true };
        byFamily.set(name, t);
        const error = Math.abs(reg.predicted[i]! - truth);
        t.rows += 1;
        t.absError += error;
        if (reg.trainingMedian === undefined) t.medianKnown = false;
        else t.medianAbsError += Math.abs(reg.trainingMedian - truth);
        if (error <= reg.sigma[i]!) t.within1 += 1;
        if (flags === null) t.flagKnown = false;
        else if (!flags[i]) t.flagged += 1;
      });
    }
  }
  const classes = new Map<ChemicalFamily, { rows: number; positives: number; flagged: number; truePositives: number; correct: number }>();
  let target: string | null = null;
  for (const f of folds) {
    const c = f.test.classification;
    if (!c) continue;
    target = c.target;
    c.labels.forEach((y, i) => {
      const name = family(c.formulas[i]!);
      const t = classes.get(name) ?? { rows: 0, positives: 0, flagged: 0, truePositives: 0, correct: 0 };
      classes.set(name, t);
      const flag = c.probabilities[i]! >= c.atChosenThreshold.threshold ? 1 : 0;
      t.rows += 1;
      t.positives += y;
      t.flagged += flag;
      t.truePositives += y & flag;
      t.correct += y === flag ? 1 : 0;
    });
  }
  return {
    regression: Object.fromEntries(
      [...regression].map(([name, byFamily]) => [
        name,
        inFamilyOrder(
          [...byFamily].map(([family, t]) => ({
            family,
            rows: t.rows,
            mae: t.absError / t.rows,
            trainingMedianMae: t.medianKnown ? t.medianAbsError / t.rows : null,
            within1: t.within1 / t.rows,
            extrapolation: t.flagKnown ? t.flagged / t.rows : null,
          })),
        ),
      ]),
    ),
    classification:
      target === null
        ? null
        : {
            target,
            rows: inFamilyOrder(
              [...classes].map(([family, t]) => ({
                family,
                ...t,
                f1: t.positives + t.flagged > 0 ? classMetrics(t.truePositives, t.flagged - t.truePositives, t.positives - t.truePositives).f1 : null,
                accuracy: t.correct / t.rows,
              })),
            ).map(({ correct: _correct, ...row }) => row),
          },
  };
}

/** summary.md's section: a table per regression target and one for the classifier, then the families' rules. */
export function familyLines(b: FamilyBreakdown): string[] {
  const targets = Object.entries(b.regression);
  if (!targets.length && !b.classification) return [];
  const f = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));
  const tables = targets.flatMap(([target, rows]) => {
    const unit = targetUnit(target);
    return [
      `| family | ${target} test rows | MAE${unit ? ` (${unit})` : ''} | training median's MAE | within 1 sigma | flagged extrapolation |`,
      '|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.family} | ${r.rows} | ${f(r.mae, 4)} | ${f(r.trainingMedianMae, 4)} | ${f(r.within1, 3)} | ${f(r.extrapolation, 3)} |`),
      '',
    ];
  });
  const c = b.classification;
  const classifier = c
    ? [
        `| family | ${c.target} test rows | positive | flagged | true positives | F1 (${c.target}) | accuracy |`,
        '|---|---|---|---|---|---|---|',
        ...c.rows.map((r) => `| ${r.family} | ${r.rows} | ${r.positives} | ${r.flagged} | ${r.truePositives} | ${f(r.f1, 4)} | ${f(r.accuracy, 3)} |`),
        '',
      ]
    : [];
  return [
    '## Test rows by chemical family (all folds pooled)',
    '',
    "Where the model holds up: each family's test rows on their own. Training median's MAE: every row predicted as its fold's training median (the no-skill reference; '-' where the report does not record it). Flagged extrapolation: the share of rows the applicability flag marks ('-' for targets without one). The classifier's rows are counted at each fold's own threshold.",
    '',
    ...tables,
    ...classifier,
    'Families (engine/evaluate/families.ts; the first that applies):',
    '',
    ...CHEMICAL_FAMILIES.map((fam) => `- ${fam.name}: ${fam.rule}`),
    '',
  ];
}
