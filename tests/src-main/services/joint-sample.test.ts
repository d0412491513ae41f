// The joint recipe's mp_gap sample size, set per evaluation (pdw evaluate --mp-gap-sample) or per
// model (pdw train --data joint --mp-gap-sample, recorded on the card).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { readModelCard } from '../../../src-main/engine/model/bundle.js';
import { bundledTrainingExamples, jointSampleOf, rebuildTrainingSplit } from '../../../src-main/engine/train/bundled.js';
import { alwaysKept, doubleFoldSplit, jointExamples, JOINT_MP_GAP_COMPOSITIONS, JOINT_TARGETS } from '../../../src-main/engine/train/joint.js';
import { JOINT_DATA } from '../../../src-main/engine/train/sources.js';
import { TrainingService } from '../../../src-main/services/training.js';

const root = join(import.meta.dirname, '..', '..', '..');
const training = new TrainingService(loadElementTable(), 'wasm');
const pdw = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), ...args], { encoding: 'utf8', env: { ...process.env, PDW_BACKEND: 'wasm' } });
const foldOne = (mpGapCompositions?: number) =>
  training.loadData({ data: JOINT_DATA, targets: JOINT_TARGETS, protocol: 'rows', testFold: 1, jointTest: 'D', seed: 1, maxElements: 6, ...(mpGapCompositions === undefined ? {} : { mpGapCompositions }) });

describe('the joint data\'s mp_gap sample', () => {
  it('defaults to the default model\'s, and a given size reaches the split (0: the perovskite stoichiometries and hybrids alone)', () => {
    const byDefault = foldOne();
    expect(byDefault.split.train).toEqual(doubleFoldSplit(1, { seed: 1, mpGapCompositions: JOINT_MP_GAP_COMPOSITIONS, maxElements: 6 }).split.train);
    const none = foldOne(0);
    expect(none.split.train).toEqual(doubleFoldSplit(1, { seed: 1, mpGapCompositions: 0, maxElements: 6 }).split.train);
    expect(none.split.train.length).toBeLessThan(byDefault.split.train.length);
    // every PBE gap left without the seed set's labels is an mp_gap row kept whatever the sample
    const mpGapOnly = [...none.split.train, ...none.split.val].filter((e) => e.targets['band_gap'] !== null && e.targets['stable'] === null);
    expect(mpGapOnly.length).toBeGreaterThan(1000);
    expect(mpGapOnly.every((e) => alwaysKept(e.composition))).toBe(true);
    expect(none.source).toMatch(/ \d+ of \d+ mp_gap compositions/);
  });

  it('is refused where no joint recipe is trained, saying why', () => {
    for (const [args, why] of [
      [['--protocol', 'G'], /G does not train the joint recipe/],
      [['--protocol', 'D'], /D without --init-from scores a trained model/],
    ] as const) {
      const r = pdw('evaluate', join(root, 'resources', 'models', 'default'), ...args, '--mp-gap-sample', '0', '--out', join(root, 'test-artifacts', 'never'));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(why);
    }
  });

  it('a model trained with a sample size records it, and its split, examples and neighbour memory are rebuilt with it', () => {
    const out = mkdtempSync(join(tmpdir(), 'pdw-joint-sample-'));
    try {
      const r = pdw('train', '--data', 'joint', '--targets', 'band_gap,stable', '--mp-gap-sample', '0', '--epochs', '1', '--members', '1', '--d-model', '8', '--layers', '1', '--quiet', '--out', out);
      expect(r.status, r.stderr).toBe(0);
      const card = readModelCard(out);
      expect(card.data.mpGapCompositions).toBe(0);
      expect(card.data.source).toMatch(/perovskite stoichiometries and hybrids only/);
      // rebuilt with the default's size, the split would hold thousands more rows than the card says
      const rebuilt = rebuildTrainingSplit(card, out);
      if (!('split' in rebuilt)) throw new Error(rebuilt.problem);
      expect(rebuilt.split.train.length).toBe(card.data.rows.train);
      expect(rebuilt.split.val.length).toBe(card.data.rows.val);
      const examples = bundledTrainingExamples(card)!;
      expect(examples).toEqual(jointExamples({ seed: card.training.seed, mpGapCompositions: 0, maxElements: card.featurizer.maxElements }).examples);
      expect(examples.length).toBeLessThan(jointExamples({ seed: card.training.seed, mpGapCompositions: JOINT_MP_GAP_COMPOSITIONS, maxElements: card.featurizer.maxElements }).examples.length);
      // a card written before the size was recorded means the default model's
      const { mpGapCompositions: _recorded, ...older } = card.data;
      expect(jointSampleOf({ data: older })).toBe(JOINT_MP_GAP_COMPOSITIONS);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('pdw train refuses a sample size for data that is not the joint set', () => {
    const r = pdw('train', '--data', 'mp_abx3', '--mp-gap-sample', '0', '--out', join(root, 'test-artifacts', 'never'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--mp-gap-sample sizes the joint data's mp_gap sample; --data mp_abx3 has none/);
  });
});
