// The joint recipe's mp_gap sample size, set per evaluation (pdw evaluate --mp-gap-sample).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { alwaysKept, doubleFoldSplit, JOINT_MP_GAP_COMPOSITIONS, JOINT_TARGETS } from '../../../src-main/engine/train/joint.js';
import { JOINT_DATA } from '../../../src-main/engine/train/sources.js';
import { TrainingService } from '../../../src-main/services/training.js';

const root = join(import.meta.dirname, '..', '..', '..');
const training = new TrainingService(loadElementTable(), 'wasm');
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
      const r = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), 'evaluate', join(root, 'resources', 'models', 'default'), ...args, '--mp-gap-sample', '0', '--out', join(root, 'test-artifacts', 'never')], { encoding: 'utf8', env: { ...process.env, PDW_BACKEND: 'wasm' } });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(why);
    }
  });
});
