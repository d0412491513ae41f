// The joint recipe's weight on double perovskites: each A2BB'X6 / A2BX6 example repeated in an epoch's
// training rows (pdw train --data joint --doubles-repeats, pdw evaluate --doubles-repeats), recorded
// on the card so the split can be rebuilt.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compositionKey } from '../../../shared/composition/key.js';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { readModelCard } from '../../../src-main/engine/model/bundle.js';
import { rebuildTrainingSplit } from '../../../src-main/engine/train/bundled.js';
import type { Example } from '../../../src-main/engine/train/data.js';
import { doubleFoldSplit, JOINT_MP_GAP_COMPOSITIONS, JOINT_SEED_REPEATS, JOINT_TARGETS } from '../../../src-main/engine/train/joint.js';
import { JOINT_DATA } from '../../../src-main/engine/train/sources.js';
import { doubleLike } from '../../../src-main/engine/train/stoichiometry.js';
import { jointRecipeChoices } from '../../../src-main/services/evaluation.js';
import { TrainingService } from '../../../src-main/services/training.js';

const root = join(import.meta.dirname, '..', '..', '..');
const training = new TrainingService(loadElementTable(), 'wasm');
const pdw = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), ...args], { encoding: 'utf8', env: { ...process.env, PDW_BACKEND: 'wasm' } });

/** How many times each composition appears among `rows`. */
function timesByComposition(rows: readonly Example[]): Map<string, number> {
  const times = new Map<string, number>();
  for (const e of rows) times.set(compositionKey(e.composition), (times.get(compositionKey(e.composition)) ?? 0) + 1);
  return times;
}

