import { describe, expect, it } from 'vitest';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { countCandidates, enumerateCandidates, EnumerationError, MAX_SITE_COMBINATIONS, siteCombinationsToWalk, validateOptions } from '../../../src-main/enumerate/enumerate.js';
import { bartelTau, octahedralFactor, shannonRadius, toleranceFactor } from '../../../src-main/enumerate/geometry.js';
import type { EnumerationOptions } from '../../../src-main/enumerate/types.js';

const table = loadElementTable();
const NO_FILTERS = { tolerance: null, octahedral: null, tauMax: null };
const base: EnumerationOptions = {
  sites: { A: ['Ca', 'Sr'], B: ['Ti', 'Zr'], X: ['O'] },
  mixing: {},
  double: false,
  maxElements: 6,
  oxidationStates: 'common',
  filters: NO_FILTERS,
};
const formulas = (o: EnumerationOptions): string[] => [...enumerateCandidates(table, o)].map((c) => c.formula);

describe('enumeration counts (checked by hand)', () => {
  it('A={Ca,Sr}, B={Ti,Zr}, X={O}: 2 x 2 x 1 = 4', () => {
    expect(formulas(base)).toEqual(['CaTiO3', 'CaZrO3', 'SrTiO3', 'SrZrO3']);
    expect(countCandidates(table, base).candidates).toBe(4);
  });

  it('A-site mixing at 0.5 adds (Ca0.5Sr0.5) on A: 3 x 2 = 6', () => {
    const o = { ...base, mixing: { A: 0.5 } };
    expect(formulas(o)).toEqual(['CaTiO3', 'CaZrO3', 'SrTiO3', 'SrZrO3', '(Ca0.5Sr0.5)TiO3', '(Ca0.5Sr0.5)ZrO3']);
  });

  it('mixing at 0.25 gives three fractions per pair: A 2 + 3, B 2 + 3 -> 25', () => {
    const o = { ...base, mixing: { A: 0.25, B: 0.25 } };
    expect(countCandidates(table, o).candidates).toBe(25);
  });

  it('double perovskites A2BB\'X6: one B pair per A: 2 more, and none when a 50/50 B mix already gives the composition', () => {
    expect(formulas({ ...base, double: true }).slice(4)).toEqual(['Ca2TiZrO6', 'Sr2TiZrO6']);
    const both = { ...base, double: true, mixing: { B: 0.5 } };
    const list = formulas(both);
    expect(list).toContain('Ca(Ti0.5Zr0.5)O3');
    expect(list).not.toContain('Ca2TiZrO6');
    expect(new Set(list).size).toBe(list.length);
  });

  it('an element listed on two sites is used once per candidate, and duplicates are removed', () => {
    const o: EnumerationOptions = { ...base, sites: { A: ['La', 'Al'], B: ['Al', 'La', 'Ga'], X: ['O'] } };
    const list = [...enumerateCandidates(table, o)];
    expect(list.every((c) => new Set(c.sites.flatMap((s) => s.species.map((x) => x.element))).size === 3)).toBe(true);
    // LaAlO3 and AlLaO3 are the same composition (La3+ Al3+ O3): kept once, the first reached
    expect(list.map((c) => c.formula)).toEqual(['LaAlO3', 'LaGaO3', 'AlGaO3']);
  });

  it('the element cap removes candidates with too many elements', () => {
    const o = { ...base, sites: { A: ['Ca', 'Sr'], B: ['Ti', 'Zr'], X: ['O', 'S'] }, mixing: { A: 0.5, B: 0.5, X: 0.5 } } as EnumerationOptions;
    const capped = { ...o, maxElements: 4 };
    expect([...enumerateCandidates(table, capped)].every((c) => c.sites.flatMap((s) => s.species).length <= 4)).toBe(true);
    expect(countCandidates(table, capped).candidates).toBeLessThan(countCandidates(table, o).candidates);
  });

  it('charge neutrality: only combinations some allowed oxidation states balance', () => {
    const o: EnumerationOptions = { ...base, sites: { A: ['Na', 'La'], B: ['Ti', 'Nb'], X: ['O'] } };
    // common states: Na+1, La+3, Ti+4, Nb+5: NaNbO3 (1+5) balances; NaTiO3 (5), LaTiO3 (7), LaNbO3 (8) do not
    const list = [...enumerateCandidates(table, o)];
    expect(list.map((c) => c.formula)).toEqual(['NaNbO3']);
    expect(list[0]!.oxidationStates).toEqual({ Na: 1, Nb: 5, O: -2 });
    expect(countCandidates(table, o).rejected.charge).toBe(3);
    // ICSD states add Ti3+, so LaTiO3 balances as La3+ Ti3+
    const icsd = [...enumerateCandidates(table, { ...o, oxidationStates: 'icsd' })];
    expect(icsd.find((c) => c.formula === 'LaTiO3')?.oxidationStates).toEqual({ La: 3, Ti: 3, O: -2 });
  });

  it('streams with a stable seq numbering, and counts exactly before running', () => {
    const o = { ...base, sites: { A: ['Li', 'Na', 'K', 'Ca', 'Sr', 'Ba', 'La'], B: ['Ti', 'Zr', 'Nb', 'Ta', 'Fe'], X: ['O', 'F'] }, mixing: { A: 0.25 }, filters: { tolerance: [0.8, 1.1] as [number, number], octahedral: null, tauMax: 4.18 } } as EnumerationOptions;
    const list = [...enumerateCandidates(table, o)];
    expect(list.map((c) => c.seq)).toEqual(list.map((_, i) => i));
    expect(countCandidates(table, o).candidates).toBe(list.length);
    expect(list.every((c) => c.tolerance >= 0.8 && c.tolerance <= 1.1 && c.tau !== null && c.tau < 4.18)).toBe(true);
  });

  it('rejects bad options with a clear message', () => {
    expect(() => countCandidates(table, { ...base, mixing: { A: 0.3 } })).toThrow(/must divide 1/);
    expect(() => countCandidates(table, { ...base, sites: { ...base.sites, X: ['Ca'] } })).toThrow(/Ca has no negative common oxidation state/);
    expect(() => countCandidates(table, { ...base, sites: { ...base.sites, A: [] } })).toThrow(EnumerationError);
  });
});

