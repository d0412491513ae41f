import { describe, expect, it } from 'vitest';
import { applyPreset, formatEta, pageOf, parseRange, plusMinus, siteOf, toggleSite, visibleRange, type SiteSets } from '../../src-renderer/lib/view-logic.js';

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