describe("the joint data's double-perovskite repeats", () => {
  it('repeats each training double that many times, the seed set as before, everything else once, and never a validation row', () => {
    const settings = { seed: 1, mpGapCompositions: 9000, maxElements: 6 };
    const once = doubleFoldSplit(2, settings).split;
    const thrice = doubleFoldSplit(2, { ...settings, doublesRepeats: 3 }).split;
    expect(thrice.val).toEqual(once.val);
    expect(thrice.test).toEqual(once.test);
    const doubles = once.train.filter((e) => doubleLike(e.composition));
    expect(doubles.length).toBeGreaterThan(2000); // the other folds' doubles train
    expect(thrice.train.length).toBe(once.train.length + 2 * doubles.length);
    const times = timesByComposition(thrice.train);
    for (const e of thrice.train) {
      const expected = e.targets['stable'] !== null ? JOINT_SEED_REPEATS : doubleLike(e.composition) ? 3 : 1;
      expect(times.get(compositionKey(e.composition)), e.formula).toBe(expected);
    }
  });

  it('reaches the split through the training service and names itself in the source; the default (once) records nothing', () => {
    const request = { data: JOINT_DATA, targets: JOINT_TARGETS, protocol: 'rows' as const, testFold: 1, jointTest: 'D' as const, seed: 1, maxElements: 6 };
    const byDefault = training.loadData(request);
    expect(byDefault.doublesRepeats).toBeUndefined();
    expect(byDefault.source).not.toMatch(/double perovskites/);
    const twice = training.loadData({ ...request, doublesRepeats: 2 });
    expect(twice.doublesRepeats).toBe(2);
    expect(twice.source).toMatch(/double perovskites 2 times per epoch/);
    expect(twice.split.train.length).toBe(byDefault.split.train.length + byDefault.split.train.filter((e) => doubleLike(e.composition)).length);
    expect(() => training.loadData({ ...request, doublesRepeats: 1.5 })).toThrow(/a whole number of times, at least once; got 1.5/);
  });

  it('is refused where no joint recipe is trained, or for a count below one, saying why', () => {
    const never = join(root, 'test-artifacts', 'never');
    const g = pdw('evaluate', join(root, 'resources', 'models', 'default'), '--protocol', 'G', '--doubles-repeats', '2', '--out', never);
    expect(g.status).not.toBe(0);
    expect(g.stderr).toMatch(/a double perovskite's repeats sets the joint recipe's training data .*G does not train the joint recipe/);
    const train = pdw('train', '--data', 'mp_abx3', '--doubles-repeats', '2', '--out', never);
    expect(train.status).not.toBe(0);
    expect(train.stderr).toMatch(/--doubles-repeats weighs the joint data's double perovskites; --data mp_abx3 is not the joint data/);
    const zero = pdw('train', '--data', 'joint', '--doubles-repeats', '0', '--out', never);
    expect(zero.status).not.toBe(0);
    expect(zero.stderr).toMatch(/doubles-repeats/);
  });

  it('a model trained with repeats records them, and its split is rebuilt with them', () => {
    const out = mkdtempSync(join(tmpdir(), 'pdw-joint-doubles-'));
    try {
      const r = pdw('train', '--data', 'joint', '--targets', 'band_gap,stable', '--mp-gap-sample', '0', '--doubles-repeats', '2', '--epochs', '1', '--members', '1', '--d-model', '8', '--layers', '1', '--quiet', '--out', out);
      expect(r.status, r.stderr).toBe(0);
      const card = readModelCard(out);
      expect(card.data.doublesRepeats).toBe(2);
      expect(card.data.source).toMatch(/double perovskites 2 times per epoch/);
      const rebuilt = rebuildTrainingSplit(card, out);
      if (!('split' in rebuilt)) throw new Error(rebuilt.problem);
      expect(rebuilt.split.train.length).toBe(card.data.rows.train);
      // without the record the rebuilt split would hold each double once: fewer rows than the card says
      const { doublesRepeats: _recorded, ...older } = card.data;
      const unrecorded = rebuildTrainingSplit({ ...card, data: older }, out);
      expect('problem' in unrecorded && unrecorded.problem).toMatch(/no longer gives the split it was trained on/);

      // evaluating the model cross-validates its own recipe: the repeats and the mp_gap sample of its card
      const report = join(out, 'report-J');
      const j = pdw('evaluate', out, '--protocol', 'J', '--folds', '0', '--members', '1', '--quiet', '--out', report);
      expect(j.status, j.stderr).toBe(0);
      expect(j.stderr).toMatch(/joint data: 0 mp_gap compositions, each double perovskite 2 times per epoch \(--mp-gap-sample \/ --doubles-repeats, else the model folder's card\)/);
      const written = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8')) as { model: { jointData: unknown }; folds: { rows: { train: number } }[] };
      expect(written.model.jointData).toEqual({ mpGapCompositions: 0, doublesRepeats: 2 });
      const fold0 = { data: JOINT_DATA, targets: JOINT_TARGETS, protocol: 'rows' as const, testFold: 0, jointTest: 'J' as const, seed: 1, maxElements: 6, mpGapCompositions: 0 };
      expect(written.folds[0]!.rows.train).toBe(training.loadData({ ...fold0, doublesRepeats: 2 }).split.train.length);
      expect(written.folds[0]!.rows.train).toBeGreaterThan(training.loadData(fold0).split.train.length);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("an evaluation's joint recipe", () => {
  const models = join(root, 'resources', 'models');
  it("takes each choice from the flags, else from a joint model's card, else the recipe's defaults", () => {
    const shipped = readModelCard(join(models, 'default'));
    expect(shipped.data.doublesRepeats).toBe(2);
    expect(jointRecipeChoices({}, shipped)).toEqual({ mpGapCompositions: shipped.data.mpGapCompositions, doublesRepeats: 2 });
    expect(jointRecipeChoices({ doublesRepeats: 1 }, shipped)).toEqual({ mpGapCompositions: shipped.data.mpGapCompositions, doublesRepeats: 1 });
    expect(jointRecipeChoices({ mpGapCompositions: 0, doublesRepeats: 3 }, shipped)).toEqual({ mpGapCompositions: 0, doublesRepeats: 3 });
    // a model of another recipe (the seed set's) or none: the joint recipe's defaults
    const seedSet = readModelCard(join(models, 'protocol-r'));
    expect(jointRecipeChoices({}, seedSet)).toEqual({ mpGapCompositions: JOINT_MP_GAP_COMPOSITIONS, doublesRepeats: 1 });
    expect(jointRecipeChoices({}, null)).toEqual({ mpGapCompositions: JOINT_MP_GAP_COMPOSITIONS, doublesRepeats: 1 });
  });
});
