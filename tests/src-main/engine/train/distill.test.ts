// Distilling an ensemble into members that share one encoder (engine/train/distill.ts): the shared
// forward pass gives exactly what running every member in full gives, the folded heads reproduce the
// teacher far better than a constant, and the transfer set keeps its held-out parts apart. The
// committed default model is the teacher; a small transfer set keeps the run short.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Space } from '../../../../shared/api/contract.js';
import { compositionKey } from '../../../../shared/composition/key.js';
import { loadElementTable, type ElementTable } from '../../../../src-main/data/elements/load.js';
import { initBackend } from '../../../../src-main/engine/backend.js';
import { loadMemberWeights, loadModel, readModelCard, saveModel } from '../../../../src-main/engine/model/bundle.js';
import { EnsemblePredictor } from '../../../../src-main/engine/model/predictor.js';
import { bundledTrainingExamples } from '../../../../src-main/engine/train/bundled.js';
import { distill, type DistillResult, type StudentStart, type TransferComposition } from '../../../../src-main/engine/train/distill.js';
import { sampleSpaces } from '../../../../src-main/services/distillation.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const teacherDir = join(root, 'resources', 'models', 'default');
// the screening model's own start: a d_model-32 encoder pretrained on mp_gap (the teacher is d_model 64)
const smallDir = join(root, 'resources', 'models', 'pretrained-mp-gap-d32-long');
const dir = mkdtempSync(join(tmpdir(), 'pdw-distill-'));
let table: ElementTable;
let result: DistillResult;
let transfer: TransferComposition[];
let small: DistillResult;
let smallStart: StudentStart;

const halides: Space = {
  sites: { A: ['MA', 'FA', 'Cs', 'Rb'], B: ['Pb', 'Sn', 'Ge', 'Bi', 'Ag', 'In', 'Na'], X: ['Cl', 'Br', 'I'] },
  mixing: { A: 0.5, X: 0.5 },
  double: true,
  maxElements: 8,
  oxidationStates: 'common',
  filters: { tolerance: [0.75, 1.15], octahedral: null, tauMax: null },
};

