import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DatasetError,
  inferTargetKind,
  loadNamedDataset,
  loadNamedSplit,
  parseDatasetText,
  readCsvColumns,
  readDatasetFile,
  targetSpecsFor,
  type DatasetSpec,
} from '../../../../src-main/data/datasets/index.js';

const fixture = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'bad-rows.csv');
const spec: DatasetSpec = {
  formulaColumn: 'formula',
  idColumn: 'id',
  targets: [
    { name: 'band_gap', column: 'gap', kind: 'number' },
    { name: 'stable', column: 'stable', kind: 'boolean' },
  ],
};

describe('dataset CSV reader', () => {
  const ds = readDatasetFile(fixture, spec);

  it('loads good rows with their line numbers, targets and missing values', () => {
    expect(ds.rows.map((r) => r.id)).toEqual(['a1', 'a2', 'a6', 'a7', 'a10']);
    expect(ds.rows.map((r) => r.line)).toEqual([2, 3, 7, 8, 12]);
    expect(ds.rows[0]!.targets).toEqual({ band_gap: 3.2, stable: 1 });
    expect(ds.rows[2]!.targets).toEqual({ band_gap: null, stable: 1 });
    expect(ds.rows[4]!.composition.elements.map((e) => e.fraction)).toEqual([0.2, 0.2, 0.3, 0.3]);
  });

  it('reports every bad row with line, column and reason; nothing dropped silently', () => {
    expect(ds.problems).toEqual([
      { line: 4, column: 'formula', reason: expect.stringMatching(/'BaTiO3\)'.*no matching opening bracket/) },
      { line: 5, column: 'gap', reason: "'abc' is not a plain decimal number" },
      { line: 6, column: 'stable', reason: expect.stringMatching(/'maybe' is not a boolean/) },
      { line: 9, column: null, reason: '3 cells, the header has 4' },
      { line: 10, column: 'formula', reason: expect.stringMatching(/did you mean 'Co'/) },
    ]);
    expect(ds.rowsRead).toBe(ds.rows.length + ds.problems.length);
  });

  it('counts lines correctly when a quoted cell spans lines', () => {
    const text = 'formula,note,gap\nBaTiO3,"two\nlines",1\nXx,ok,2\n';
    const d = parseDatasetText(text, { formulaColumn: 'formula', targets: [{ name: 'gap', column: 'gap', kind: 'number' }] });
    expect(d.rows[0]!.line).toBe(2);
    expect(d.problems[0]!.line).toBe(4);
  });

  it('fails clearly on a missing column, a missing file and broken CSV', () => {
    expect(() => readDatasetFile(fixture, { ...spec, formulaColumn: 'composition' })).toThrow(/no column 'composition'.*columns: id, formula, gap, stable/);
    expect(() => readDatasetFile('/no/such.csv', spec)).toThrow(/cannot read \/no\/such.csv: ENOENT/);
    expect(() => parseDatasetText('formula,gap\n"BaTiO3,1\n', spec)).toThrow(DatasetError);
  });

  it('infers target kinds', () => {
    expect(inferTargetKind(['TRUE', 'false', ''])).toBe('boolean');
    expect(inferTargetKind(['1', '0'])).toBe('number');
    expect(inferTargetKind(['1.5', 'abc'])).toBe('number');
    const columns = readCsvColumns(fixture);
    expect(targetSpecsFor(columns, ['gap', 'stable', 'gap:boolean'])).toEqual([
      { name: 'gap', column: 'gap', kind: 'number' },
      { name: 'stable', column: 'stable', kind: 'boolean' }, // most cells are boolean words: 'maybe' is its row's problem, not the column's
      { name: 'gap', column: 'gap', kind: 'boolean' },
    ]);
    expect(() => targetSpecsFor(columns, ['nope'])).toThrow(/no column 'nope'/);
  });
});

describe('target values', () => {
  it('accepts plain decimal numbers in a physical range and reports every other value with its line', () => {
    const text = ['formula,gap', 'BaTiO3,3.2', 'SrTiO3,0x10', 'CaTiO3,0b11', 'KNbO3,0o17', 'NaNbO3,1e308', 'LiNbO3,-0.5', 'CsPbI3,Infinity', 'MgSiO3,1.73e0', 'PbTiO3,3 eV'].join('\n');
    const d = parseDatasetText(text, { formulaColumn: 'formula', targets: [{ name: 'gap', column: 'gap', kind: 'number' }] });
    expect(d.rows.map((r) => [r.formula, r.targets['gap']])).toEqual([['BaTiO3', 3.2], ['MgSiO3', 1.73]]);
    expect(d.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 8, 10]);
    expect(d.problems[0]!.reason).toMatch(/'0x10' is not a plain decimal number/);
    expect(d.problems[3]!.reason).toMatch(/1e308 is outside the range accepted for gap \(0 to 30 eV\)/);
    expect(d.problems[4]!.reason).toMatch(/-0.5 is outside the range accepted for gap/);
  });

  it('a 10 MB formula cell is not copied whole into the problem list', () => {
    const text = `formula,gap\n${'X'.repeat(10_000_000)},1\n`;
    const d = parseDatasetText(text, { formulaColumn: 'formula', targets: [{ name: 'gap', column: 'gap', kind: 'number' }] });
    expect(d.problems).toHaveLength(1);
    expect(d.problems[0]!.reason.length).toBeLessThan(300);
  });
});

describe('bundled datasets by name', () => {
  it('mp_abx3: 4,557 rows, 2,693 formulas, about 22% stable', () => {
    const ds = loadNamedDataset('mp_abx3');
    expect(ds.rows).toHaveLength(4557);
    expect(ds.problems).toEqual([]);
    expect(new Set(ds.rows.map((r) => r.formula)).size).toBe(2693);
    const stable = ds.rows.filter((r) => r.targets['stable'] === 1).length / ds.rows.length;
    expect(stable).toBeGreaterThan(0.2);
    expect(stable).toBeLessThan(0.24);
    expect(ds.rows[0]).toMatchObject({ id: 'mp-1183115', formula: 'AcAlO3', targets: { band_gap: 4.1024, stable: 1 } });
  });

  it('splits: protocol R 3,645 / 456 / 456 and protocol G folds 0..4 cover every row', () => {
    const ds = loadNamedDataset('mp_abx3');
    const random = loadNamedSplit('mp_abx3_random');
    const counts: Record<string, number> = {};
    for (const row of ds.rows) counts[random.get(row.id!)!] = (counts[random.get(row.id!)!] ?? 0) + 1;
    expect(counts).toEqual({ train: 3645, val: 456, test: 456 });
    const folds = loadNamedSplit('mp_abx3_by_formula');
    expect(folds.size).toBe(2693);
    expect(ds.rows.every((r) => ['0', '1', '2', '3', '4'].includes(folds.get(r.formula)!))).toBe(true);
  });

  it('unknown names list the known ones', () => {
    expect(() => loadNamedDataset('nope')).toThrow(/known: mp_abx3, expt_gap, mp_gap/);
    expect(() => loadNamedSplit('nope')).toThrow(/known: mp_abx3_random/);
  });
});
