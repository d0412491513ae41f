import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ELEMENT_SYMBOLS,
  FormulaParseError,
  compositionFromAmounts,
  formatComposition,
  formatSites,
  parseFormula,
  parseFormulaOrThrow,
  type Composition,
  type ElementSymbol,
  type FormulaErrorCode,
} from '../../../shared/index.js';

function amounts(c: Composition): Record<string, number> {
  return Object.fromEntries(c.elements.map((e) => [e.element, e.amount]));
}
function fractions(c: Composition): Record<string, number> {
  return Object.fromEntries(c.elements.map((e) => [e.element, e.fraction]));
}

describe('parseFormula: valid formulas', () => {
  it.each([
    ['BaTiO3', { Ba: 1, Ti: 1, O: 3 }],
    ['CsPb(I0.5Br0.5)3', { Cs: 1, Pb: 1, I: 1.5, Br: 1.5 }],
    ['(Ca0.5Sr0.5)TiO3', { Ca: 0.5, Sr: 0.5, Ti: 1, O: 3 }],
    ['La0.7Sr0.3MnO3', { La: 0.7, Sr: 0.3, Mn: 1, O: 3 }],
    ['Cs2AgBiBr6', { Cs: 2, Ag: 1, Bi: 1, Br: 6 }],
    ['Ca[Ti(O2)1.5]', { Ca: 1, Ti: 1, O: 3 }],
    ['((CH3NH3)0.5Cs0.5)PbI3', { C: 0.5, H: 3, N: 0.5, Cs: 0.5, Pb: 1, I: 3 }],
    ['Ac1 Al1 O3', { Ac: 1, Al: 1, O: 3 }],
    ['  SrTiO3 ', { Sr: 1, Ti: 1, O: 3 }],
    ['CO', { C: 1, O: 1 }],
    ['Co', { Co: 1 }],
    ['Fe2O3Fe', { Fe: 3, O: 3 }],
  ])('%s', (formula, expected) => {
    expect(amounts(parseFormulaOrThrow(formula))).toEqual(expected);
  });

  it('gives atomic fractions that sum to 1', () => {
    const c = parseFormulaOrThrow('CsPb(I0.5Br0.5)3');
    expect(fractions(c)).toEqual({ Cs: 0.2, Pb: 0.2, I: 0.3, Br: 0.3 });
    expect(c.totalAmount).toBe(5);
  });
});

