// Runs the real `pdw` entry point (bin/pdw.js over the compiled dist/) as a user would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const fixture = join(root, 'tests', 'fixtures', 'bad-rows.csv');

function pdw(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pdw parse', () => {
  it('prints fractions Cs 0.2, Pb 0.2, I 0.3, Br 0.3 for CsPb(I0.5Br0.5)3', () => {
    const r = pdw('parse', 'CsPb(I0.5Br0.5)3');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/canonical\s+CsPbI1\.5Br1\.5/);
    for (const [el, f] of [['Cs', '0.2'], ['Pb', '0.2'], ['I', '0.3'], ['Br', '0.3']] as const) {
      expect(r.stdout).toMatch(new RegExp(`^${el}\\s+\\S+\\s+${f.replace('.', '\\.')}$`, 'm'));
    }
  });

  it('--json gives amounts and fractions', () => {
    const r = pdw('parse', '(Ca0.5Sr0.5)TiO3', '--json');
    const out = JSON.parse(r.stdout) as { canonical: string; elements: { element: string; fraction: number }[] };
    expect(out.canonical).toBe('Sr0.5Ca0.5TiO3');
    expect(out.elements.find((e) => e.element === 'O')!.fraction).toBe(0.6);
  });

  it('a stray bracket exits non-zero naming the bracket and its position, in one line', () => {
    const r = pdw('parse', 'BaTiO3)');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/'\)' at position 7 has no matching opening bracket/);
  });

  it('a missing argument is a usage error (exit 2)', () => {
    const r = pdw('parse');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pdw: error: missing required argument 'formula'/);
  });
});

describe('pdw featurize', () => {
  it('--json prints the matrix (rows x width), the mask and the element order', () => {
    const r = pdw('featurize', 'BaTiO3', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: number; width: number; matrix: number[][]; mask: number[]; elements: string[] };
    expect(out.rows).toBe(6);
    expect(out.width).toBe(466);
    expect(out.matrix).toHaveLength(6);
    expect(out.matrix.every((row) => row.length === 466)).toBe(true);
    expect(out.mask).toEqual([1, 1, 1, 0, 0, 0]);
    expect(out.elements).toEqual(['O', 'Ba', 'Ti']);
  });

  it('rejects a composition with more elements than rows, and a bad width', () => {
    expect(pdw('featurize', 'LiNaKO3', '--max-elements', '3').stderr).toMatch(/4 distinct elements; the model supports at most 3/);
    const bad = pdw('featurize', 'BaTiO3', '--fraction-width', '7');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/even integer/);
    expect(pdw('featurize', 'BaTiO3', '--max-elements', 'two').stderr).toMatch(/'two' is not a positive integer/);
  });
});

describe('pdw data info', () => {
  it('summarizes a 130,000-row CSV (statistics in a loop, not spread into Math.max)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pdw-data-'));
    const file = join(dir, 'big.csv');
    const rows = Array.from({ length: 130_000 }, (_, i) => `${i % 2 ? 'CaTiO3' : 'SrTiO3'},${(i % 500) / 100}`);
    writeFileSync(file, ['formula,gap', ...rows].join('\n'));
    const r = pdw('data', 'info', file, '--json');
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as { rowsLoaded: number; targets: { name: string; min: number; max: number }[] };
    expect(info.rowsLoaded).toBe(130_000);
    expect(info.targets[0]).toMatchObject({ name: 'gap', min: 0, max: 4.99 });
  });

  it('summarizes a bundled dataset by name', () => {
    const r = pdw('data', 'info', 'mp_abx3');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4557 read, 4557 loaded, 0 rejected/);
    expect(r.stdout).toMatch(/2693 distinct/);
  });

  it('lists bad rows of a user CSV with line numbers', () => {
    const r = pdw('data', 'info', fixture, '--targets', 'gap,stable:boolean', '--id', 'id', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { rowsRead: number; rowsLoaded: number; problems: { line: number }[] };
    expect(out.rowsRead).toBe(10);
    expect(out.rowsLoaded).toBe(5);
    expect(out.problems.map((p) => p.line)).toEqual([4, 5, 6, 9, 10]);
  });

  it('a missing file or column is a one-line error', () => {
    const missing = pdw('data', 'info', '/no/such.csv');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT|no such/i);
    const col = pdw('data', 'info', fixture, '--formula', 'composition');
    expect(col.code).toBe(1);
    expect(col.stderr).toMatch(/no column 'composition'/);
  });
});

describe('pdw --help', () => {
  it.each([[[]], [['parse']], [['featurize']], [['data', 'info']]])('%j --help exits 0 with usage', (args) => {
    const r = pdw(...args, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: pdw/);
  });

  it('an unknown command is a usage error', () => {
    const r = pdw('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pdw: error: unknown command 'frobnicate'/);
  });
});

describe('halide and hybrid perovskites from the command line', () => {
  it('predicts hybrids, a 7-element mixed hybrid (flagged) and lead-free layouts with the default model', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), 'predict', 'MAPbI3', '(FA0.83Cs0.17)Pb(I0.9Br0.1)3', 'CsSnI3', 'Cs2SnI6', 'Cs3Bi2I9', '--json'], { encoding: 'utf8', env: { ...process.env, PDW_BACKEND: 'wasm' } });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { formula: string; band_gap: { value: number; sigma: number } }[];
    expect(out.map((o) => o.formula)).toEqual(['MAPbI3', '(FA0.83Cs0.17)Pb(I0.9Br0.1)3', 'CsSnI3', 'Cs2SnI6', 'Cs3Bi2I9']);
    for (const o of out) expect(o.band_gap.value).toBeGreaterThanOrEqual(0);
    expect(r.stderr).toMatch(/\(FA0\.83Cs0\.17\)Pb\(I0\.9Br0\.1\)3 has more than the 6 elements the model was trained on: an extrapolation/);
  });

  it('enumerates CsSnI3 with Sn+2 and its radius source, and names the ions without radii', () => {
    const r = pdw('enumerate', '--a', 'Cs', '--b', 'Sn', '--x', 'I');
    expect(r.stdout).toMatch(/CsSnI3\s+Cs\+1 Sn\+2 I-1\s+0\.8612\s+0\.523\s+4\.24\s+Cs\+1 1\.88 \(12\) Sn\+2 1\.15 \(6, csv\) I-1 2\.2 \(6\)/);
    const counted = pdw('enumerate', '--a', 'Cs', '--b', 'Au,Pd', '--x', 'I,Cl', '--oxidation', 'all', '--no-t', '--count');
    expect(counted.stdout).toMatch(/no Shannon radius for: Au\+2 \(2 combinations\)/);
    const hybrid = pdw('enumerate', '--a', 'Cs', '--b', 'Sn,Ti,Bi', '--x', 'I', '--vacancy-ordered', '--layered', '--no-t', '--json');
    expect((JSON.parse(hybrid.stdout) as { formula: string }[]).map((c) => c.formula)).toEqual(['CsSnI3', 'Cs2SnI6', 'Cs2TiI6', 'Cs3Bi2I9']);
  });
});
