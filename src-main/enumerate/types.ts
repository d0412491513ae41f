import type { ElementSymbol, SiteComposition, SiteLabel, SpeciesSymbol } from '../../shared/index.js';
import type { RadiusSource } from '../data/elements/types.js';

/** pymatgen's common states, its ICSD states (an element without any falls back to common, noted), or all it lists. */
export type OxidationStateSet = 'common' | 'icsd' | 'all';

/** Perovskite layouts beyond ABX3 (always enumerated). */
export interface Layouts {
  /** Ordered double perovskites A2BB'X6. */
  readonly double?: boolean;
  /** Vacancy-ordered double perovskites A2BX6 (K2PtCl6 type; B4+ with A+ and X-), e.g. Cs2SnI6. */
  readonly vacancyOrdered?: boolean;
  /** Layered A3B2X9 (B3+ with A+ and X-), e.g. Cs3Bi2I9. */
  readonly layered?: boolean;
}

export interface GeometryFilters {
  /** Keep candidates whose Goldschmidt tolerance factor lies in [min, max]. */
  readonly tolerance: readonly [number, number] | null;
  /** Keep candidates whose octahedral factor rB / rX lies in [min, max]. */
  readonly octahedral: readonly [number, number] | null;
  /** Keep candidates with Bartel's tau below this (4.18 in Bartel et al.). */
  readonly tauMax: number | null;
}

export interface EnumerationOptions {
  /** Per site: element symbols, and on A (X for formate) molecular ions by abbreviation. */
  readonly sites: Readonly<Record<SiteLabel, readonly SpeciesSymbol[]>>;
  /** Fraction step for two-element mixing on a site (0.25 gives 0.25/0.75, 0.5/0.5, 0.75/0.25); absent: no mixing. */
  readonly mixing: Readonly<Partial<Record<SiteLabel, number>>>;
  /** Also enumerate ordered double perovskites A2BB'X6. */
  readonly double: boolean;
  /** Also enumerate vacancy-ordered A2BX6 and layered A3B2X9. */
  readonly layouts?: Omit<Layouts, 'double'>;
  /** Per-element oxidation states that replace the chosen set's (e.g. Sn: [2] for Sn2+ only). */
  readonly stateOverrides?: Readonly<Partial<Record<ElementSymbol, readonly number[]>>>;
  /** At most this many distinct elements per candidate. */
  readonly maxElements: number;
  readonly oxidationStates: OxidationStateSet;
  readonly filters: GeometryFilters;
}

export const DEFAULT_FILTERS: GeometryFilters = { tolerance: [0.8, 1.1], octahedral: null, tauMax: null };

/** The radius used for one species, and how it was found. */
export interface RadiusChoice {
  /** The element, or a molecular ion's abbreviation. */
  readonly element: SpeciesSymbol;
  readonly oxidationState: number;
  readonly radius: number;
  /** Coordination number the radius is for. */
  readonly coordination: number;
  /** True when the site's own coordination (A 12, B 6, X 6) was not in the table. */
  readonly fallback: boolean;
  readonly spin: string | null;
  /** pymatgen or shannon_radii.csv (Shannon radii), or 'molecular ion' (an effective radius, Kieslich et al.). */
  readonly source: RadiusSource | 'molecular ion';
}

export interface Candidate {
  /** 0-based position in the enumeration order (stable for the same options). */
  readonly seq: number;
  /** Canonical formula in A-B-X site order, e.g. (Ca0.5Sr0.5)TiO3. */
  readonly formula: string;
  readonly sites: SiteComposition;
  /** The charge-balancing oxidation state of each element. */
  readonly oxidationStates: Readonly<Record<SpeciesSymbol, number>>;
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
  /** Charge-neutral combinations rejected for a missing radius, by the ion that lacks one (e.g. "Sn+2 (B, CN 6)"). */
  readonly missingRadii: Readonly<Record<string, number>>;
  /** What the enumeration assumed that a user should know (e.g. an element without ICSD states used its common ones). */
  readonly notes: readonly string[];
}