describe('parseFormula: errors say what and where', () => {
  it.each<[string, FormulaErrorCode, number, RegExp]>([
    ['', 'empty', 0, /empty/],
    ['   ', 'empty', 0, /empty/],
    ['Xx', 'unknown-element', 0, /unknown element symbol 'Xx'/],
    ['BaTiXy3', 'unknown-element', 4, /'Xy'/],
    ['co', 'wrong-case', 0, /did you mean 'Co'/],
    ['CL', 'unknown-element', 1, /'L'/],
    ['BaTiO0', 'non-positive-amount', 5, /must be positive/],
    ['Ba0TiO3', 'non-positive-amount', 2, /must be positive/],
    ['BaTi-1O3', 'non-positive-amount', 4, /negative/],
    ['-BaTiO3', 'non-positive-amount', 0, /negative/],
    ['BaTiO3)', 'unbalanced-bracket', 6, /'\)' at position 7 has no matching opening bracket/],
    ['(BaTiO3', 'unbalanced-bracket', 0, /'\(' at position 1 is never closed/],
    ['Cs(Pb]I3', 'unbalanced-bracket', 5, /'\]' at position 6 does not match '\(' at position 3/],
    ['Ba()TiO3', 'empty', 2, /empty brackets/],
    ['CuSO4.5H2O', 'unsupported-notation', 5, /hydrate/],
    ['CuSO4.H2O', 'unsupported-notation', 5, /hydrate/],
    ['CuSO4·5H2O', 'unsupported-notation', 5, /hydrate/],
    ['Na2CO3*10H2O', 'unsupported-notation', 6, /hydrate/],
    ['Fe+3', 'unsupported-notation', 2, /charges/],
    ['Ba1.2.3TiO3', 'invalid-amount', 2, /more than one/],
    ['3BaTiO3', 'invalid-amount', 0, /no element/],
    ['Ba{Ti}O3', 'unsupported-notation', 2, /use \(\) or \[\]/],
    ['BaTiO3!', 'unexpected-character', 6, /unexpected character '!'/],
  ])('%j -> %s at %d', (input, code, position, message) => {
    const result = parseFormula(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.position).toBe(position);
    expect(result.error.message).toMatch(message);
    expect(result.error.input).toBe(input);
  });

  it('rejects more elements than the model supports and names the first one over', () => {
    const result = parseFormula('LiNaKRbCsFrO3', { maxElements: 6 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('too-many-elements');
    expect(result.error.message).toMatch(/7 distinct elements.*at most 6.*O/);
    expect(result.error.position).toBe(11);
    expect(parseFormula('LiNaKRbCsO3', { maxElements: 6 }).ok).toBe(true);
  });

  it('throwing variant carries the typed error', () => {
    expect(() => parseFormulaOrThrow('Xx')).toThrow(FormulaParseError);
    try {
      parseFormulaOrThrow('BaTiO3)');
    } catch (e) {
      expect((e as FormulaParseError).detail.code).toBe('unbalanced-bracket');
      expect((e as FormulaParseError).message).toMatch(/position 7/);
    }
  });
});

describe('formatComposition and formatSites', () => {
  const chi = new Map<ElementSymbol, number>([
    ['Ba', 0.89], ['Ti', 1.54], ['O', 3.44], ['Cs', 0.79], ['Pb', 2.33], ['I', 2.66], ['Br', 2.96], ['Al', 1.61],
  ]);
  it.each([
    ['O3TiBa', 'BaTiO3'],
    ['Ba2Ti2O6', 'BaTiO3'],
    ['Al4O6', 'Al2O3'],
    ['CsPb(I0.5Br0.5)3', 'CsPbI1.5Br1.5'],
  ])('%s -> %s', (input, expected) => {
    expect(formatComposition(parseFormulaOrThrow(input), { orderBy: chi })).toBe(expected);
  });

  it('keeps written order without an order key, and can skip reduction', () => {
    expect(formatComposition(parseFormulaOrThrow('O6Ti2Ba2'))).toBe('O3TiBa');
    expect(formatComposition(parseFormulaOrThrow('Ba2Ti2O6'), { reduce: false })).toBe('Ba2Ti2O6');
  });

  it('writes sites in A-B-X order, bracketing mixed sites', () => {
    expect(formatSites([
      { site: 'X', species: [{ element: 'I', amount: 1.5 }, { element: 'Br', amount: 1.5 }] },
      { site: 'A', species: [{ element: 'Cs', amount: 1 }] },
      { site: 'B', species: [{ element: 'Pb', amount: 1 }] },
    ])).toBe('CsPb(I0.5Br0.5)3');
    expect(formatSites([
      { site: 'A', species: [{ element: 'Ca', amount: 0.5 }, { element: 'Sr', amount: 0.5 }] },
      { site: 'B', species: [{ element: 'Ti', amount: 1 }] },
      { site: 'X', species: [{ element: 'O', amount: 3 }] },
    ])).toBe('(Ca0.5Sr0.5)TiO3');
    expect(formatSites([
      { site: 'A', species: [{ element: 'Cs', amount: 2 }] },
      { site: 'B', species: [{ element: 'Ag', amount: 1 }, { element: 'Bi', amount: 1 }] },
      { site: 'X', species: [{ element: 'Br', amount: 6 }] },
    ])).toBe('Cs2AgBiBr6');
  });
});

// Arbitrary compositions of 1..6 distinct elements with amounts on a 0.125 grid or whole numbers.
const arbComposition = fc
  .uniqueArray(fc.constantFrom(...ELEMENT_SYMBOLS), { minLength: 1, maxLength: 6 })
  .chain((els) =>
    fc.tuple(
      fc.constant(els),
      fc.array(fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 95 }).map((k) => k * 0.125)), {
        minLength: els.length,
        maxLength: els.length,
      }),
    ),
  )
  .map(([els, ns]) => compositionFromAmounts(els.map((el, i) => [el, ns[i]!] as const)));

