// The engine commands (train, predict, evaluate) through the real `pdw` entry point.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedExamples } from '../engine/train/helpers.js';

const root = join(import.meta.dirname, '..', '..', '..');
let dir = '';
let model = '';
let trainLog = '';

function pdw(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), ...args], { encoding: 'utf8', env: { ...process.env, PDW_BACKEND: 'wasm' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pdw-cli-'));
  const rows = seedExamples(200).map((e) => `${e.formula},${e.targets['band_gap']},${e.targets['stable'] === 1 ? 'TRUE' : 'FALSE'}`);
  writeFileSync(join(dir, 'tiny.csv'), ['formula,gap,stable', ...rows, 'BaTiO3),1.0,TRUE'].join('\n'));
  model = join(dir, 'model');
  const r = pdw('train', '--data', join(dir, 'tiny.csv'), '--targets', 'gap,stable', '--epochs', '2', '--members', '2', '--parallel', '2',
    '--d-model', '16', '--layers', '1', '--heads', '2', '--feed-forward', '32', '--out', model, '--test-fold', '0');
  if (r.code !== 0) throw new Error(`training the CLI fixture model failed: ${r.stderr}`);
  trainLog = r.stdout + r.stderr;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pdw train', () => {
  it('trained and saved a model folder, reporting the rejected row and the test metrics', () => {
    expect(trainLog).toMatch(/1 rows rejected/);
    expect(trainLog).toMatch(/test: gap\.mae [0-9.]+/);
    expect(trainLog).toMatch(/saved .*model \(2 members/);
  });

  it('rejects an unknown protocol, target, or a missing data file', () => {
    expect(pdw('train', '--data', 'mp_abx3', '--protocol', 'X', '--out', join(dir, 'x')).stderr).toMatch(/unknown protocol 'X'/);
    expect(pdw('train', '--data', 'mp_abx3', '--targets', 'colour', '--out', join(dir, 'x')).stderr).toMatch(/no target colour/);
    const missing = pdw('train', '--data', join(dir, 'none.csv'), '--out', join(dir, 'x'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
    expect(pdw('train', '--data', join(dir, 'tiny.csv'), '--targets', 'gap', '--protocol', 'R', '--out', join(dir, 'x')).stderr).toMatch(/protocol R is the seed set/);
    expect(pdw('train', '--data', 'mp_abx3', '--epochs', '0', '--out', join(dir, 'x')).stderr).toMatch(/not a positive integer/);
  });
});

describe("a model trained on a column named 'gap'", () => {
  it('records gap as its band-gap role and screens with band gaps stored (not NULL)', () => {
    const card = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')) as { roles: { bandGap: string; stability: string }; metrics: { validation: { regression: Record<string, { mae: number }> } } };
    expect(card.roles).toEqual({ bandGap: 'gap', stability: 'stable', experimentalGap: null, energyAboveHull: null });
    expect(card.metrics.validation.regression['gap']!.mae).toBeGreaterThan(0); // one metrics shape: summarizeReport
    const library = join(dir, 'gap.sqlite');
    const screened = pdw('screen', '--a', 'Ca,Sr', '--b', 'Ti', '--x', 'O', '--model', model, '--library', library, '--workers', '2', '--quiet');
    expect(screened.code).toBe(0);
    expect(screened.stdout).toMatch(/2\/2 candidates stored/);
    const q = JSON.parse(pdw('query', '--screen', '1', '--library', library, '--json').stdout) as { rows: { bandGap: number | null; pStable: number | null }[] };
    expect(q.rows).toHaveLength(2);
    for (const r of q.rows) {
      expect(r.bandGap).toEqual(expect.any(Number));
      expect(r.pStable).toEqual(expect.any(Number));
    }
    // the export says which bundled datasets record each composition, with their values
    const out = join(dir, 'gap.csv');
    expect(pdw('export', '--screen', '1', '--library', library, '--out', out).code).toBe(0);
    const rows = parseCsv(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    const sr = rows.find((r) => r['formula'] === 'SrTiO3')!;
    expect(sr['known_in']).toBe('mp_abx3;mp_gap');
    expect(sr['known_records']).toMatch(/^mp_abx3 mp-4651 tet I4\/mcm: PBE gap 1\.849 eV, E_hull 0 eV\/atom, on the MP hull \| /);
    expect(pdw('query', '--screen', '1', '--library', library, '--novel-only', '--exact').stdout).toMatch(/^0 candidates match/);
    // computed values back in: the model's own target names ('gap' here), a bad row named with its line
    const results = join(dir, 'results.csv');
    writeFileSync(results, 'formula,gap,band_gap\nSrTiO3,3.2,9\nBaTiO3,3.0,\n');
    const imported = pdw('import-results', '--screen', '1', '--library', library, '--file', results, '--source', 'HSE06, my group');
    expect(imported.code).toBe(1);
    expect(imported.stdout).toMatch(/imported 1 values of gap for 1 candidates of screen 1 \(source: HSE06, my group\)/);
    expect(imported.stdout).toMatch(/columns not imported \(not a target of the screen's model\): band_gap/);
    expect(imported.stdout).toMatch(/not imported: line 3 \(formula\): no candidate of screen 1 has the composition of 'BaTiO3'/);
    expect(pdw('query', '--screen', '1', '--library', library).stdout).toMatch(/SrTiO3 .* gap 3\.2 \(HSE06, my group\)/);
    // updating this model would forget: it was trained on an uploaded CSV, so there is nothing to rehearse
    const update = pdw('update-model', '--screen', '1', '--library', library, '--out', join(dir, 'updated'), '--quiet');
    expect(update.code).toBe(1);
    expect(update.stderr).toMatch(/^pdw: error: model .* was trained on .*tiny\.csv.*, not a bundled dataset: there is nothing to rehearse, so updating it would forget/);
  });

  it('a model whose gap target is named explicitly must have that target', () => {
    const r = pdw('train', '--data', join(dir, 'tiny.csv'), '--targets', 'gap,stable', '--gap-target', 'Eg', '--epochs', '1', '--members', '1', '--d-model', '16', '--layers', '1', '--out', join(dir, 'wrong-gap'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the band-gap target 'Eg' is not a regression target of the model \(it has gap\)/);
  });
});

describe('pdw predict', () => {
  it('reads formulas from a CSV column or stdin, streams JSON Lines, and names the lines it skips', () => {
    const file = join(dir, 'formulas.csv');
    const rows = ['formula,source', 'BaTiO3,a', 'Xx3,b', ...Array.from({ length: 2500 }, (_, i) => `${['SrTiO3', 'CaZrO3', 'KNbO3'][i % 3]},c`), 'LiNaKRbCsFrMgSrO3,d'];
    writeFileSync(file, rows.join('\n'));
    const r = pdw('predict', '--model', model, '--file', file, '--jsonl');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { formula: string });
    expect(lines).toHaveLength(2501);
    expect(lines[0]!.formula).toBe('BaTiO3');
    expect(r.stderr).toMatch(/skipped line 3: cannot parse "Xx3"/);
    expect(r.stderr).toMatch(/skipped line 2504: .*at most 8/);
    expect(r.stderr).toMatch(/2 of 2503 formulas skipped/);
    const piped = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), 'predict', '--model', model, '--file', '-', '--json'], { input: 'SrTiO3\n\nCaTiO3\n', encoding: 'utf8', env: { ...process.env, PDW_BACKEND: 'wasm' } });
    expect(piped.status).toBe(0);
    expect((JSON.parse(piped.stdout) as { formula: string }[]).map((x) => x.formula)).toEqual(['SrTiO3', 'CaTiO3']);
  });


  it('reads a file of 150,000 formulas (a list that long overflowed the stack when spread into an array)', () => {
    const file = join(dir, 'many.txt');
    writeFileSync(file, Array.from({ length: 150_000 }, (_, i) => ['SrTiO3', 'CaZrO3', 'KNbO3'][i % 3]).join('\n'));
    const r = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), 'predict', '--model', model, '--file', file, '--jsonl'], { encoding: 'utf8', maxBuffer: 2 ** 30, env: { ...process.env, PDW_BACKEND: 'wasm' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(150_000);
  }, 240_000);

  it('--json prints one object per formula with value/sigma and probability/spread/decision', () => {
    const r = pdw('predict', '--model', model, 'BaTiO3', 'CsPb(I0.5Br0.5)3', '--json');
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ formula: 'BaTiO3', gap: { value: expect.any(Number), sigma: expect.any(Number) }, stable: { probability: expect.any(Number), spread: expect.any(Number), decision: expect.any(Boolean) } });
    // known compounds: the bundled datasets recording the composition; a mixed one is novel
    expect(out.map((o) => o['known'])).toEqual([['mp_abx3', 'mp_gap'], []]);
  });

  it('says which bundled datasets record a formula, and --recorded lists their values', () => {
    const text = pdw('predict', '--model', model, 'CsPbI3', 'Cs2AgBiBr6', 'RbHfI3');
    expect(text.stdout).toMatch(/CsPbI3 .*MP ABX3, MP gap\n/);
    expect(text.stdout).toMatch(/Cs2AgBiBr6 .*MP gap, expt\n/);
    expect(text.stdout).toMatch(/RbHfI3 .* -\n/);
    expect(text.stdout).toMatch(/CsPbI3: mp_abx3 mp-540839 ortho Pnma: PBE gap 2\.518 eV, E_hull 0 eV\/atom, on the MP hull; mp_gap/);
    expect(text.stdout).toMatch(/Cs2AgBiBr6: mp_gap Ag1Bi1Br6Cs2: PBE gap 1\.359 eV; expt_gap Cs2AgBiBr6: measured gap 2\.19 eV/);
    const json = JSON.parse(pdw('predict', '--model', model, 'Cs2AgBiBr6', '--json', '--recorded').stdout) as { recorded: { source: string; bandGap: number }[] }[];
    expect(json[0]!.recorded.map((r) => [r.source, r.bandGap])).toContainEqual(['expt_gap', 2.19]);
  });

  it('--attention adds the maps', () => {
    const r = pdw('predict', '--model', model, 'SrTiO3', '--attention');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/attention for SrTiO3/);
    expect(r.stdout).toMatch(/\[CLS\]\s+O\s+Sr\s+Ti/);
  });

  it('a formula it cannot take is reported with its place, the rest are predicted, and the exit code says so', () => {
    const bad = pdw('predict', '--model', model, 'BaTiO3', 'Xx3', '--json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/skipped argument 2: cannot parse "Xx3": unknown element symbol 'Xx'/);
    expect((JSON.parse(bad.stdout) as { formula: string }[]).map((r) => r.formula)).toEqual(['BaTiO3']);
    const strict = pdw('predict', '--model', model, 'BaTiO3', 'Xx3', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(/^pdw: error: argument 2: cannot parse "Xx3"/);
    expect(pdw('predict', '--model', join(dir, 'nope'), 'BaTiO3').stderr).toMatch(/no model at .*nope/);
    expect(pdw('predict', '--model', model, 'LiNaKRbCsFrMgSrO3').stderr).toMatch(/at most 8/);
    expect(pdw('predict', '--model', model, 'BaTiO3', '--backend', 'quantum').stderr).toMatch(/unknown backend 'quantum'/);
  });
});

describe('pdw evaluate', () => {
  it('needs a model for protocol R and a known protocol', () => {
    expect(pdw('evaluate', '--protocol', 'R').stderr).toMatch(/protocol R evaluates a trained model/);
    expect(pdw('evaluate', model, '--protocol', 'Q').stderr).toMatch(/unknown protocol 'Q'/);
    expect(pdw('evaluate', model, '--protocol', 'G', '--folds', '7').stderr).toMatch(/^pdw: error: option '--folds <list>' argument '7' is invalid. '7' is not a fold 0..4/);
  });

  it('refuses to fine-tune from a model whose data did not leave out the test set', () => {
    const r = pdw('evaluate', model, '--protocol', 'expt_gap', '--folds', '0', '--init-from', model);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pdw: error: --init-from: .* was not trained with --exclude-formulas-of expt_gap/);
    // protocol D trains only from an encoder that never saw a double perovskite of any fold
    const d = pdw('evaluate', model, '--protocol', 'D', '--folds', '0', '--init-from', model);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/^pdw: error: --init-from: .* was not trained with --exclude-formulas-of mp_gap_doubles/);
    // protocol R trains only a joint model's recipe (the seed-set recipe is pdw train --protocol R)
    const r2 = pdw('evaluate', model, '--protocol', 'R', '--init-from', model);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/^pdw: error: protocol R with --init-from trains the joint recipe of a model trained with --data joint; .* was trained on /);
  });
});

