import type { Composition } from './types.js';

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
