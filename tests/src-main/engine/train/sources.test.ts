import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrainingData } from '../../../../src-main/engine/train/sources.js';

const dir = mkdtempSync(join(tmpdir(), 'pdw-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadTrainingData --exclude-formulas-of', () => {
  it('leaves out every row whose reduced composition is in the excluded datasets, however it is written', () => {
    const data = join(dir, 'pretrain.csv');
    writeFileSync(data, 'formula,gap\nBa2Ti2O6,3.1\nK4Mn4O8,1.3\nNaCl,5.0\nCsPbI3,1.7\nSrTiO3,3.2\n');
    const testSet = join(dir, 'test.csv');
    writeFileSync(testSet, 'formula,target\nBaTiO3,3.0\nKMnO2,1.1\nCsPbBr3,2.3\n');
    const req = { data, targets: ['gap'], protocol: 'rows' as const, seed: 1, maxElements: 6 };
    const all = loadTrainingData(req);
    const kept = loadTrainingData({ ...req, excludeFormulasOf: [testSet] });
    expect(all.dataset.rows).toHaveLength(5);
    expect(kept.dataset.rows.map((r) => r.formula).sort()).toEqual(['CsPbI3', 'NaCl', 'SrTiO3']);
    expect(kept.excluded).toEqual({ datasets: [testSet], rows: 2 });
    const used = [...kept.split.train, ...kept.split.val, ...kept.split.test].map((e) => e.formula);
    expect(used).not.toContain('Ba2Ti2O6');
    expect(used).not.toContain('K4Mn4O8');
  });
});