describe('charge neutrality and geometry for known perovskites (values by hand from Shannon radii)', () => {
  // Shannon ionic radii (angstrom): Ca2+ XII 1.34, Sr2+ XII 1.44, Ba2+ XII 1.61, Cs+ XII 1.88,
  // Ti4+ VI 0.605, Pb2+ VI 1.19, O2- VI 1.40, I- VI 2.20
  it.each([
    ['CaTiO3', { Ca: 2, Ti: 4, O: -2 }, 0.96632, 0.43214, 3.88469],
    ['SrTiO3', { Sr: 2, Ti: 4, O: -2 }, 1.00159, 0.43214, 3.80355],
    ['BaTiO3', { Ba: 2, Ti: 4, O: -2 }, 1.06154, 0.43214, 3.75185],
    ['CsPbI3', { Cs: 1, Pb: 2, I: -1 }, 0.85103, 0.54091, 4.30328],
  ])('%s', (formula, states, t, mu, tau) => {
    const [a, b, x] = [Object.keys(states)[0]!, Object.keys(states)[1]!, Object.keys(states)[2]!];
    const o: EnumerationOptions = { ...base, sites: { A: [a], B: [b], X: [x] } as EnumerationOptions['sites'] };
    const [c] = [...enumerateCandidates(table, o)];
    expect(c!.formula).toBe(formula);
    expect(c!.oxidationStates).toEqual(states);
    expect(c!.tolerance).toBeCloseTo(t, 4);
    expect(c!.octahedral).toBeCloseTo(mu, 4);
    expect(c!.tau).toBeCloseTo(tau, 4);
    expect(c!.radii.every((r) => !r.fallback)).toBe(true);
  });

  it('formulas: t, mu and tau from radii', () => {
    expect(toleranceFactor(1.34, 0.605, 1.4)).toBeCloseTo(2.74 / (Math.SQRT2 * 2.005), 12);
    expect(octahedralFactor(0.605, 1.4)).toBeCloseTo(0.605 / 1.4, 12);
    expect(bartelTau(0.6, 0.7, 1.4, 2)).toBeNull(); // undefined when rA <= rB
  });

  it('falls back to the nearest coordination when the site one is missing, and says so', () => {
    const r = shannonRadius(table, 'Li', 1, 12)!; // Li+ has no XII radius
    expect(r.fallback).toBe(true);
    expect(r.coordination).toBeLessThan(12);
    const fe = shannonRadius(table, 'Fe', 3, 6)!;
    expect(fe.radius).toBe(0.645); // high spin preferred over low spin (0.55)
  });
});

