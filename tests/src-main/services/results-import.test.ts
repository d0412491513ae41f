// Results back in: computed or measured values imported beside the predictions of a real screen
// (the committed default model, a real SQLite file, the handler table the server and Electron call).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Space } from '../../../shared/api/contract.js';
import type { WorkbenchEvent } from '../../../shared/api/types.js';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { initBackend } from '../../../src-main/engine/backend.js';
import { JOINT_MP_GAP_COMPOSITIONS } from '../../../src-main/engine/train/joint.js';
import { bundledTrainingExamples, modelTrainingExamples, rebuildTrainingSplit } from '../../../src-main/engine/train/bundled.js';
import { readDomainFile } from '../../../src-main/engine/domain/file.js';
import { compositionKey } from '../../../shared/composition/key.js';
import { parseFormulaOrThrow } from '../../../shared/composition/parse.js';
import { defaultModelDir } from '../../../src-main/services/models.js';
import { Workbench } from '../../../src-main/services/workbench.js';
import { Library } from '../../../src-main/library/index.js';
import { updateModel } from '../../../src-main/services/model-update.js';
import { TrainingService } from '../../../src-main/services/training.js';
import { recalibrate } from '../../../src-main/services/recalibration.js';
import { finishModelOffThread } from '../../../src-main/services/model-finish.js';
import { EnsemblePredictor } from '../../../src-main/engine/model/predictor.js';

const space: Space = {
  sites: { A: ['Cs', 'MA'], B: ['Pb', 'Sn'], X: ['I', 'Br'] }, mixing: { X: 0.5 }, double: false, maxElements: 6, oxidationStates: 'common',
  filters: { tolerance: null, octahedral: null, tauMax: null },
};
let dir = '';
let workbench: Workbench;
let screenId = 0;
let modelDir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pdw-results-'));
  const backend = await initBackend('wasm');
  // the committed default model, its card recording the joint sample it was trained with (older cards leave it implied)
  modelDir = join(dir, 'default');
  for (const file of ['model.json', 'weights.bin', 'domain.json']) cpSync(join(defaultModelDir(), file), join(modelDir, file));
  const card = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as { data: Record<string, unknown> };
  writeFileSync(join(modelDir, 'model.json'), JSON.stringify({ ...card, data: { ...card.data, mpGapCompositions: JOINT_MP_GAP_COMPOSITIONS } }));
  workbench = new Workbench({ table: loadElementTable(), libraryFile: join(dir, 'library.sqlite'), modelDir, workspaceDir: dir, backend: backend.name, workers: 1 });
  const done = new Promise<void>((resolve) => workbench.events.on('event', (e: WorkbenchEvent) => e.type === 'screen-finished' && resolve()));
  ({ screenId } = await workbench.handle('startScreen', { space }));
  await done;
}, 60_000);
afterAll(async () => {
  await workbench.close();
  rmSync(dir, { recursive: true, force: true });
});

const CSV = [
  'formula,band_gap,stable,note',
  'CsPbI3,1.73,true,my PBE',
  'Sn2Cs2Br6,1.2,,', // the same composition as CsSnBr3, written another way
  'CH3NH3PbI3,1.6,false,', // MA as its atoms
  'CsPb(I0.5Br0.5)3,2.0,,', // a mixed candidate
  'RbPbBr3,abc,,',
  'KTaO3,3.5,,',
  'CsSnI3,,,',
].join('\n');

