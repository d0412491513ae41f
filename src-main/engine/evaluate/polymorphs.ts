/**
 * What a composition-only model can score on a split of rows rather than formulas.
 *
 * The seed set lists polymorphs as separate rows, and protocol R splits rows: a test row's composition
 * often has other polymorphs among the training rows, with other band gaps. A model that reads only the
 * composition gives every polymorph of a formula the same prediction, so on those rows it cannot, in
 * expectation, beat the statistics of the formula's own training polymorphs. This splits the test rows
 * into seen and unseen compositions and computes that floor for the whole test set.
 */
import { median } from '../stats.js';
import { compositionKey } from '../../../shared/composition/key.js';
import type { Example } from '../train/data.js';
import { labelled } from './evaluate.js';
import { chooseThreshold, classificationMetrics, regressionMetrics, type ClassificationMetrics } from './metrics.js';

export interface PolymorphSplit {
  readonly target: string;
  /** Test rows whose composition has at least one polymorph among the training (train + validation) rows. */
  readonly seen: {
    readonly rows: number;
    readonly modelMae: number;
    /** Predicting each row by the median of its composition's training polymorphs. */
    readonly trainingMedianMae: number;
  };
  readonly unseen: { readonly rows: number; readonly modelMae: number };
  /**
   * The whole test set's MAE and R2 if every unseen-composition row were predicted exactly and every
   * seen row by its composition's training polymorphs (median for MAE, mean for R2).
   */
  readonly floor: { readonly mae: number; readonly r2: number };
}

/** `predicted[i]` is the model's value for `test[i]`; rows without the target are skipped. */
export function polymorphSplit(
  training: readonly Example[],
  test: readonly Example[],
  predicted: readonly number[],
  target: string,
): PolymorphSplit | null {
  const polymorphs = new Map<string, number[]>();
  for (const e of training) {
    const y = e.targets[target];
    if (y === null || y === undefined) continue;
    const key = compositionKey(e.composition);
    const list = polymorphs.get(key);
    if (list) list.push(y);
    else polymorphs.set(key, [y]);
  }
  const truth: number[] = [];
  const floorMedian: number[] = [];
  const floorMean: number[] = [];
  const seen = { n: 0, model: 0, median: 0 };
  const unseen = { n: 0, model: 0 };
  test.forEach((e, i) => {
    const y = e.targets[target];
    if (y === null || y === undefined) return;
    const error = Math.abs(predicted[i]! - y);
    const siblings = polymorphs.get(compositionKey(e.composition));
    truth.push(y);
    if (siblings) {
      const m = median(siblings);
      seen.n += 1;
      seen.model += error;
      seen.median += Math.abs(m - y);
      floorMedian.push(m);
      floorMean.push(siblings.reduce((a, b) => a + b, 0) / siblings.length);
    } else {
      unseen.n += 1;
      unseen.model += error;
      floorMedian.push(y);
      floorMean.push(y);
    }
  });
  if (truth.length === 0) return null;
  return {
    target,
    seen: { rows: seen.n, modelMae: seen.n ? seen.model / seen.n : 0, trainingMedianMae: seen.n ? seen.median / seen.n : 0 },
    unseen: { rows: unseen.n, modelMae: unseen.n ? unseen.model / unseen.n : 0 },
    floor: { mae: regressionMetrics(truth, floorMedian).mae, r2: regressionMetrics(truth, floorMean).r2 },
  };
}

/**
 * Compositions that have an entry on the convex hull among these rows. The hull has one entry per
 * composition (no formula of the seed set has two stable entries), so another entry of such a
 * composition is not on the hull.
 */
export function compositionsOnHull(rows: readonly Example[], target: string): Set<string> {
  const keys = new Set<string>();
  for (const e of rows) if (e.targets[target] === 1) keys.add(compositionKey(e.composition));
  return keys;
}

/** P(on the hull) with the hull's uniqueness applied: 0 for rows whose composition is in `onHull`. */
export function withHullUniqueness(rows: readonly Example[], probabilities: readonly number[], onHull: ReadonlySet<string>): number[] {
  return rows.map((e, i) => (onHull.has(compositionKey(e.composition)) ? 0 : probabilities[i]!));
}

