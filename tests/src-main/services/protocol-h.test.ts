// Protocol H: the bundle's hybrid halides scored with the default model, split by its applicability flag.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isHybridHalide } from '../../../src-main/services/evaluation.js';

const root = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pdw-h-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('protocol H', () => {
  it('takes C, H and N with a halide and a B-site metal; not an alkali salt, not an oxide', () => {
    expect(isHybridHalide(['C', 'H', 'N', 'Pb', 'I'])).toBe(true); // MAPbI3
    expect(isHybridHalide(['C', 'H', 'N', 'Cs', 'I'])).toBe(false); // no B-site metal
    expect(isHybridHalide(['C', 'H', 'N', 'Pb', 'O'])).toBe(false); // no halide
    expect(isHybridHalide(['H', 'N', 'Sn', 'Cl'])).toBe(false); // NH4SnCl3: no carbon
  });

  it('scores the default model on every such row of the bundle and splits the errors by its domain flag', () => {
    const out = join(dir, 'H');
    const r = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), 'evaluate', join(root, 'resources', 'models', 'default'), '--protocol', 'H', '--out', out], { encoding: 'utf8', env: { ...process.env, PDW_BACKEND: 'wasm' } });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { model: { rows: number; heldOut: string }; folds: { domain: { inDomain: { rows: number }; extrapolation: { rows: number } } }[] };
    expect(report.model.rows).toBe(281);
    expect(report.model.heldOut).toMatch(/^no: the model \(or its pretrained encoder\) saw mp_gap/);
    const d = report.folds[0]!.domain;
    expect(d.inDomain.rows + d.extrapolation.rows).toBe(281);
    expect(d.inDomain.rows).toBeGreaterThan(d.extrapolation.rows); // the joint default model trained on mp_gap's hybrids: they are in its domain
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/## band_gap by the applicability flag/);
    // the calibration it was scored with: the card's neighbour correction and zero gate, in the JSON and the summary
    const calibration = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { folds: { calibration: { neighbourCorrection: Record<string, unknown>; zeroBelow: Record<string, number> } }[] }).folds[0]!.calibration;
    expect(calibration.neighbourCorrection).toHaveProperty('band_gap.neighbours');
    expect(calibration.zeroBelow['band_gap']).toBeGreaterThan(0);
    // (the default model's card records its correction's cross-check, shown beside the settings)
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/\| hybrids \| band_gap \| k \d+, bandwidth [0-9.]+, shrinkage [0-9.]+; validation MAE out of half [0-9.]+ -> [0-9.]+ eV \| <= 0\.\d{3} -> 0 \| [0-9.]+ \|/);
  }, 60_000);
});

describe('protocol D, the baseline: a trained model on the double-perovskite folds', () => {
  it('partitions the A2BB\'X6 / A2BX6 entries of mp_gap into 5 folds by reduced formula and scores each', () => {
    const out = join(dir, 'D');
    const r = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), 'evaluate', join(root, 'resources', 'models', 'default'), '--protocol', 'D', '--out', out], { encoding: 'utf8', env: { ...process.env, PDW_BACKEND: 'wasm' } });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { model: { rows: number }; folds: { name: string; rows: { test: number }; domain: { inDomain: { rows: number }; extrapolation: { rows: number } } }[]; summary: Record<string, { mean: number; std: number }> };
    expect(report.folds.map((f) => f.name)).toEqual(['fold0', 'fold1', 'fold2', 'fold3', 'fold4']);
    expect(report.folds.reduce((n, f) => n + f.rows.test, 0)).toBe(report.model.rows);
    for (const f of report.folds) expect(f.domain.inDomain.rows + f.domain.extrapolation.rows).toBe(f.rows.test);
    expect(report.summary['band_gap.mae']!.std).toBeGreaterThan(0); // a mean over real folds
  }, 60_000);
});
