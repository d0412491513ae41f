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
    expect(d.extrapolation.rows).toBeGreaterThan(d.inDomain.rows); // hybrids are far from the ABX3 training set
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/## band_gap by the applicability flag/);
  }, 60_000);
});
