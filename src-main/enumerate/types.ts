import type { ElementSymbol, SiteComposition, SiteLabel } from '../../shared/index.js';

export type OxidationStateSet = 'common' | 'icsd';

export interface GeometryFilters {
  /** Keep candidates whose Goldschmidt tolerance factor lies in [min, max]. */
  readonly tolerance: readonly [number, number] | null;
  /** Keep candidates whose octahedral factor rB / rX lies in [min, max]. */
  readonly octahedral: readonly [number, number] | null;
  /** Keep candidates with Bartel's tau below this (4.18 in Bartel et al.). */
  readonly tauMax: number | null;
}

export interface EnumerationOptions {
  readonly sites: Readonly<Record<SiteLabel, readonly ElementSymbol[]>>;
  /** Fraction step for two-element mixing on a site (0.25 gives 0.25/0.75, 0.5/0.5, 0.75/0.25); absent: no mixing. */
  readonly mixing: Readonly<Partial<Record<SiteLabel, number>>>;
  /** Also enumerate ordered double perovskites A2BB'X6. */
  readonly double: boolean;
  /** At most this many distinct elements per candidate. */
  readonly maxElements: number;
  readonly oxidationStates: OxidationStateSet;
  readonly filters: GeometryFilters;
}

export const DEFAULT_FILTERS: GeometryFilters = { tolerance: [0.8, 1.1], octahedral: null, tauMax: null };

/** The radius used for one species, and how it was found. */
export interface RadiusChoice {
  readonly element: ElementSymbol;
  readonly oxidationState: number;
  readonly radius: number;
  /** Coordination number the radius is for. */
  readonly coordination: number;
  /** True when the site's own coordination (A 12, B 6, X 6) was not in the table. */
  readonly fallback: boolean;
}

export interface Candidate {
  /** 0-based position in the enumeration order (stable for the same options). */
  readonly seq: number;
  /** Canonical formula in A-B-X site order, e.g. (Ca0.5Sr0.5)TiO3. */
  readonly formula: string;
  readonly sites: SiteComposition;
  /** The charge-balancing oxidation state of each element. */
  readonly oxidationStates: Readonly<Partial<Record<ElementSymbol, number>>>;
  readonly tolerance: number;
  readonly octahedral: number;
  /** Bartel's tau; null when rA <= rB, where it is undefined. */
  readonly tau: number | null;
  readonly radii: readonly RadiusChoice[];
}

export interface EnumerationCounts {
  /** Site combinations generated (after the element cap and duplicate removal). */
  readonly combinations: number;
  readonly chargeNeutral: number;
  /** Candidates that pass every filter: what a screen predicts. */
  readonly candidates: number;
  readonly rejected: { readonly charge: number; readonly radius: number; readonly tolerance: number; readonly octahedral: number; readonly tau: number };
}