describe('halide and lead-free chemistry', () => {
  const halides: EnumerationOptions = { ...base, sites: { A: ['Cs'], B: ['Sn'], X: ['I'] } };

  it('CsSnI3 is enumerated with Sn2+, whose radius comes from the bundled shannon_radii.csv, hand-checked t', () => {
    const [c] = [...enumerateCandidates(table, halides)];
    expect(c).toMatchObject({ formula: 'CsSnI3', oxidationStates: { Cs: 1, Sn: 2, I: -1 } });
    const sn = c!.radii.find((r) => r.element === 'Sn')!;
    expect(sn).toMatchObject({ oxidationState: 2, radius: 1.15, coordination: 6, source: 'shannon_radii.csv', fallback: false });
    expect(c!.radii.find((r) => r.element === 'Cs')).toMatchObject({ radius: 1.88, coordination: 12, source: 'pymatgen' });
    expect(c!.tolerance).toBeCloseTo((1.88 + 2.2) / (Math.SQRT2 * (1.15 + 2.2)), 12); // 0.8612
  });

  it('vacancy-ordered A2BX6 (B4+) and layered A3B2X9 (B3+) are enumerated when asked, without tau', () => {
    const o: EnumerationOptions = { ...base, sites: { A: ['Cs'], B: ['Sn', 'Bi'], X: ['I'] }, layouts: { vacancyOrdered: true, layered: true } };
    const list = [...enumerateCandidates(table, o)];
    expect(list.map((c) => c.formula)).toEqual(['CsSnI3', 'Cs2SnI6', 'Cs3Bi2I9']); // CsBiI3 and Cs2BiI6 do not balance
    expect(list[1]).toMatchObject({ oxidationStates: { Sn: 4 }, tau: null });
    expect(list[2]).toMatchObject({ oxidationStates: { Bi: 3 }, tau: null });
    expect(list[2]!.composition.elements.map((e) => [e.element, e.fraction])).toEqual([['Cs', 3 / 14], ['Bi', 2 / 14], ['I', 9 / 14]].map(([e, f]) => [e, Number((f as number).toPrecision(12))]));
    // the tau filter applies where tau is defined: CsSnI3 has tau 4.24 > 4.18
    const filtered = formulas({ ...o, filters: { ...NO_FILTERS, tauMax: 4.18 } });
    expect(filtered).toEqual(['Cs2SnI6', 'Cs3Bi2I9']);
    expect(countCandidates(table, o).notes.join(' ')).toMatch(/tau is defined for ABX3 and A2BB'X6 only/);
  });

  it('oxidation states: all, by hand, and ICSD falling back to common (noted) for an element without ICSD states', () => {
    const dy: EnumerationOptions = { ...base, sites: { A: ['Cs'], B: ['Dy'], X: ['I'] } };
    expect(formulas(dy)).toEqual([]); // Dy2+ is not a common state
    expect(formulas({ ...dy, oxidationStates: 'all' })).toEqual(['CsDyI3']);
    expect(formulas({ ...dy, stateOverrides: { Dy: [2] } })).toEqual(['CsDyI3']);
    const am: EnumerationOptions = { ...base, sites: { A: ['Ba'], B: ['Am'], X: ['O'] }, oxidationStates: 'icsd' };
    const counts = countCandidates(table, am);
    expect(counts.notes).toContain('Am has no ICSD oxidation states; its common states (3) are used');
    expect(() => countCandidates(table, { ...base, stateOverrides: { Ti: [-1] } })).toThrow(/Ti has no positive of the states set for it/);
  });

  it('a combination without a radius is counted under the ion that lacks it', () => {
    const counts = countCandidates(table, { ...base, sites: { A: ['Cs'], B: ['Au'], X: ['I', 'Cl'] }, oxidationStates: 'all' });
    expect(counts.rejected.radius).toBe(2);
    expect(counts.missingRadii).toEqual({ 'Au+2': 2 });
  });
});

describe('molecular cations on the A site', () => {
  const hybrid: EnumerationOptions = { ...base, sites: { A: ['MA', 'FA', 'Cs'], B: ['Pb', 'Sn'], X: ['I', 'Br'] }, mixing: { A: 0.25, X: 0.25 } };

  it('MAPbI3 and FAPbI3: effective radii, t = 0.91 and 0.99, the model sees their atoms', () => {
    const [ma, fa] = [...enumerateCandidates(table, { ...base, sites: { A: ['MA', 'FA'], B: ['Pb'], X: ['I'] } })];
    expect(ma).toMatchObject({ formula: 'MAPbI3', oxidationStates: { MA: 1, Pb: 2, I: -1 } });
    expect(ma!.tolerance.toFixed(2)).toBe('0.91');
    expect(fa!.tolerance.toFixed(2)).toBe('0.99');
    expect(ma!.radii[0]).toMatchObject({ element: 'MA', radius: 2.17, source: 'molecular ion' });
    expect(Object.fromEntries(ma!.composition.elements.map((e) => [e.element, e.amount]))).toEqual({ C: 1, H: 6, N: 1, Pb: 1, I: 3 });
    expect(ma!.composition.elements.reduce((s, e) => s + e.fraction, 0)).toBeCloseTo(1, 12);
  });

  it('counts MA, FA, Cs / Pb, Sn / I, Br with A and X mixing: 12 x 2 x 5 = 120, of which 36 have 7 elements', () => {
    // A: 3 species + 3 pairs x 3 fractions = 12; B: 2; X: 2 + 3 = 5. Seven elements (C, H, N, Cs, B, I, Br)
    // need a molecule-Cs mix on A (2 pairs x 3 fractions) with the I/Br mix on X (3): 6 x 2 x 3 = 36.
    const open = { ...hybrid, filters: NO_FILTERS };
    expect(countCandidates(table, { ...open, maxElements: 8 }).candidates).toBe(120);
    expect(countCandidates(table, { ...open, maxElements: 6 }).candidates).toBe(84);
    const mixed = [...enumerateCandidates(table, { ...open, maxElements: 8 })].find((c) => c.formula === '(FA0.75Cs0.25)Pb(I0.75Br0.25)3')!;
    expect(mixed.composition.elements.map((e) => e.element).sort()).toEqual(['Br', 'C', 'Cs', 'H', 'I', 'N', 'Pb']);
  });

  it('refuses an unknown abbreviation and a molecular ion on the wrong site', () => {
    expect(() => countCandidates(table, { ...base, sites: { A: ['XQ'], B: ['Pb'], X: ['I'] } })).toThrow(/'XQ' on site A is neither an element nor a known molecular ion \(known: NH4, HA, MA/);
    expect(() => countCandidates(table, { ...base, sites: { A: ['Cs'], B: ['Pb'], X: ['MA'] } })).toThrow(/methylammonium \(MA\) sits on site A, not X/);
  });
});

describe('the size of the walk, known before walking', () => {
  it('is the product of the ways to fill each site, summed over layouts, and bounds the combinations counted', () => {
    const opts: EnumerationOptions = { ...base, sites: { A: ['Ca', 'Sr', 'Ba'], B: ['Ti', 'Zr'], X: ['O', 'S'] }, mixing: { A: 0.25 }, double: true };
    const walk = siteCombinationsToWalk(opts);
    // A: 3 singles + 3 pairs x 3 fractions = 12; B: 2; X: 2; double-perovskite B pairs: 1
    expect(walk.perSite).toEqual({ A: 12, B: 2, X: 2 });
    expect(walk.total).toBe(12 * 2 * 2 + 12 * 1 * 2);
    const counts = countCandidates(table, opts);
    expect(counts.combinations).toBeLessThanOrEqual(walk.total);
    expect(counts.combinations).toBe(walk.total); // no element shared and no cap reached here: every one is walked
  });

  it('refuses a space past the limit with the numbers, before any work', () => {
    const opts: EnumerationOptions = { ...base, sites: { A: ['Ca', 'Sr', 'Ba', 'K', 'Na'], B: ['Ti', 'Zr', 'Nb', 'Ta', 'Sn'], X: ['O', 'S', 'Se'] }, mixing: { A: 0.0001, B: 0.0001, X: 0.001 } };
    expect(siteCombinationsToWalk(opts).total).toBeGreaterThan(MAX_SITE_COMBINATIONS);
    expect(() => validateOptions(table, opts)).toThrow(/site combinations to walk \(A 99,995 × B 99,995 × X 3,000 ways to fill the sites\), more than the 5e9/);
  });
});
