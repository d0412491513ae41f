import type { Composition } from './types.js';

/** Atom-count pattern of a composition, smallest first, scaled so the smallest is 1: 'Cs2AgBiBr6' -> '1:1:2:6'. */
export function stoichiometryPattern(composition: Composition): string {
  const amounts = composition.elements.map((e) => e.amount);
  const min = Math.min(...amounts);
  return amounts.map((a) => Math.round((a / min) * 1000) / 1000).sort((a, b) => a - b).join(':');
}

/**
 * A key that two formulas of the same reduced composition share (KMnO2 and K4Mn4O8, BaTiO3 and
 * Ti1Ba1O3): elements in symbol order with atomic fractions to 4 decimals. Used to keep test
 * formulas out of pretraining data, where datasets write one composition in different ways.
 */
export function compositionKey(composition: Composition): string {
  return [...composition.elements]
    .sort((a, b) => (a.element < b.element ? -1 : a.element > b.element ? 1 : 0))
    .map((e) => `${e.element}${e.fraction.toFixed(4)}`)
    .join(' ');
}
