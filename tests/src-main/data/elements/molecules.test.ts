// Molecular ions: the table built at setup from the project's list and the bundle's radii, the parser's
// abbreviations, and the tolerance factors of the hybrid perovskites (checked by hand).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFormula, parseFormulaOrThrow, type Composition } from '../../../../shared/index.js';
import { loadElementTable } from '../../../../src-main/data/elements/load.js';
import { buildMoleculeTable, moleculeAbbreviations } from '../../../../src-main/data/elements/molecules.js';
import { dataDir, resourcesDir } from '../../../../src-main/data/paths.js';
import { shannonRadius, toleranceFactor } from '../../../../src-main/enumerate/geometry.js';

const table = buildMoleculeTable(join(resourcesDir(), 'molecular-ions.csv'), join(dataDir(), 'elements', 'shannon_radii.csv'));
const molecules = moleculeAbbreviations(table.ions);
const amounts = (c: Composition): Record<string, number> => Object.fromEntries(c.elements.map((e) => [e.element, e.amount]));
const parse = (f: string): Composition => parseFormulaOrThrow(f, { molecules });

describe('molecular ions', () => {
  it('lists the twelve ions of the bundle with atoms, charge and effective radius', () => {
    expect(table.ions.map((m) => m.abbreviation)).toEqual(['NH4', 'HA', 'MA', 'HZ', 'AZ', 'FA', 'IM', 'DMA', 'EA', 'GA', 'TMA', 'HCOO']);
    expect(table.ions.find((m) => m.abbreviation === 'MA')).toMatchObject({ name: 'methylammonium', atoms: [['C', 1], ['H', 6], ['N', 1]], charge: 1, radius: 2.17, site: 'A' });
    expect(table.ions.find((m) => m.abbreviation === 'FA')).toMatchObject({ name: 'formamidinium', radius: 2.53 });
    expect(table.ions.find((m) => m.abbreviation === 'HCOO')).toMatchObject({ charge: -1, site: 'X' });
  });

  it('parses hybrid formulas into atoms; written-out cations give the same composition', () => {
    expect(amounts(parse('MAPbI3'))).toEqual({ C: 1, H: 6, N: 1, Pb: 1, I: 3 });
    expect(amounts(parse('CH3NH3PbI3'))).toEqual(amounts(parse('MAPbI3')));
    expect(amounts(parse('HC(NH2)2PbI3'))).toEqual(amounts(parse('FAPbI3')));
    expect(amounts(parse('NH4PbI3'))).toEqual({ N: 1, H: 4, Pb: 1, I: 3 });
    expect(amounts(parse('(MA0.5FA0.5)PbI3'))).toEqual({ C: 1, H: 5.5, N: 1.5, Pb: 1, I: 3 });
    expect(amounts(parse('MA3Bi2I9'))).toEqual({ C: 3, H: 18, N: 3, Bi: 2, I: 9 });
    const record = parse('(FA0.83Cs0.17)Pb(I0.9Br0.1)3');
    expect(record.elements.map((e) => e.element).sort()).toEqual(['Br', 'C', 'Cs', 'H', 'I', 'N', 'Pb']);
    expect(amounts(record)).toMatchObject({ C: 0.83, H: 4.15, N: 1.66, Cs: 0.17, Pb: 1, I: 2.7, Br: 0.3 });
  });

  it('abbreviations are case-sensitive and never shadow an element', () => {
    expect(amounts(parse('GAPbI3'))).toMatchObject({ C: 1, N: 3, H: 6 });
    expect(amounts(parse('GaAsO4'))).toEqual({ Ga: 1, As: 1, O: 4 });
    expect(amounts(parse('HAuCl4'))).toEqual({ H: 1, Au: 1, Cl: 4 });
    const unknown = parseFormula('XAPbI3', { molecules });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.message).toMatch(/'XA' at position 1 is neither an element nor a known molecular ion \(known: NH4, HA, MA/);
    expect(parseFormula('MAPbI3').ok).toBe(false); // without the table: no molecular ions
  });

  it('t(MAPbI3) = 0.91 and t(FAPbI3) = 0.99 from the effective radii, Pb2+ VI and I- VI (hand-checked)', () => {
    const elements = loadElementTable();
    const pb = shannonRadius(elements, 'Pb', 2, 6)!.radius;
    const i = shannonRadius(elements, 'I', -1, 6)!.radius;
    expect([pb, i]).toEqual([1.19, 2.2]);
    const r = (abbreviation: string): number => table.ions.find((m) => m.abbreviation === abbreviation)!.radius;
    expect(toleranceFactor(r('MA'), pb, i).toFixed(2)).toBe('0.91');
    expect(toleranceFactor(r('FA'), pb, i).toFixed(2)).toBe('0.99');
  });

  it('canonical formatting writes the molecular ions as named, then the other atoms', async () => {
    const { formatComposition } = await import('../../../../shared/index.js');
    const orderBy = loadElementTable().electronegativities();
    const canonical = (f: string): string => formatComposition(parse(f), { orderBy, molecules });
    expect(canonical('MAPbI3')).toBe('MAPbI3');
    expect(canonical('(FA0.83Cs0.17)Pb(I0.9Br0.1)3')).toBe('FA0.83Cs0.17PbI2.7Br0.3');
    expect(canonical('(MA0.5FA0.5)PbI3')).toBe('MA0.5FA0.5PbI3');
    expect(canonical('MA3Bi2I9')).toBe('MA3Bi2I9');
    expect(parse('CH3NH3PbI3').molecules).toBeUndefined(); // written out: atoms, the same composition
  });

  it('round-trips and fuzzes with molecular ions: canonical text parses back to the same amounts; errors keep their positions', async () => {
    const fc = (await import('fast-check')).default;
    const { formatComposition } = await import('../../../../shared/index.js');
    const orderBy = loadElementTable().electronegativities();
    const abbreviations = [...molecules.keys()];
    fc.assert(
      fc.property(
        fc.constantFrom(...abbreviations.filter((m) => m !== 'HCOO' && m !== 'NH4')),
        fc.constantFrom('Pb', 'Sn', 'Ge', 'Bi'),
        fc.constantFrom('I', 'Br', 'Cl'),
        fc.integer({ min: 1, max: 7 }).map((k) => k / 8),
        (ion, b, x, f) => {
          const text = `(${ion}${f}Cs${1 - f})${b}${x}3`;
          const c = parse(text);
          const again = parse(formatComposition(c, { orderBy, molecules }));
          expect(amounts(again)).toEqual(amounts(c));
        },
      ),
      { numRuns: 300, seed: 5 },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...abbreviations, 'Pb', 'I3', '(', ')', '0.5', 'Ga', 'GA', 'xx', ' '), { maxLength: 10 }), (parts) => {
        const text = parts.join('');
        const r = parseFormula(text, { molecules });
        if (!r.ok) {
          expect(r.error.position).toBeGreaterThanOrEqual(0);
          expect(r.error.position).toBeLessThanOrEqual(text.length);
        } else expect(r.value.elements.reduce((sum, e) => sum + e.fraction, 0)).toBeCloseTo(1, 9);
      }),
      { numRuns: 5000, seed: 9 },
    );
  });
});