export interface HullRuleResult {
  readonly target: string;
  /** Chosen on the validation rows, after the rule (compositions on the hull among the train rows). */
  readonly threshold: number;
  readonly validation: ClassificationMetrics;
  /** Test rows, after the rule (compositions on the hull among the train and validation rows). */
  readonly test: ClassificationMetrics;
  /** Test rows whose probability the rule set to 0. */
  readonly testRowsRuledOut: number;
  /** The model alone (no rule) on the test rows, by what the training rows record of each row's composition. */
  readonly modelAlone: { readonly threshold: number; readonly groups: readonly CompositionGroup[] };
}

/** Which training rows a test row's composition has: an entry on the hull, only entries off it, or none. */
export type CompositionHistory = 'on hull in training' | 'off hull in training' | 'new';

/** The classifier's test rows of one composition history, at one threshold. */
export interface CompositionGroup {
  readonly history: CompositionHistory;
  readonly rows: number;
  /** Rows on the hull (labelled positive). */
  readonly positives: number;
  /** Rows at or above the threshold. */
  readonly flagged: number;
  /** Flagged rows on the hull. */
  readonly truePositives: number;
}

/**
 * The classifier's test rows split by each row's composition history among `training` rows (the
 * counts behind its F1): where its false positives and misses are, and which of them no
 * composition-only model can avoid (a row whose composition is on the hull in training is never on it).
 */
export function compositionGroups(training: readonly Example[], test: readonly Example[], probabilities: readonly number[], threshold: number, target: string): CompositionGroup[] {
  const onHull = compositionsOnHull(training, target);
  const seen = new Set(training.filter((e) => e.targets[target] !== null && e.targets[target] !== undefined).map((e) => compositionKey(e.composition)));
  const histories: readonly CompositionHistory[] = ['on hull in training', 'off hull in training', 'new'];
  const groups = new Map(histories.map((history) => [history, { history, rows: 0, positives: 0, flagged: 0, truePositives: 0 }]));
  test.forEach((e, i) => {
    const y = e.targets[target];
    if (y === null || y === undefined) return;
    const key = compositionKey(e.composition);
    const g = groups.get(onHull.has(key) ? 'on hull in training' : seen.has(key) ? 'off hull in training' : 'new')!;
    const positive = y > 0.5;
    const flagged = probabilities[i]! >= threshold;
    g.rows += 1;
    if (positive) g.positives += 1;
    if (flagged) g.flagged += 1;
    if (positive && flagged) g.truePositives += 1;
  });
  return [...groups.values()];
}

/**
 * The classifier on a row split with the hull's uniqueness applied: the decision threshold is chosen
 * on validation rows (ruled by the train rows), then test rows are ruled by train + validation rows.
 */
export function hullRuleEvaluation(
  split: { readonly train: readonly Example[]; readonly val: readonly Example[]; readonly test: readonly Example[] },
  probabilities: { readonly val: readonly number[]; readonly test: readonly number[] },
  target: string,
  modelThreshold: number,
): HullRuleResult | null {
  const val = labelled(split.val, withHullUniqueness(split.val, probabilities.val, compositionsOnHull(split.train, target)), target);
  const training = [...split.train, ...split.val];
  const testOnHull = compositionsOnHull(training, target);
  const test = labelled(split.test, withHullUniqueness(split.test, probabilities.test, testOnHull), target);
  if (val.labels.length === 0 || test.labels.length === 0) return null;
  const threshold = chooseThreshold(val.labels, val.probabilities);
  return {
    target,
    threshold,
    validation: classificationMetrics(val.labels, val.probabilities, threshold),
    test: classificationMetrics(test.labels, test.probabilities, threshold),
    testRowsRuledOut: split.test.filter((e) => testOnHull.has(compositionKey(e.composition))).length,
    modelAlone: { threshold: modelThreshold, groups: compositionGroups(training, split.test, probabilities.test, modelThreshold, target) },
  };
}
