import { describe, expect, it } from 'vitest';
import { applyPreset, cellInDirection, describeSiteChanges, formatEta, gapName, metalNote, pageOf, parseRange, plusMinus, plusMinusMeV, siteChanges, siteOf, statesByHand, toggleSite, toggleStateByHand, visibleRange, type SiteSets } from '../../src-renderer/lib/view-logic.js';

const empty: SiteSets = { A: [], B: [], X: [] };

describe('site selection', () => {
  it('toggles an element on a site and keeps it on one site only', () => {
    let s = toggleSite(empty, 'Ca', 'A');
    expect(s).toEqual({ A: ['Ca'], B: [], X: [] });
    s = toggleSite(s, 'Ca', 'B');
    expect(s).toEqual({ A: [], B: ['Ca'], X: [] });
    expect(siteOf(s, 'Ca')).toBe('B');
    expect(toggleSite(s, 'Ca', 'B')).toEqual(empty);
  });

  it('applies a preset, skipping unusable elements and duplicates', () => {
    const s = applyPreset({ A: ['Na'], B: [], X: [] }, ['Li', 'Na', 'K', 'Fr'], 'A', (e) => e !== 'Fr');
    expect(s.A).toEqual(['Na', 'Li', 'K']);
  });
});

describe('virtualised table', () => {
  it.each([
    [0, 26, 420, 1_000_000, 8, { start: 0, end: 25 }],
    [26_000, 26, 420, 1_000_000, 8, { start: 992, end: 1025 }],
    [0, 26, 420, 5, 8, { start: 0, end: 5 }],
    [100_000_000, 26, 420, 100, 8, { start: 100, end: 100 }], // scrolled past the end (the list shrank)
  ])('scrollTop %d -> rows', (top, row, viewport, total, overscan, expected) => {
    expect(visibleRange(top, row, viewport, total, overscan)).toEqual(expected);
  });
  it('pages', () => {
    expect(pageOf(0, 200)).toBe(0);
    expect(pageOf(199, 200)).toBe(0);
    expect(pageOf(200, 200)).toBe(1);
  });
});

describe('formatting and parsing', () => {
  it.each([
    ['', null],
    ['1.2:1.8', [1.2, 1.8]],
    ['1.2-1.8', [1.2, 1.8]],
    ['2:1', "'2:1' is not a range like 1.2:1.8"],
    ['abc', "'abc' is not a range like 1.2:1.8"],
  ])('parseRange(%j)', (text, expected) => {
    expect(parseRange(text)).toEqual(expected);
  });
  it('formats', () => {
    expect(plusMinus(1.234, 0.1)).toBe('1.23 ± 0.10');
    expect(plusMinus(null, null)).toBe('—');
    expect(formatEta(75)).toBe('1 min 15 s');
    expect(formatEta(0)).toBe('—');
  });
});

describe('oxidation states typed by hand', () => {
  it.each([
    ['', {}],
    ['Sn:2', { Sn: [2] }],
    ['Dy:2, Dy:3 ; I:-1', { Dy: [2, 3], I: [-1] }],
    ['Sn:+2 Sn:2', { Sn: [2] }],
  ] as const)('%j -> %j', async (text, expected) => {
    const { parseStateOverrides } = await import('../../src-renderer/lib/view-logic.js');
    expect(parseStateOverrides(text)).toEqual(expected);
  });

  it.each(['Sn', 'Sn:0', 'Xx:2', 'sn:2', 'Sn:two'])('%j is refused with a sentence', async (text) => {
    const { parseStateOverrides } = await import('../../src-renderer/lib/view-logic.js');
    expect(parseStateOverrides(text)).toMatch(/^States by hand: '.+' is not ELEMENT:STATE, e\.g\. Sn:2 or I:-1\.$/);
  });
});

