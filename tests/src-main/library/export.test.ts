// CSV export cells: spreadsheet formulas neutralised by OWASP's rule (widened), and read back exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutralizeCell, restoreCell } from '../../../src-main/library/index.js';

describe('spreadsheet-safe cells', () => {
  it.each([
    '=HYPERLINK("x")', '+1', '-1+2', '@SUM(A1)', '\t=1', '\r=1', '\n=1', ' =1', '\u00a0=1', '\ufeff=1', '\u3000=1', '\uff1d1+1', '\uff0b1', '\uff20A1', " \n =cmd|' /C calc'!A0",
  ])('%j gets an apostrophe', (cell) => {
    expect(neutralizeCell(cell)).toBe(`'${cell}`);
  });

  it.each(['CaTiO3', '(Ca0.5Sr0.5)TiO3', 'a=b', 'note: +1 later', ''])('%j stays as it is', (cell) => {
    expect(neutralizeCell(cell)).toBe(cell);
  });

  it("a note that really starts with '= is told apart from an escaped one", () => {
    expect(neutralizeCell("'=x")).toBe("''=x");
    expect(restoreCell(neutralizeCell("'=x"))).toBe("'=x");
    expect(restoreCell(neutralizeCell('=x'))).toBe('=x');
  });

  it('round-trips every string exactly, and never leaves a formula start', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 40 }), fc.constantFrom('', '=', '+', '-', '@', '\uff1d', ' ', '\u00a0', '\n', "'"), (tail, head) => {
        const value = head + tail;
        const cell = neutralizeCell(value);
        expect(restoreCell(cell)).toBe(value);
        expect(/^[\s\u00a0\u3000\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20]/u.test(cell) && !cell.startsWith("'")).toBe(false);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
