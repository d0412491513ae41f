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

/** A composition laid out on a one-dimensional chemical scale: its elements' positions, ascending, with their atomic fractions. */
export interface ScaledComposition {
  readonly positions: Float64Array;
  readonly fractions: Float64Array;
}

/**
 * Atomic fractions placed on a chemical scale (`position` of each element, e.g. its Mendeleev number),
 * sorted along it, for `elementMoversDistance`.
 */
export function onScale(fractions: Fractions, position: (element: string) => number): ScaledComposition {
  const entries = [...fractions].map(([el, x]) => [position(el), x] as const).sort((a, b) => a[0] - b[0]);
  return { positions: Float64Array.from(entries, (e) => e[0]), fractions: Float64Array.from(entries, (e) => e[1]) };
}

/**
 * The element mover's distance (Hargreaves et al., Chem. Mater. 2020): the least atomic fraction times
 * distance along the chemical scale that turns one composition into the other, the earth mover's
 * distance in one dimension, where it is the area between the two cumulative fractions. On Pettifor's
 * Mendeleev scale CsSnI3 -> CsPbI3 is 0.2 (a fifth of the atoms move one step), CsSnI3 -> CsBaI3 13.8:
 * the L1 distance between fractions calls both 0.4.
 */
export function elementMoversDistance(a: ScaledComposition, b: ScaledComposition): number {
  let i = 0;
  let j = 0;
  let carried = 0; // cumulative fraction of a minus that of b, up to the current position
  let distance = 0;
  let at = Math.min(a.positions[0] ?? Infinity, b.positions[0] ?? Infinity);
  while (i < a.positions.length || j < b.positions.length) {
    const next = Math.min(a.positions[i] ?? Infinity, b.positions[j] ?? Infinity);
    distance += Math.abs(carried) * (next - at);
    at = next;
    while (i < a.positions.length && a.positions[i] === at) carried += a.fractions[i++]!;
    while (j < b.positions.length && b.positions[j] === at) carried -= b.fractions[j++]!;
  }
  return distance;
}