describe('pdw train --init-from / --exclude-formulas-of', () => {
  const tiny = ['--d-model', '16', '--layers', '1', '--heads', '2', '--feed-forward', '32'];

  it('fine-tunes from a model of the same architecture, recording it and the left-out rows in the card', () => {
    const excluded = seedExamples(200).slice(0, 3).map((e) => e.formula);
    writeFileSync(join(dir, 'exclude.csv'), ['formula', ...excluded].join('\n'));
    const out = join(dir, 'tuned');
    const r = pdw('train', '--data', join(dir, 'tiny.csv'), '--targets', 'gap,stable', '--epochs', '1', '--members', '1', ...tiny,
      '--init-from', model, '--exclude-formulas-of', join(dir, 'exclude.csv'), '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/3 rows left out: their composition is in/);
    const card = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { pretrainedFrom: { id: string }; data: { excluded: { rows: number } } };
    const base = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')) as { id: string };
    expect(card.pretrainedFrom.id).toBe(base.id);
    expect(card.data.excluded.rows).toBe(3);
  });

  it('refuses a pretrained model of another architecture', () => {
    const r = pdw('train', '--data', join(dir, 'tiny.csv'), '--targets', 'gap', '--epochs', '1', '--members', '1', '--d-model', '32', '--init-from', model, '--out', join(dir, 'x'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--init-from .*: its architecture \(d_model 16, 1 layers/);
  });
});

describe('pdw recalibrate', () => {
  it("prints each target's neighbour correction, zero gate, sigma scale and validation MAE before and after, and refuses a model whose split it cannot rebuild", () => {
    const copy = join(dir, 'protocol-r');
    cpSync(join(root, 'resources', 'models', 'protocol-r'), copy, { recursive: true });
    const r = pdw('recalibrate', copy);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/456 validation rows \(R split of mp_abx3\)/);
    // protocol R's model gets no correction: its validation rows' nearest training rows are other polymorphs, whose errors do not carry over
    expect(r.stdout).toMatch(/band_gap \(eV\)\s+none\s+<= 0\.\d+ -> 0\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+/);
    expect(r.stdout).toMatch(/decision threshold on P\(stable\)/);
    const refused = pdw('recalibrate', model);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^pdw: error: .*model: trained on .*tiny\.csv .*retrain it/);
  });
});