describe('round trips (property tests)', () => {
  it('parse(format(c)) has the same atomic fractions as c', () => {
    fc.assert(
      fc.property(arbComposition, (c) => {
        const back = parseFormulaOrThrow(formatComposition(c));
        expect(back.elements.map((e) => e.element)).toEqual(c.elements.map((e) => e.element));
        back.elements.forEach((e, i) => expect(e.fraction).toBeCloseTo(c.elements[i]!.fraction, 9));
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it('format is a fixed point: format(parse(format(c))) = format(c)', () => {
    fc.assert(
      fc.property(arbComposition, (c) => {
        const once = formatComposition(c);
        expect(formatComposition(parseFormulaOrThrow(once))).toBe(once);
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('unreduced formatting round-trips amounts exactly', () => {
    fc.assert(
      fc.property(arbComposition, (c) => {
        expect(amounts(parseFormulaOrThrow(formatComposition(c, { reduce: false })))).toEqual(amounts(c));
      }),
      { numRuns: 500, seed: 11 },
    );
  });
});

describe('fuzz', () => {
  it('10,000 random strings: never an uncaught exception, always a typed result', () => {
    const alphabet = 'ABCDEFGHIKLMNOPRSTUVWXYZabcdefghiklmnoprstuvy0123456789.()[]{}-+*· ';
    const codes = new Set<FormulaErrorCode>([
      'empty', 'unknown-element', 'wrong-case', 'invalid-amount', 'non-positive-amount', 'unbalanced-bracket',
      'unsupported-notation', 'unexpected-character', 'too-many-elements',
    ]);
    let ok = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 24 }),
          fc.string({ unit: 'binary', maxLength: 24 }),
        ),
        (s) => {
          const r = parseFormula(s, { maxElements: 6 });
          if (r.ok) {
            ok += 1;
            const sum = r.value.elements.reduce((a, e) => a + e.fraction, 0);
            expect(sum).toBeCloseTo(1, 9);
            expect(r.value.elements.every((e) => e.amount > 0)).toBe(true);
          } else {
            expect(codes.has(r.error.code)).toBe(true);
            expect(r.error.position).toBeGreaterThanOrEqual(0);
            expect(r.error.position).toBeLessThanOrEqual(s.length);
          }
        },
      ),
      { numRuns: 10_000, seed: 2026 },
    );
    expect(ok).toBeGreaterThan(0);
  });

  it('100,000 strings with huge, tiny and nested amounts, odd spaces, controls and adduct dots: no wrong accepts', () => {
    const parts = ['Ba', 'Ti', 'O3', 'Cu', 'S', 'O4', 'Al', 'Cl3', 'H2O', 'NH3', 'H2O2', 'Dy4.8', '(', ')', '0.0001', '999999999', '1e5', '.', '.5', '5',
      ' ', '\t', '\u00a0', '\u3000', '\u2028', '\ufeff', '\u001b[31m', '\u0007', '[', ']'];
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...parts), { maxLength: 12 }), (pieces) => {
        const s = pieces.join('');
        const r = parseFormula(s);
        if (!r.ok) {
          // messages never echo a control or invisible character
          expect([...r.error.message].some((c) => c.charCodeAt(0) < 0x20 || '\u007f\u00a0\u2028\u3000\ufeff'.includes(c))).toBe(false);
          return;
        }
        accepted += 1;
        for (const e of r.value.elements) {
          expect(Number.isFinite(e.amount)).toBe(true);
          expect(e.amount).toBeGreaterThanOrEqual(1e-6);
          expect(e.amount).toBeLessThanOrEqual(1e6);
          expect(Number.isFinite(e.fraction) && e.fraction > 0).toBe(true);
        }
        expect([...s].some((c) => (c.charCodeAt(0) < 0x20 && c !== '\t') || '\u00a0\u3000\u2028\ufeff'.includes(c))).toBe(false); // only space and tab separate
        expect(/\d\.\d*\s*\(?(?:H2O|NH3)\)?\s*$/.test(s)).toBe(false); // hydrate and adduct dots are refused
      }),
      { numRuns: 100_000, seed: 13 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it.each([
    ['(Ba9999999999)9999999999TiO3', 'invalid-amount'],
    ['((Ba0.001)0.001)0.001TiO3', 'invalid-amount'],
    ['CuSO4.5 H2O', 'unsupported-notation'],
    ['AlCl3.6NH3', 'unsupported-notation'],
    ['Ba\u00a0TiO3', 'unexpected-character'],
    ['\ufeffBaTiO3', 'unexpected-character'],
    ['Ba\u2028TiO3', 'unexpected-character'],
  ] as const)('%j is refused (%s)', (input, code) => {
    const r = parseFormula(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });

  it('a decimal amount followed by H2O2 is a composition, not a hydrate', () => {
    expect(amounts(parseFormulaOrThrow('Dy4.8H2O2'))).toEqual({ Dy: 4.8, H: 2, O: 2 });
  });
});
