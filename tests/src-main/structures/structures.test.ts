// DFT starting structures, checked by an independent reader: ASE (Debian's python3-ase) reads every
// POSCAR and CIF written and reports composition, cell and the shortest interatomic distance.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { enumerateCandidates } from '../../../src-main/enumerate/enumerate.js';
import type { EnumerationOptions } from '../../../src-main/enumerate/types.js';
import { structureOf, type Structure } from '../../../src-main/structures/cells.js';
import { toCif, toPoscar } from '../../../src-main/structures/formats.js';
import { readWithAse } from '../../ase.js';

const table = loadElementTable();
const dir = mkdtempSync(join(tmpdir(), 'pdw-structures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** Writes `s` as a POSCAR and a CIF named after `formula` and reads both back with ASE. */
function writtenAndRead(s: Structure, formula: string) {
  const name = formula.replace(/[()]/g, '_');
  const poscar = join(dir, `${name}.vasp`);
  const cif = join(dir, `${name}.cif`);
  writeFileSync(poscar, toPoscar(s));
  writeFileSync(cif, toCif(s));
  return readWithAse([poscar, cif]);
}

const base: EnumerationOptions = { sites: { A: ['Ca'], B: ['Ti'], X: ['O'] }, mixing: {}, double: false, maxElements: 6, oxidationStates: 'common', filters: { tolerance: null, octahedral: null, tauMax: null } };
const first = (o: EnumerationOptions, formula: string) => [...enumerateCandidates(table, o)].find((c) => c.formula === formula)!;

describe('starting structures', () => {
  const cases: [string, EnumerationOptions, string, string, number][] = [
    // formula, options, ASE's reduced formula, atoms, shortest distance = the B-X bond (r_B + r_X)
    ['CaTiO3', base, 'CaO3Ti', '5', 0.605 + 1.4],
    ['Ba2FeMoO6', { ...base, sites: { A: ['Ba'], B: ['Fe', 'Mo'], X: ['O'] }, double: true }, 'Ba2FeMoO6', '40', 0],
    ['Cs2SnI6', { ...base, sites: { A: ['Cs'], B: ['Sn'], X: ['I'] }, layouts: { vacancyOrdered: true } }, 'Cs2I6Sn', '36', 0.69 + 2.2],
  ];

  it.each(cases)('%s: ASE reads the POSCAR and the CIF with the right composition, cell and distances', (formula, options, aseFormula, atoms, bond) => {
    const s = structureOf(first(options, formula), table) as Structure;
    expect('reason' in s).toBe(false);
    for (const r of writtenAndRead(s, formula)) {
      expect(r.formula).toBe(aseFormula);
      expect(r.natoms).toBe(Number(atoms));
      for (const l of r.cell) expect(l).toBeCloseTo(s.a, 6);
      if (bond) expect(r.dmin).toBeCloseTo(bond, 6); // the shortest distance is the B-X bond the cell was built on
      expect(r.dmin).toBeGreaterThan(1.5); // no overlapping atoms
    }
  });

  it('the double perovskite puts both B-X bonds at their radii sums', () => {
    const s = structureOf(first({ ...base, sites: { A: ['Ba'], B: ['Fe', 'Mo'], X: ['O'] }, double: true }, 'Ba2FeMoO6'), table) as Structure;
    const rO = 1.4;
    const c = first({ ...base, sites: { A: ['Ba'], B: ['Fe', 'Mo'], X: ['O'] }, double: true }, 'Ba2FeMoO6');
    const rFe = table.get('Fe').shannonRadii.find((r) => r.oxidationState === c.oxidationStates.Fe && r.coordination === 6 && r.spin !== 'Low Spin')!.ionicRadius;
    const rMo = table.get('Mo').shannonRadii.find((r) => r.oxidationState === c.oxidationStates.Mo && r.coordination === 6)!.ionicRadius;
    expect(s.a).toBeCloseTo(2 * (rFe + rO) + 2 * (rMo + rO), 10);
  });

  it('refuses what it cannot represent, with the reason', () => {
    const guanidinium = first({ ...base, sites: { A: ['GA'], B: ['Pb'], X: ['I'] } }, 'GAPbI3');
    expect(structureOf(guanidinium, table)).toMatchObject({ reason: expect.stringMatching(/GA has no standard starting geometry here \(MA, FA and NH4 have\)/) });
  });
});

/** The shortest periodic distance between an atom of `from` and one of `to` (angstrom). */
function shortest(s: Structure, from: (el: string) => boolean, to: (el: string) => boolean): number {
  let best = Infinity;
  s.positions.forEach((p, i) => {
    if (!from(s.species[i]!)) return;
    s.positions.forEach((q, j) => {
      if (i === j || !to(s.species[j]!)) return;
      best = Math.min(best, Math.hypot(...p.map((v, k) => { const d = v - q[k]!; return (d - Math.round(d)) * s.cell[k]!; })));
    });
  });
  return best;
}

describe('molecular A-site cations, written as molecules', () => {
  const hybrid: [string, EnumerationOptions, string, number, number, number][] = [
    // formula, options, ASE's reduced formula, atoms, shortest distance (the N-H bond), cells
    ['MAPbI3', { ...base, sites: { A: ['MA'], B: ['Pb'], X: ['I'] } }, 'CH6I3NPb', 12, 1.03, 1],
    ['FAPbBr3', { ...base, sites: { A: ['FA'], B: ['Pb'], X: ['Br'] } }, 'CH5Br3N2Pb', 12, 1.01, 1],
    ['NH4SnCl3', { ...base, sites: { A: ['NH4'], B: ['Sn'], X: ['Cl'] } }, 'H4Cl3NSn', 9, 1.03, 1],
    ['(MA0.5FA0.5)PbI3', { ...base, sites: { A: ['MA', 'FA'], B: ['Pb'], X: ['I'] }, mixing: { A: 0.5 } }, 'C2H11I6N3Pb2', 24, 1.01, 2],
  ];

  it.each(hybrid)('%s: ASE reads the molecule with the right atoms and bonds, clear of the framework', (formula, options, aseFormula, atoms, bond, cells) => {
    const candidate = [...enumerateCandidates(table, options)].find((c) => c.formula === formula);
    expect(candidate, `${formula} is enumerated`).toBeDefined();
    const s = structureOf(candidate!, table) as Structure;
    expect('reason' in s).toBe(false);
    expect(s.molecules).toMatch(/One orientation of many: relax the structure/);
    if (cells > 1) expect(s.supercell?.composition).toBe('C2N3H11Pb2I6'); // restated in atoms
    for (const r of writtenAndRead(s, formula)) {
      expect(r.formula).toBe(aseFormula);
      expect(r.natoms).toBe(atoms);
      expect(r.dmin).toBeCloseTo(bond, 2); // the shortest distance is an N-H bond inside a molecule
    }
    // the molecule sits clear of the framework: no H closer than 2.2 A to a halide, no C or N closer than 3 A to anything outside it
    const molecular = (el: string): boolean => el === 'C' || el === 'N' || el === 'H';
    expect(shortest(s, (el) => el === 'H', (el) => !molecular(el))).toBeGreaterThan(2.2);
    expect(shortest(s, (el) => el === 'C' || el === 'N', (el) => !molecular(el))).toBeGreaterThan(3);
  });

  it('MA keeps its bond lengths and tetrahedral angles', () => {
    const s = structureOf(first({ ...base, sites: { A: ['MA'], B: ['Pb'], X: ['I'] } }, 'MAPbI3'), table) as Structure;
    expect(shortest(s, (el) => el === 'C', (el) => el === 'N')).toBeCloseTo(1.47, 6);
    expect(shortest(s, (el) => el === 'C', (el) => el === 'H')).toBeCloseTo(1.09, 6);
    // the closest hydrogens are those of the NH3 end (N-H 1.03 A, shorter than C-H)
    expect(shortest(s, (el) => el === 'H', (el) => el === 'H')).toBeCloseTo(2 * 1.03 * Math.sin((109.47 * Math.PI) / 180) * Math.sin(Math.PI / 3), 3);
  });
});

describe('site-mixed candidates as supercells', () => {
  const mixedCases: [string, EnumerationOptions, string, number, [number, number, number], number][] = [
    // formula, options, ASE's reduced formula of the cell, atoms, repeats, B-X bond = 2 (mean rB + mean rX) / 2
    ['(Ca0.5Sr0.5)TiO3', { ...base, sites: { A: ['Ca', 'Sr'], B: ['Ti'], X: ['O'] }, mixing: { A: 0.5 } }, 'CaO6SrTi2', 10, [2, 1, 1], 0.605 + 1.4],
    ['CsPb(I0.5Br0.5)3', { ...base, sites: { A: ['Cs'], B: ['Pb'], X: ['I', 'Br'] }, mixing: { X: 0.5 } }, 'Br3Cs2I3Pb2', 10, [2, 1, 1], 1.19 + (2.2 + 1.96) / 2],
    ['(Ca0.75Sr0.25)(Ti0.5Zr0.5)O3', { ...base, sites: { A: ['Ca', 'Sr'], B: ['Ti', 'Zr'], X: ['O'] }, mixing: { A: 0.25, B: 0.5 } }, 'Ca3O12SrTi2Zr2', 20, [2, 2, 1], (0.605 + 0.72) / 2 + 1.4],
    ['(Ca0.875Sr0.125)(Ti0.75Zr0.25)O3', { ...base, sites: { A: ['Ca', 'Sr'], B: ['Ti', 'Zr'], X: ['O'] }, mixing: { A: 0.125, B: 0.25 } }, 'Ca7O24SrTi6Zr2', 40, [2, 2, 2], (3 * 0.605 + 0.72) / 4 + 1.4],
  ];

  it.each(mixedCases)('%s: the smallest supercell with the exact composition, read by ASE', (formula, options, aseFormula, atoms, repeats, bond) => {
    const s = structureOf(first(options, formula), table) as Structure;
    expect('reason' in s).toBe(false);
    expect(s.supercell?.repeats).toEqual(repeats);
    expect(s.a).toBeCloseTo(2 * bond, 6);
    for (const r of writtenAndRead(s, formula)) {
      expect(r.formula).toBe(aseFormula);
      expect(r.natoms).toBe(atoms);
      r.cell.forEach((l, k) => expect(l).toBeCloseTo(s.a * repeats[k]!, 6));
      expect(r.dmin).toBeCloseTo(bond, 6); // every B-X bond is a / 2
    }
  });

  it('spreads the minority species out: two Zr of eight B sites sit a body diagonal apart', () => {
    const s = structureOf(first(mixedCases[3]![1], mixedCases[3]![0]), table) as Structure;
    const zr = s.positions.filter((_, i) => s.species[i] === 'Zr');
    expect(zr).toHaveLength(2);
    const d = zr[0]!.map((v, k) => { const t = v - zr[1]![k]!; return (t - Math.round(t)) * s.cell[k]!; });
    expect(Math.hypot(...d)).toBeCloseTo(Math.sqrt(3) * s.a, 6); // the farthest two B sites of a 2x2x2 cell can be
  });

  it('refuses fractions that need more than 64 cells, and layouts other than ABX3', () => {
    const fine = first({ ...base, sites: { A: ['Ca', 'Sr'], B: ['Ti'], X: ['O'] }, mixing: { A: 0.01 } }, '(Ca0.99Sr0.01)TiO3');
    expect(structureOf(fine, table)).toMatchObject({ reason: expect.stringMatching(/more than 64 cells/) });
  });
});
