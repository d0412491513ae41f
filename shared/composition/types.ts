import type { ElementSymbol } from '../elements/symbols.js';

/** One element of a composition with its amount (atoms per formula unit) and atomic fraction. */
export interface ElementAmount {
  readonly element: ElementSymbol;
  readonly amount: number;
  readonly fraction: number;
}

/**
 * A parsed chemical composition: each element once, in order of first appearance in the formula.
 * Fractions sum to 1.
 */
export interface Composition {
  readonly elements: readonly ElementAmount[];
  /** Total atoms per formula unit as written. */
  readonly totalAmount: number;
  /** Molecular ions as the formula named them (MA 1 in MAPbI3); their atoms are already in `elements`. */
  readonly molecules?: readonly { readonly abbreviation: string; readonly amount: number }[];
}

/** The crystallographic sites of an ABX3-type perovskite. */
export type SiteLabel = 'A' | 'B' | 'X';

/** What sits on a site: an element symbol, or a molecular ion's abbreviation (MA, FA, ...; capitals only). */
export type SpeciesSymbol = ElementSymbol | string;

/** The species on one site and their amounts per formula unit (e.g. X: I 1.5, Br 1.5; A: MA 1). */
export interface SiteOccupancy {
  readonly site: SiteLabel;
  readonly species: readonly { readonly element: SpeciesSymbol; readonly amount: number }[];
}

/** A composition whose elements are assigned to sites, in A, B, X order. */
export type SiteComposition = readonly SiteOccupancy[];
