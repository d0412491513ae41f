// Model roles and the model store, on the committed models (no mocks).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { chooseRoles, modelRoles, predictionNote } from '../../../src-main/engine/model/roles.js';
import { defaultModelDir, ModelStore } from '../../../src-main/services/models.js';
import { modelConfigFor, trainingSettingsFor, DEFAULT_MODEL_CONFIG, DEFAULT_TRAINING } from '../../../src-main/services/model-recipe.js';

const dir = mkdtempSync(join(tmpdir(), 'pdw-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const table = loadElementTable();

describe('model roles', () => {
  it.each([
    [['band_gap'], 'stable', undefined, { bandGap: 'band_gap', stability: 'stable' }],
    [['gap'], 'stable', undefined, { bandGap: 'gap', stability: 'stable' }],
    [['Eg_eV'], null, 'Eg_eV', { bandGap: 'Eg_eV', stability: null }],
    [['formation_energy'], null, undefined, { bandGap: null, stability: null }],
    [['gap_pbe', 'gap_hse'], null, undefined, { bandGap: null, stability: null }], // ambiguous: none inferred
    [['gap_pbe', 'gap_hse'], null, 'gap_hse', { bandGap: 'gap_hse', stability: null }],
    [['band_gap'], 'stable', null, { bandGap: null, stability: 'stable' }],
    // the joint default model's heads: the experimental gap and E_hull get their own roles
    [['band_gap', 'band_gap_expt', 'energy_above_hull', 'formation_energy'], 'stable', undefined, { bandGap: 'band_gap', stability: 'stable', experimentalGap: 'band_gap_expt', energyAboveHull: 'energy_above_hull' }],
    [['band_gap_expt'], null, 'band_gap_expt', { bandGap: 'band_gap_expt', stability: null }], // the screening gap is not also the experimental one
  ] as const)('targets %j, classifier %s, named %s -> %j', (regressionTargets, classificationTarget, named, expected) => {
    expect(chooseRoles({ regressionTargets, classificationTarget }, named)).toEqual({ experimentalGap: null, energyAboveHull: null, ...expected });
  });

  it('refuses a named band-gap target the model does not have', () => {
    expect(() => chooseRoles({ regressionTargets: ['gap'], classificationTarget: null }, 'Eg')).toThrow(/'Eg' is not a regression target of the model \(it has gap\)/);
  });

  it('reads the roles of a card written before roles existed, with meaning and unit', () => {
    const card = JSON.parse(readFileSync(join(defaultModelDir(), 'model.json'), 'utf8')) as Parameters<typeof modelRoles>[0];
    const roles = modelRoles({ ...card, roles: undefined });
    expect(roles.bandGap).toMatchObject({ target: 'band_gap', unit: 'eV' });
    expect(roles.bandGap!.meaning).toMatch(/lowest-energy polymorph/);
    expect(roles.stability).toMatchObject({ target: 'stable', unit: 'probability' });
  });
});

describe('predictionNote: how a reported value is more than the ensemble mean', () => {
  const correction = { neighbours: 4, bandwidth: 0.2, shrinkage: 0.25 };
  it.each([
    [undefined, ''],
    [{}, ''],
    [{ zeroBelow: { band_gap: 0.3961 } }, "; predicted as 0 (a metal) where the ensemble's mean is at or below 0.396 eV (a cut chosen on validation)"],
    [{ neighbourCorrection: { band_gap: correction } }, "; the ensemble's mean corrected by its errors on the 4 nearest training compositions (in its latent space)"],
    [
      { neighbourCorrection: { band_gap: { ...correction, neighbours: 1 } }, zeroBelow: { band_gap: 0.349 } },
      "; the ensemble's mean corrected by its errors on the nearest training composition (in its latent space); predicted as 0 (a metal) where the corrected mean is at or below 0.349 eV (a cut chosen on validation)",
    ],
    [{ neighbourCorrection: { band_gap_expt: correction }, zeroBelow: { band_gap_expt: 0.4 } }, ''], // another target's settings
  ])('%j -> %j', (ensemble, note) => {
    expect(predictionNote(ensemble, 'band_gap', 'eV')).toBe(note);
  });
});

describe('the model store', () => {
  it('lists the bundled models with their roles; activates one with a band gap', () => {
    const store = new ModelStore(table);
    const names = store.list().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'protocol-r']));
    expect(store.activeSummary()).toMatchObject({ name: 'default', roles: { bandGap: { target: 'band_gap' } } });
    const r = store.activate(join(defaultModelDir(), '..', 'protocol-r'));
    expect(r.name).toBe('protocol-r');
    expect(store.activeDir).toMatch(/protocol-r$/);
    store.close();
  });

  it('refuses to make a model without a band-gap target the screening model, and keeps the active one', () => {
    const noGap = join(dir, 'formation-only');
    mkdirSync(noGap);
    const card = JSON.parse(readFileSync(join(defaultModelDir(), 'model.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(noGap, 'model.json'), JSON.stringify({ ...card, name: 'formation-only', roles: { bandGap: null, stability: null } }));
    const store = new ModelStore(table);
    expect(() => store.activate(noGap)).toThrow(/model 'formation-only' has no band-gap target .* cannot be the screening model/);
    expect(store.activeDir).toBe(defaultModelDir());
    store.close();
  });

  it('a missing model folder is a clear error', () => {
    const store = new ModelStore(table, join(dir, 'nothing-here'));
    expect(store.activeSummary()).toBeNull();
    expect(() => store.card()).toThrow(/no model at .*nothing-here \(model.json missing\)/);
  });
});

describe('one recipe for CLI and UI requests', () => {
  it('the boolean target is the classifier; a new d_model brings its own widths and divisible heads', () => {
    expect(modelConfigFor({}, ['gap', 'stable'], 'stable')).toMatchObject({ ...DEFAULT_MODEL_CONFIG, regressionTargets: ['gap'], classificationTarget: 'stable' });
    expect(modelConfigFor({ dModel: 16 }, ['gap'], null)).toMatchObject({ dModel: 16, feedForward: 32, trunk: 16, heads: 4, classificationTarget: null });
    expect(modelConfigFor({ dModel: 18 }, ['gap'], null).heads).toBe(2);
    expect(modelConfigFor({ dModel: 32, feedForward: 64, heads: 4 }, ['gap'], null)).toMatchObject({ feedForward: 64, heads: 4 });
  });

  it('patience follows the epochs unless given', () => {
    expect(trainingSettingsFor({ seed: 1 }).patience).toBe(DEFAULT_TRAINING.patience);
    expect(trainingSettingsFor({ seed: 1, epochs: 30 }).patience).toBe(10);
    expect(trainingSettingsFor({ seed: 1, epochs: 6 }).patience).toBe(5);
    expect(trainingSettingsFor({ seed: 2, epochs: 60, patience: 20 })).toMatchObject({ epochs: 60, patience: 20, seed: 2 });
  });

  it('the loss settings follow the request and keep the rest of the default loss', () => {
    expect(trainingSettingsFor({ seed: 1 }).loss).toEqual(DEFAULT_TRAINING.loss);
    const loss = trainingSettingsFor({ seed: 1, huberBeta: 0.1, focalAlpha: 0.5 }).loss;
    expect(loss).toEqual({ ...DEFAULT_TRAINING.loss, huberBeta: 0.1, focalAlpha: 0.5 });
    expect(loss.huberBeta).not.toBe(DEFAULT_TRAINING.loss.huberBeta);
  });
});

describe('result checks', () => {
  it('a result that drifts from the contract is refused, naming the channel and the field', async () => {
    const { checkResult } = await import('../../../shared/api/contract.js');
    expect(() => checkResult('count', { combinations: 1, chargeNeutral: 1, candidates: 1, rejected: {}, missingRadii: {}, notes: [], exact: true })).not.toThrow();
    expect(() => checkResult('count', { combinations: 1, chargeNeutral: 1, candidates: -1, rejected: {}, missingRadii: {}, notes: [], exact: true })).toThrow(/the result of 'count' does not match the contract: candidates/);
    const histogram = { edges: [0, 1], counts: [1, 2] };
    expect(() => checkResult('histogram', histogram)).toThrow(/edges must be one longer than counts/);
    const { resultChecksWanted } = await import('../../../src-main/services/workbench.js');
    expect(resultChecksWanted({ VITEST: 'true' })).toBe(true);
    expect(resultChecksWanted({})).toBe(false);
    expect(resultChecksWanted({ PDW_CHECK_RESULTS: '1' })).toBe(true);
  });
});