beforeAll(async () => {
  await initBackend('wasm');
  table = loadElementTable();
  const training = bundledTrainingExamples(readModelCard(teacherDir))!;
  const own = training.filter((_, i) => i % 5 === 0).map((e) => ({ formula: e.formula, composition: e.composition, source: 'teacher training compositions' }));
  const unique = new Map([...own, ...sampleSpaces(table, 400, 1, { halides })].map((c) => [compositionKey(c.composition), c]));
  transfer = [...unique.values()];
  const part = (k: number): TransferComposition[] => transfer.filter((_, i) => i % 10 === k);
  // the same transfer set and settings, from the teacher's member 0 and from a smaller pretrained encoder
  const run = (name: string, initFrom?: StudentStart): Promise<DistillResult> =>
    distill({ teacherDir, table, train: transfer.filter((_, i) => i % 10 > 1), val: part(0), check: part(1), settings: { epochs: 8, patience: 8, learningRate: 3e-3 }, name, ...(initFrom ? { initFrom } : {}) });
  result = await run('distill-test');
  const pretrained = loadMemberWeights(smallDir);
  smallStart = { card: pretrained.card, weights: pretrained.members[0]! };
  small = await run('distill-test-small', smallStart);
}, 480_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a distilled screening model', () => {
  it('samples each screening space and keeps the transfer parts apart', () => {
    const sampled = transfer.filter((c) => c.source === 'halides');
    expect(sampled.length).toBeGreaterThan(200);
    expect(sampled.some((c) => c.composition.elements.some((e) => e.element === 'C'))).toBe(true); // molecular cations as their atoms
    const from = result.card.ensemble.distilledFrom!;
    expect(from.transfer.train + from.transfer.val + from.transfer.check).toBe(transfer.length);
    expect(from.transfer.sources['halides']).toBe(sampled.length);
  });

  it('shares one encoder among its members, and the shared pass predicts what each member run in full predicts', async () => {
    const card = await saveModel(join(dir, 'student'), result.card, result.members);
    expect(card.ensemble.sharedTrunk).toBe(true);
    const bundle = loadModel(join(dir, 'student'));
    const a = await bundle.members[0]!.snapshot();
    const b = await bundle.members[3]!.snapshot();
    for (const name of ['input.w', 'layer1.ff2.w', 'trunk.dense.w']) expect(Array.from(b.get(name)!)).toEqual(Array.from(a.get(name)!));
    expect(Array.from(b.get('head.band_gap.w')!)).not.toEqual(Array.from(a.get('head.band_gap.w')!));

    const shared = new EnsemblePredictor(bundle, table);
    const full = new EnsemblePredictor({ card: { ...card, ensemble: { ...card.ensemble, sharedTrunk: false } }, members: bundle.members }, table);
    const compositions = transfer.slice(0, 300).map((c) => c.composition);
    const x = shared.predict(compositions);
    const y = full.predict(compositions);
    x.forEach((p, i) => {
      for (const t of Object.keys(p.regression)) {
        expect(p.regression[t]!.value).toBeCloseTo(y[i]!.regression[t]!.value, 5);
        expect(p.regression[t]!.sigma).toBeCloseTo(y[i]!.regression[t]!.sigma, 5);
      }
      expect(p.classification!.probability).toBeCloseTo(y[i]!.classification!.probability, 5);
    });
    shared.dispose();
  });

  it('follows the teacher on held-out compositions far better than a constant does', () => {
    const teacher = new EnsemblePredictor(loadModel(teacherDir), table);
    const check = transfer.filter((_, i) => i % 10 === 1).map((c) => c.composition);
    const gaps = teacher.predict(check).map((p) => p.regression['band_gap']!.value);
    const mean = gaps.reduce((s, v) => s + v, 0) / gaps.length;
    const constant = gaps.reduce((s, v) => s + Math.abs(v - mean), 0) / gaps.length;
    teacher.dispose();
    expect(result.fidelity.rows).toBe(check.length);
    expect(result.fidelity.regression['band_gap']!.meanAbsDifference).toBeLessThan(0.7 * constant);
    // the sigma scale is fitted on the validation part, so on the check part it is near but not exactly 1
    expect(result.fidelity.regression['band_gap']!.sigmaRatio).toBeGreaterThan(0.5);
    expect(result.fidelity.regression['band_gap']!.sigmaRatio).toBeLessThan(2);
  });

  it("keeps the teacher's card where screening reads it: targets, roles, data, featurizer, threshold", () => {
    const teacher = readModelCard(teacherDir);
    expect(result.card.targets).toEqual(teacher.targets);
    expect(result.card.roles).toEqual(teacher.roles);
    expect(result.card.data).toEqual(teacher.data);
    expect(result.card.featurizer).toEqual(teacher.featurizer);
    expect(result.card.config).toEqual(teacher.config);
    expect(result.card.ensemble.threshold).toBe(teacher.ensemble.threshold);
    expect(result.card.training.seed).toBe(teacher.training.seed); // the domain's references rebuild the same joint sample
  });

  it("started from a smaller pretrained encoder, takes that encoder's architecture and weights and keeps the teacher's heads", async () => {
    const teacher = readModelCard(teacherDir);
    expect(teacher.config.dModel).toBeGreaterThan(smallStart.card.config.dModel); // a real reduction, not the same model again
    expect(small.card.config).toEqual({ ...teacher.config, dModel: 32, layers: 2, heads: 4, feedForward: 64, trunk: 32 });
    expect(small.card.targets).toEqual(teacher.targets);
    expect(small.card.pretrainedFrom).toMatchObject({ id: smallStart.card.id, name: smallStart.card.name });
    const a = await small.members[0]!.snapshot();
    expect(a.get('input.w')!.length).toBe(smallStart.weights.get('input.w')!.length);
    expect(a.get('input.w')!.length).toBeLessThan((await result.members[0]!.snapshot()).get('input.w')!.length);
    // it learned the teacher, not only its start: far closer than a constant on held-out compositions
    const gaps = new EnsemblePredictor(loadModel(teacherDir), table);
    const check = transfer.filter((_, i) => i % 10 === 1).map((c) => c.composition);
    const values = gaps.predict(check).map((p) => p.regression['band_gap']!.value);
    gaps.dispose();
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const constant = values.reduce((sum, v) => sum + Math.abs(v - mean), 0) / values.length;
    expect(small.fidelity.regression['band_gap']!.meanAbsDifference).toBeLessThan(0.7 * constant);
  });

  it('refuses a start whose featurizer differs from the teacher\'s', async () => {
    const other = { ...smallStart.card, featurizer: { ...smallStart.card.featurizer, fractionWidth: 128 } };
    await expect(distill({ teacherDir, table, train: transfer.slice(0, 20), val: transfer.slice(20, 30), check: transfer.slice(30, 40), name: 'x', initFrom: { card: other, weights: smallStart.weights } })).rejects.toThrow(/other featurizer settings than the teacher/);
  });
});
