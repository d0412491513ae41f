/** The joint training set of the default model: every source at once, one example per composition, targets masked. */
import { describe, expect, it } from 'vitest';
import { compositionKey } from '../../../../shared/composition/key.js';
import { parseFormulaOrThrow } from '../../../../shared/composition/parse.js';
import { loadNamedDataset } from '../../../../src-main/data/datasets/index.js';
import { dataDir } from '../../../../src-main/data/paths.js';
import { alwaysKept, doubleFoldSplit, doublePerovskiteEntries, DOUBLES_SET, jointExamples, jointFoldSplit, JOINT_TARGETS, rowSplitR } from '../../../../src-main/engine/train/joint.js';
import { compositionKeysOf } from '../../../../src-main/engine/train/sources.js';
import { doubleLike } from '../../../../src-main/engine/train/stoichiometry.js';
import { onePerFormula, protocolR } from '../../../../src-main/engine/train/protocols.js';
import { loadNamedSplit } from '../../../../src-main/data/datasets/index.js';

describe('joint training data', () => {
  const set = jointExamples({ seed: 1, mpGapCompositions: 9000, maxElements: 6 });
  const byKey = new Map(set.examples.map((e) => [compositionKey(e.composition), e]));

  it('has one example per composition, each with every target named and at least one known', () => {
    expect(byKey.size).toBe(set.examples.length);
    for (const e of set.examples) {
      expect(Object.keys(e.targets).sort()).toEqual([...JOINT_TARGETS].sort());
      expect(JOINT_TARGETS.some((t) => e.targets[t] !== null)).toBe(true);
    }
    expect(set.counts['stable']).toBe(onePerFormula(loadNamedDataset('mp_abx3')).length);
    expect(set.counts['mp_gap kept']).toBe(9000);
  });

  it("takes the seed set's lowest-energy polymorph for the PBE gap, and merges a measured gap into the same composition", () => {
    const seed = onePerFormula(loadNamedDataset('mp_abx3'));
    for (const s of seed.slice(0, 200)) expect(byKey.get(compositionKey(s.composition))!.targets['band_gap']).toBe(s.targets['band_gap']);
    const both = set.examples.filter((e) => e.targets['band_gap_expt'] !== null && e.targets['band_gap'] !== null);
    expect(both.length).toBeGreaterThan(100); // compositions with a PBE and a measured gap train both heads at once
  });

  it('keeps every perovskite-stoichiometry and hybrid entry of mp_gap', () => {
    const kept = loadNamedDataset('mp_gap').rows.filter((r) => r.composition.elements.length <= 6 && alwaysKept(r.composition));
    expect(kept.length).toBeGreaterThan(5000);
    for (const r of kept) expect(byKey.get(compositionKey(r.composition))?.targets['band_gap']).not.toBeNull();
  });

  it("protocol J's fold leaves its test compositions out of every source", () => {
    const { split, counts } = jointFoldSplit(dataDir(), 2, { seed: 1, mpGapCompositions: 9000, maxElements: 6 });
    const test = new Set(split.test.map((e) => compositionKey(e.composition)));
    expect(counts['test G']! + counts['test expt_gap']!).toBe(split.test.length);
    expect(counts['test G']).toBeGreaterThan(400);
    expect(counts['test expt_gap']).toBeGreaterThan(800);
    for (const e of [...split.train, ...split.val]) expect(test.has(compositionKey(e.composition))).toBe(false);
    // a test row carries only its own source's targets: the G rows no measured gap, the expt_gap rows no PBE gap
    for (const e of split.test) expect(e.targets['band_gap'] === null || e.targets['band_gap_expt'] === null).toBe(true);
  });

  it("protocol D's fold leaves its double-perovskite compositions out of every source, the measured gaps included", () => {
    const entries = doublePerovskiteEntries(8);
    expect(entries.length).toBe(4912); // the entries the baseline report scored
    const fold = entries.filter((e) => e.fold === 1);
    const { split, counts } = doubleFoldSplit(1, { seed: 1, mpGapCompositions: 9000, maxElements: 6 });
    expect(split.test.length).toBe(fold.length);
    expect(counts['test D']).toBe(fold.length);
    const test = new Set(split.test.map((e) => compositionKey(e.composition)));
    for (const e of [...split.train, ...split.val]) expect(test.has(compositionKey(e.composition))).toBe(false);
    // other folds' doubles still train: only the test fold leaves
    expect(split.train.some((e) => doubleLike(e.composition))).toBe(true);
    for (const e of split.test) expect(e.targets['band_gap']).not.toBeNull();
    // Cs2AgBiBr6 has a measured gap in expt_gap; in its fold it is absent from every source
    const key = compositionKey(parseFormulaOrThrow('Cs2AgBiBr6'));
    const cs2agbibr6 = entries.find((e) => compositionKey(e.composition) === key)!;
    const own = doubleFoldSplit(cs2agbibr6.fold, { seed: 1, mpGapCompositions: 9000, maxElements: 6 });
    expect(own.split.test.some((e) => compositionKey(e.composition) === key)).toBe(true);
    expect([...own.split.train, ...own.split.val].some((e) => compositionKey(e.composition) === key)).toBe(false);
    // the pretraining exclusion names every fold's compositions
    expect(compositionKeysOf([DOUBLES_SET]).size).toBe(new Set(entries.map((e) => compositionKey(e.composition))).size);
  }, 60_000);

  it("protocol R's joint split keeps R's polymorph siblings and nothing else of its test and validation compositions", () => {
    const r = protocolR(loadNamedDataset('mp_abx3'), loadNamedSplit('mp_abx3_random'));
    const { split, counts } = rowSplitR({ seed: 1, mpGapCompositions: 9000, maxElements: 6 });
    expect(split.test.length).toBe(456);
    expect(counts['test R']).toBe(456);
    const trainRowsByKey = new Map<string, typeof r.train>();
    for (const e of r.train) trainRowsByKey.set(compositionKey(e.composition), [...(trainRowsByKey.get(compositionKey(e.composition)) ?? []), e]);
    const heldOut = new Set([...r.test, ...r.val].map((e) => compositionKey(e.composition)));
    let siblings = 0;
    for (const e of [...split.train, ...split.val]) {
      const key = compositionKey(e.composition);
      if (!heldOut.has(key)) continue;
      // only the seed set's R training rows speak for a held-out composition: no mp_gap or expt_gap value
      const own = trainRowsByKey.get(key);
      expect(own, e.formula).toBeDefined();
      expect(e.targets['band_gap_expt']).toBeNull();
      expect(own!.map((t) => t.targets['band_gap'])).toContain(e.targets['band_gap']);
      siblings += 1;
    }
    expect(siblings).toBeGreaterThan(100); // R's own definition: polymorphs of a test formula train
    // a test composition with no R training row is absent from training altogether
    const lone = r.test.filter((e) => !trainRowsByKey.has(compositionKey(e.composition)));
    expect(lone.length).toBeGreaterThan(50);
    const trained = new Set([...split.train, ...split.val].map((e) => compositionKey(e.composition)));
    for (const e of lone) expect(trained.has(compositionKey(e.composition))).toBe(false);
  }, 60_000);
});