describe('importing results', () => {
  it('stores values beside the predictions, matched by composition, and lists every row it did not store', async () => {
    const before = await workbench.handle('query', { screenId, limit: 100, offset: 0 });
    const r = await workbench.handle('importResults', { screenId, csv: CSV, fileName: 'dft.csv', source: 'PBE, my group' });
    expect(r).toMatchObject({ targets: ['band_gap', 'stable'], ignoredColumns: ['note'], added: 6, duplicates: 0, candidates: 4 });
    expect(r.problems).toEqual([
      { line: 6, column: 'band_gap', reason: "'abc' is not a plain decimal number" },
      { line: 7, column: 'formula', reason: `no candidate of screen ${screenId} has the composition of 'KTaO3'` },
      { line: 8, column: null, reason: 'no value in band_gap, stable' },
    ]);
    const after = await workbench.handle('query', { screenId, limit: 100, offset: 0 });
    // the predictions are untouched
    expect(after.rows.map((x) => [x.id, x.bandGap, x.pStable])).toEqual(before.rows.map((x) => [x.id, x.bandGap, x.pStable]));
    const byFormula = new Map(after.rows.map((x) => [x.formula, x]));
    expect(byFormula.get('CsPbI3')!.imported!.map((v) => [v.target, v.value, v.source, v.file, v.line])).toEqual([['band_gap', 1.73, 'PBE, my group', 'dft.csv', 2], ['stable', 1, 'PBE, my group', 'dft.csv', 2]]);
    expect(byFormula.get('CsSnBr3')!.imported!.map((v) => v.value)).toEqual([1.2]);
    expect(byFormula.get('MAPbI3')!.imported!.map((v) => [v.target, v.value])).toEqual([['band_gap', 1.6], ['stable', 0]]);
    expect(byFormula.get('CsPb(I0.5Br0.5)3')!.imported!.map((v) => v.value)).toEqual([2]);
    expect(byFormula.get('CsSnI3')!.imported).toBeUndefined();
    // the candidate view lists them
    const detail = await workbench.handle('detail', { candidateId: byFormula.get('CsPbI3')!.id });
    expect(detail.imported).toHaveLength(2);
  });

  it('does not store a value twice when the file is imported again, and keeps values from another source', async () => {
    const again = await workbench.handle('importResults', { screenId, csv: CSV, fileName: 'dft.csv', source: 'PBE, my group' });
    expect(again).toMatchObject({ added: 0, duplicates: 6 });
    const other = await workbench.handle('importResults', { screenId, csv: 'Formula,Band_Gap\nCsPbI3,1.5\n', fileName: 'pl.csv', source: 'experiment (PL)' });
    expect(other).toMatchObject({ added: 1, targets: ['band_gap'], problems: [] });
    const row = (await workbench.handle('query', { screenId, limit: 100, offset: 0 })).rows.find((x) => x.formula === 'CsPbI3')!;
    expect(row.imported!.filter((v) => v.target === 'band_gap').map((v) => [v.value, v.source])).toEqual([[1.73, 'PBE, my group'], [1.5, 'experiment (PL)']]);
  });

  it('draws the imported gaps on the scatter and exports them with their source', async () => {
    const scatter = await workbench.handle('scatter', { screenId, maxPoints: 1000, window: [1.2, 1.8] });
    expect([...scatter.imported.gap].sort()).toEqual([1.2, 1.5, 1.6, 1.73, 2]);
    expect(scatter.imported.sources).toContain('experiment (PL)');
    // filters apply to them as to every point
    expect((await workbench.handle('scatter', { screenId, maxPoints: 1000, window: [1.2, 1.8], exclude: ['Pb'] })).imported.gap).toEqual([1.2]);
    const { csv } = await workbench.handle('exportCsv', { screenId, notes: {} });
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.find((x) => x['formula'] === 'CsPbI3')!['imported_results']).toBe('band_gap = 1.73 eV (PBE, my group; dft.csv line 2) | stable = 1 (PBE, my group; dft.csv line 2) | band_gap = 1.5 eV (experiment (PL); pl.csv line 2)');
    expect(rows.find((x) => x['formula'] === 'CsSnI3')!['imported_results']).toBe('');
  });

  it('updates the model with the imported values and rehearsal: it fits them better, and says how it does on its own data', async () => {
    const library = Library.openReadonly(join(dir, 'library.sqlite'));
    try {
      const outDir = join(dir, 'updated');
      const phases: string[] = [];
      const r = await updateModel({ library, table: loadElementTable(), models: workbench.models, training: new TrainingService(loadElementTable(), 'wasm') }, { screenId, outDir, members: 1, epochs: 3, rehearsal: 200, seed: 1, onPhase: (p) => phases.push(p) });
      expect(phases).toEqual(['calibrating its applicability domain again on held-out mp_gap compositions']);
      // the reference rows are the base's validation rows (held out of its training), less the imported compositions
      const baseSplit = rebuildTrainingSplit(workbench.models.card(modelDir), modelDir);
      if (!('split' in baseSplit)) throw new Error(baseSplit.problem);
      expect(r).toMatchObject({ importedRows: 4, rehearsalRows: 200, referenceHeldOut: true, gapTarget: 'band_gap', repeats: 13 });
      expect(r.referenceRows).toBeGreaterThan(1000);
      expect(r.referenceRows).toBeLessThanOrEqual(baseSplit.split.val.length);
      expect(r.before.imported.rows).toBe(4);
      expect(r.after.imported.mae!).toBeLessThan(r.before.imported.mae!); // the update took
      expect(Number.isFinite(r.after.reference.mae)).toBe(true);
      expect(r.card.pretrainedFrom?.name).toBe('default'); // fine-tuned from the screen's model
      expect(r.card.data.source).toMatch(/^joint: .*\(rehearsal sample\) \+ results imported for screen \d+/);
      // the updated model screens: its card keeps the band-gap meaning of the model it came from
      expect(workbench.models.card(outDir).targets['band_gap']).toBe(workbench.models.card(modelDir).targets['band_gap']);
      // and the joint sample (size and seed) its bundled rows are rebuilt from
      expect(r.card.data.mpGapCompositions).toBe(JOINT_MP_GAP_COMPOSITIONS);
      expect(r.card.data.jointSeed).toBe(workbench.models.card(modelDir).training.seed);
      // and the recipe's doubles' repeats (the shipped default's 2), which pdw evaluate reads from the card
      expect(workbench.models.card(modelDir).data.doublesRepeats).toBe(2);
      expect(r.card.data.doublesRepeats).toBe(2);

      // its own split, beside the weights: the imported rows the bundle cannot give again
      const rebuilt = rebuildTrainingSplit(r.card, outDir);
      if (!('split' in rebuilt)) throw new Error(rebuilt.problem);
      expect(rebuilt.split.train.length).toBe(r.card.data.rows.train);
      expect(rebuilt.split.val.length).toBe(r.referenceRows);
      const trainedOn = new Set(baseSplit.split.train.map((e) => compositionKey(e.composition)));
      expect(rebuilt.split.val.filter((e) => trainedOn.has(compositionKey(e.composition)))).toEqual([]); // none of them trained the base
      const mixed = compositionKey(parseFormulaOrThrow('CsPb(I0.5Br0.5)3'));
      expect(rebuilt.split.train.filter((e) => compositionKey(e.composition) === mixed)).toHaveLength(r.repeats);
      // ... which are among its training compositions (the domain's references, the next update's rehearsal)
      const learned = modelTrainingExamples(r.card, outDir)!;
      expect(learned.filter((e) => compositionKey(e.composition) === mixed)).toHaveLength(1);
      expect(learned.length).toBe(bundledTrainingExamples(r.card)!.length + 1); // the other three imported compositions are in the bundle

      // the base's domain, measured again in the updated latent space: the imported mixed candidate is in it, at distance 0
      expect(r.domainThreshold).toBeGreaterThan(0);
      expect(readDomainFile(outDir)?.threshold).toBe(r.domainThreshold);
      const [mixedPrediction] = workbench.models.predictor(outDir).predict([parseFormulaOrThrow('CsPb(I0.5Br0.5)3')]);
      expect(mixedPrediction!.domain!.inDomain).toBe(true);
      expect(mixedPrediction!.domain!.distance).toBeLessThan(1e-4);
      // a neighbour correction is chosen where it lowers the reference rows' error; its memory is read from the split file
      expect(r.neighbourCorrected).toEqual(Object.keys(r.card.ensemble.neighbourCorrection ?? {}));
      expect(r.neighbourCorrected).toContain('band_gap'); // with this seed it is chosen; were it not, the memory below would go untested
      const hood = workbench.models.predictor(outDir).neighbourhood([parseFormulaOrThrow('CsPb(I0.5Br0.5)3')]);
      expect(hood.distance2[0]).toBeLessThan(1e-8); // the imported row is the nearest memory row of its own composition

      // that calibration runs in a worker thread (tens of seconds of embedding, which would hold a server's
      // requests in its own): when the call returns, nothing is written yet; the threshold is the same
      rmSync(join(outDir, 'domain.json'));
      const pending = finishModelOffThread({ modelDir: outDir, calibrateDomain: true, backend: 'wasm' }, loadElementTable());
      expect(existsSync(join(outDir, 'domain.json'))).toBe(false);
      expect(await pending).toBe(r.domainThreshold);

      // recalibrating it reads the same split and memory from its folder, so it chooses what the update chose
      const { after: recalibrated } = recalibrate(outDir, loadElementTable());
      expect(recalibrated.ensemble.neighbourCorrection).toEqual(r.card.ensemble.neighbourCorrection);
      expect(recalibrated.ensemble.sigmaScale).toEqual(r.card.ensemble.sigmaScale);

      // a split file that no longer matches its card is refused, not half-used
      const file = join(outDir, r.card.data.ownSplit!.file);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"val":[', '"val":[ '));
      expect(rebuildTrainingSplit(r.card, outDir)).toMatchObject({ why: 'changed', problem: expect.stringMatching(/does not match the checksum on its card/) as unknown });
      expect(() => modelTrainingExamples(r.card, outDir)).toThrow(/does not match the checksum/);
      // loading it says so (its domain references and memory are cached, so the cache goes first: a fresh machine)
      for (const cache of ['domain-references.json', 'neighbour-memory.json']) rmSync(join(outDir, cache), { force: true });
      expect(() => EnsemblePredictor.load(outDir, loadElementTable())).toThrow(/training-split.json does not match the checksum on its card/);
    } finally {
      library.close();
    }
  }, 300_000);

  it('refuses a file without a target column, an unknown screen and an empty source, naming what is wrong', async () => {
    await expect(workbench.handle('importResults', { screenId, csv: 'formula,gap_eV\nCsPbI3,1\n', fileName: 'x.csv', source: 's' })).rejects.toThrow(/x\.csv: no column names a target of the screen's model \(band_gap, band_gap_expt, energy_above_hull, formation_energy, stable\); columns: formula, gap_eV/);
    await expect(workbench.handle('importResults', { screenId, csv: 'name,band_gap\nCsPbI3,1\n', fileName: 'x.csv', source: 's' })).rejects.toThrow(/no column 'formula'/);
    await expect(workbench.handle('importResults', { screenId: 999, csv: CSV, fileName: 'x.csv', source: 's' })).rejects.toThrow(/no screen 999/);
  });
});