describe('picker: what a pick did, and arrow keys', () => {
  const sets = (a: string[], b: string[], x: string[]): SiteSets => ({ A: a, B: b, X: x });

  it('names species moved to another site, grouped by route, and says nothing for a plain add', () => {
    const before = sets(['Ca', 'Sn'], ['Ti'], ['O']);
    expect(describeSiteChanges(before, toggleSite(before, 'Sr', 'A'), 'pick')).toBeNull();
    expect(describeSiteChanges(before, toggleSite(before, 'Sn', 'B'), 'pick')).toBe('This pick moved Sn from site A to site B.');
    const preset = applyPreset(before, ['Sn', 'Ge', 'Ti'], 'B', () => true);
    expect(describeSiteChanges(before, preset, 'preset')).toBe('The preset moved Sn from site A to site B.');
    expect(describeSiteChanges(before, sets([], [], []), 'clear')).toBe('Clear took 4 species off their sites (Ca, Sn, Ti, O).');
    expect(siteChanges(before, sets(['Ti'], ['Ca'], [])).moved).toEqual([['Ca', 'A', 'B'], ['Ti', 'B', 'A']]);
  });

  it('moves along rows, jumps the gap above the lanthanides, and stops at the edges', () => {
    // H . He / Li Be . B / (row 9) La Ce
    const cells = [
      { key: 'H', row: 1, column: 1 }, { key: 'He', row: 1, column: 18 },
      { key: 'Li', row: 2, column: 1 }, { key: 'Be', row: 2, column: 2 }, { key: 'B', row: 2, column: 13 },
      { key: 'La', row: 9, column: 3 }, { key: 'Ce', row: 9, column: 4 },
    ];
    expect(cellInDirection(cells, 'H', 'ArrowRight')).toBe('He');
    expect(cellInDirection(cells, 'He', 'ArrowRight')).toBeNull();
    expect(cellInDirection(cells, 'B', 'ArrowLeft')).toBe('Be');
    expect(cellInDirection(cells, 'He', 'ArrowDown')).toBe('B');
    expect(cellInDirection(cells, 'Be', 'ArrowDown')).toBe('La');
    expect(cellInDirection(cells, 'Ce', 'ArrowUp')).toBe('Be');
    expect(cellInDirection(cells, 'H', 'ArrowUp')).toBeNull();
    expect(cellInDirection(cells, 'B', 'Home')).toBe('Li');
    expect(cellInDirection(cells, 'Li', 'End')).toBe('B');
  });
});

describe('gap names', () => {
  it('says which gap a model predicts, from its card', () => {
    expect(gapName("PBE band gap (eV; Materials Project, GGA/GGA+U) of the composition's lowest-energy polymorph")).toBe('PBE gap');
    expect(gapName('experimental band gap (eV), measured')).toBe('experimental gap');
    expect(gapName('gap as given in my.csv')).toBe('band gap');
    expect(gapName(null)).toBe('band gap');
  });
});

describe('states by hand from the popover', () => {
  it('adds and removes one element state, keeping the others', () => {
    expect(toggleStateByHand('', 'Sn', 2)).toBe('Sn:2');
    expect(toggleStateByHand('Dy:2', 'Sn', 2)).toBe('Dy:2, Sn:2');
    expect(toggleStateByHand('Dy:2, Sn:2', 'Sn', 2)).toBe('Dy:2');
    expect(toggleStateByHand('Sn:2', 'Sn', 4)).toBe('Sn:2, Sn:4');
    expect(toggleStateByHand('Sn:+2', 'Sn', 2)).toBe('');
    expect(toggleStateByHand('oops', 'Sn', 2)).toBe('oops, Sn:2');
    expect(statesByHand('Sn:2, Dy:2, Sn:4', 'Sn')).toEqual([2, 4]);
    expect(statesByHand('oops', 'Sn')).toEqual([]);
  });
});

describe('energies above hull for people', () => {
  it('writes eV/atom as whole meV/atom with their sigma, and a dash for none', () => {
    expect(plusMinusMeV(0.0141, 0.0182)).toBe('14 ± 18');
    expect(plusMinusMeV(0, null)).toBe('0 ± 0');
    expect(plusMinusMeV(null, 0.01)).toBe('—');
    expect(plusMinusMeV(undefined, undefined)).toBe('—');
  });
});

describe('metalNote', () => {
  it.each([
    { value: 0, target: 'band_gap', gates: { band_gap: 0.396 }, note: "; 0 = predicted metal: the mean prediction is at or below the model's zero gate, 0.40 eV" },
    { value: 0.41, target: 'band_gap', gates: { band_gap: 0.396 }, note: '' }, // a gap: nothing to explain
    { value: 0, target: 'band_gap_expt', gates: { band_gap: 0.396 }, note: '' }, // that target has no gate
    { value: 0, target: 'band_gap', gates: undefined, note: '' }, // a model without gates
    { value: null, target: 'band_gap', gates: { band_gap: 0.4 }, note: '' },
  ])('$value eV of $target with gates $gates', ({ value, target, gates, note }) => {
    expect(metalNote(value, target, gates)).toBe(note);
  });
});
