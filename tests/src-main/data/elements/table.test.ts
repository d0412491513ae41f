import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildElementTable, coordinationNumber } from '../../../../src-main/data/elements/build.js';
import { ElementTable, loadElementTable } from '../../../../src-main/data/elements/load.js';
import { dataDir, elementTablePath } from '../../../../src-main/data/paths.js';

// Built straight from the bundle, so the test checks the builder, not a stale generated file.
const table = new ElementTable(buildElementTable(dataDir()));

describe('element table built from the data bundle', () => {
  it('has all 118 elements in order of atomic number', () => {
    expect(table.elements).toHaveLength(118);
    table.elements.forEach((e, i) => expect(e.z).toBe(i + 1));
  });

  it('copies values from periodic_table.json (checked by hand for Ti)', () => {
    const ti = table.get('Ti');
    expect(ti).toMatchObject({
      name: 'Titanium',
      atomicMass: 47.867,
      electronegativity: 1.54,
      atomicRadius: 1.4,
      group: 4,
      row: 4,
      isMetal: true,
      isTransitionMetal: true,
      isMetalloid: false,
      commonOxidationStates: [4],
      icsdOxidationStates: [2, 3, 4],
      layout: { row: 4, column: 4 },
    });
    expect(ti.averageIonicRadius).toBeCloseTo((1.0 + 0.81 + 0.745) / 3, 12);
    expect(ti.shannonRadii).toContainEqual({
      oxidationState: 4, coordination: 6, coordinationLabel: 'VI', spin: null, ionicRadius: 0.605, crystalRadius: 0.745, source: 'pymatgen',
    });
    expect(ti.mat2vec).toHaveLength(200);
    expect(ti.mat2vec![0]).toBeCloseTo(-0.125702366232872, 12);
  });

  it('keeps Shannon radii with spin states and 12-fold coordination', () => {
    const sr = table.get('Sr').shannonRadii.find((r) => r.oxidationState === 2 && r.coordination === 12);
    expect(sr?.ionicRadius).toBe(1.44);
    const fe = table.get('Fe').shannonRadii.filter((r) => r.oxidationState === 3 && r.coordination === 6);
    expect(fe.map((r) => r.spin).sort()).toEqual(['High Spin', 'Low Spin']);
  });

  it('marks missing values null, never 0', () => {
    const he = table.get('He');
    expect(he.electronegativity).toBeNull();
    expect(he.atomicRadius).toBeNull();
    expect(he.averageIonicRadius).toBeNull();
    expect(he.commonOxidationStates).toEqual([]);
    expect(table.get('Og').shannonRadii).toEqual([]);
  });

  it('places lanthanides and actinides in the layout rows below the table', () => {
    expect(table.get('Ce').layout?.row).toBeGreaterThanOrEqual(8);
    expect(table.get('U').layout?.row).toBeGreaterThan(table.get('Ce').layout!.row);
  });

  it('reads coordination numerals', () => {
    expect(coordinationNumber('VI')).toBe(6);
    expect(coordinationNumber('XII')).toBe(12);
    expect(coordinationNumber('IX')).toBe(9);
    expect(coordinationNumber('IVSQ')).toBe(4);
    expect(coordinationNumber('IIIPY')).toBe(3);
    expect(() => coordinationNumber('sq')).toThrow(/coordination/);
  });

  it('setup wrote the same table the loader reads', () => {
    expect(existsSync(elementTablePath())).toBe(true);
    expect(loadElementTable().get('Ti')).toEqual(table.get('Ti'));
  });

  it('says where to put the bundle when it is missing', () => {
    expect(() => buildElementTable('/nonexistent/bundle')).toThrow(/PDW_DATA_DIR/);
    expect(() => loadElementTable('/nonexistent/elements.json')).toThrow(/npm run setup/);
  });
});

describe('radii from two tables', () => {
  it('pymatgen first; the bundle CSV adds only what pymatgen lacks, each radius marked with its source', async () => {
    const { mergeRadii } = await import('../../../../src-main/data/elements/build.js');
    const pymatgen = [{ oxidationState: 4, coordination: 6, coordinationLabel: 'VI', spin: null, ionicRadius: 0.69, crystalRadius: 0.83, source: 'pymatgen' as const }];
    const csv = [
      { ion: 'Sn+4', symbol: 'Sn', oxidationState: 4, coordination: 6, spin: null, ionicRadius: 0.7, crystalRadius: 0.84, record: '396' },
      { ion: 'Sn+2', symbol: 'Sn', oxidationState: 2, coordination: 6, spin: null, ionicRadius: 1.15, crystalRadius: 1.29, record: '498' },
    ];
    expect(mergeRadii(pymatgen, csv)).toEqual([
      { oxidationState: 2, coordination: 6, coordinationLabel: 'VI', spin: null, ionicRadius: 1.15, crystalRadius: 1.29, source: 'shannon_radii.csv' },
      pymatgen[0],
    ]);
  });

  it('the generated table has Sn2+ and every oxidation state pymatgen lists', () => {
    const sn = loadElementTable().get('Sn');
    expect(sn.shannonRadii.find((r) => r.oxidationState === 2)).toMatchObject({ ionicRadius: 1.15, source: 'shannon_radii.csv' });
    expect(sn.allOxidationStates).toEqual([-4, 2, 4]);
  });
});
