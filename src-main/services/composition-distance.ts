/** Distances between compositions as atomic-fraction vectors: the nearest training compositions and the next batch's spread. */
import type { Composition } from '../../shared/index.js';

/** Atomic fractions of a composition, by element. */
export type Fractions = ReadonlyMap<string, number>;

export function atomicFractions(composition: Composition): Fractions {
  return new Map(composition.elements.map((e) => [e.element as string, e.fraction]));
}

/** The L1 distance between two fraction vectors: 0 for equal compositions, 2 with no element shared. */
export function fractionL1(a: Fractions, b: Fractions): number {
  let sum = 0;
  for (const [el, x] of a) sum += Math.abs(x - (b.get(el) ?? 0));
  for (const [el, y] of b) if (!a.has(el)) sum += y;
  return sum;
}
