import type { ElementSymbol } from '../../../shared/index.js';

/** Bumped when the table's shape changes, so a stale generated table asks for `npm run setup`. */
export const ELEMENT_TABLE_FORMAT = 'pdw-elements/3';

/** Shannon (1976) effective radius of an ion in one oxidation state, coordination and spin state. */
export interface ShannonRadius {
  readonly oxidationState: number;
  /** Coordination number (e.g. 6 for VI, 12 for XII; square-planar IVSQ is 4). */
  readonly coordination: number;
  /** Roman numeral as in the source table ("VI", "IVSQ", "IIIPY"). */
  readonly coordinationLabel: string;
  /** "High Spin", "Low Spin", or null where the table gives none. */
  readonly spin: string | null;
  readonly ionicRadius: number;
  readonly crystalRadius: number;
  /** Where the value comes from: pymatgen's copy of Shannon's table, or the bundle's shannon_radii.csv (Bartel et al.), which adds ions such as Sn2+ and Dy2+. */
  readonly source: RadiusSource;
}

export type RadiusSource = 'pymatgen' | 'shannon_radii.csv';

/** One element of the generated table. Missing data is null, never a 0 that looks like data. */
export interface ElementRecord {
  readonly symbol: ElementSymbol;
  readonly z: number;
  readonly name: string;
  readonly atomicMass: number | null;
  readonly electronegativity: number | null;
  /** Empirical atomic radius (angstrom). */
  readonly atomicRadius: number | null;
  /** Mean of the element's ionic radii over its oxidation states (angstrom), as pymatgen computes it. */
  readonly averageIonicRadius: number | null;
  /** IUPAC group 1-18; lanthanides and actinides get 3, as in pymatgen. */
  readonly group: number;
  readonly row: number;
  readonly isMetal: boolean;
  readonly isTransitionMetal: boolean;
  readonly isMetalloid: boolean;
  /**
   * Pettifor's Mendeleev number (pymatgen's "Mendeleev no"): a one-dimensional chemical scale on which
   * elements that substitute for each other sit close (Cs 8, Rb 9; Pb 82, Sn 83, Ge 84; I 97, Br 98).
   * Null for the superheavy elements (Rf onwards), which no source gives.
   */
  readonly mendeleevNumber: number | null;
  readonly commonOxidationStates: readonly number[];
  readonly icsdOxidationStates: readonly number[];
  /** Every oxidation state pymatgen lists for the element ("Oxidation states"). */
  readonly allOxidationStates: readonly number[];
  readonly shannonRadii: readonly ShannonRadius[];
  /** 200-d mat2vec embedding, or null where the source has none. */
  readonly mat2vec: readonly number[] | null;
  /** Cell in the 18-column periodic-table layout (rows 9 and 10 hold lanthanides and actinides). */
  readonly layout: { readonly row: number; readonly column: number } | null;
}

export interface ElementTableFile {
  readonly format: typeof ELEMENT_TABLE_FORMAT;
  readonly sources: Readonly<Record<string, string>>;
  readonly elements: readonly ElementRecord[];
}
