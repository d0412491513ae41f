/**
 * Molecular A-site cations written as molecules in a starting structure: one standard geometry and
 * one orientation each, centred on the A site. An orientation is a choice, not a result (MA and FA
 * rotate in the cubic phase): relax the structure, or sample orientations, before trusting energies.
 *
 *   MA  (CH3NH3+)   C-N 1.47 A along [100], C-H 1.09 A, N-H 1.03 A, tetrahedral angles, staggered;
 *                   the C-N midpoint on the A site.
 *   FA  (HC(NH2)2+) planar in (001), C-N 1.32 A, N-C-N 124 deg, C-H 1.09 A, N-H 1.01 A (H-N-C 120 deg),
 *                   the centroid of C, N, N on the A site, the C-H bond along [010].
 *   NH4 (NH4+)      N on the A site, N-H 1.03 A towards four corners of a cube (tetrahedral).
 * Bond lengths are typical values of the isolated cations (e.g. Frost et al., Nano Lett. 14, 2584
 * (2014) for MA); other molecular ions have no geometry here and are refused with the reason.
 */
import type { ElementSymbol } from '../../shared/index.js';

export type Offset = readonly [number, number, number];

export interface MoleculeGeometry {
  readonly atoms: readonly { readonly element: ElementSymbol; readonly at: Offset }[];
  /** How it is placed, for the structure's README. */
  readonly placement: string;
}

const deg = Math.PI / 180;
const add = (p: Offset, d: Offset, s: number): Offset => [p[0] + d[0] * s, p[1] + d[1] * s, p[2] + d[2] * s];

function methylammonium(): MoleculeGeometry {
  const half = 1.47 / 2;
  const C: Offset = [-half, 0, 0];
  const N: Offset = [half, 0, 0];
  const tilt = 109.47 * deg; // H-C-N and H-N-C angles, measured from the C-N axis
  const h = (from: Offset, axis: number, phi: number, length: number): Offset => add(from, [axis * Math.cos(tilt), Math.sin(tilt) * Math.cos(phi), Math.sin(tilt) * Math.sin(phi)], length);
  return {
    atoms: [
      { element: 'C', at: C },
      { element: 'N', at: N },
      ...[0, 120, 240].map((p) => ({ element: 'H' as ElementSymbol, at: h(C, 1, p * deg, 1.09) })),
      ...[60, 180, 300].map((p) => ({ element: 'H' as ElementSymbol, at: h(N, -1, p * deg, 1.03) })), // staggered
    ],
    placement: 'MA as CH3NH3: C-N (1.47 A) along [100], its midpoint on the A site, H staggered (C-H 1.09 A, N-H 1.03 A)',
  };
}

function formamidinium(): MoleculeGeometry {
  const cn = 1.32;
  const half = (124 / 2) * deg;
  const C: Offset = [0, 0, 0];
  const N1: Offset = [-cn * Math.sin(half), -cn * Math.cos(half), 0];
  const N2: Offset = [cn * Math.sin(half), -cn * Math.cos(half), 0];
  // each N-H at 120 deg from N-C, in the plane
  const nh = (n: Offset, turn: number): Offset => {
    const u: Offset = [(C[0] - n[0]) / cn, (C[1] - n[1]) / cn, 0];
    const [c, s] = [Math.cos(turn), Math.sin(turn)];
    return add(n, [u[0] * c - u[1] * s, u[0] * s + u[1] * c, 0], 1.01);
  };
  const atoms = [
    { element: 'C' as ElementSymbol, at: C },
    { element: 'N' as ElementSymbol, at: N1 },
    { element: 'N' as ElementSymbol, at: N2 },
    { element: 'H' as ElementSymbol, at: [0, 1.09, 0] as Offset },
    ...[N1, N2].flatMap((n) => [120 * deg, -120 * deg].map((t) => ({ element: 'H' as ElementSymbol, at: nh(n, t) }))),
  ];
  // centre the C, N, N centroid on the site
  const cy = (C[1] + N1[1] + N2[1]) / 3;
  return {
    atoms: atoms.map((a) => ({ element: a.element, at: [a.at[0], a.at[1] - cy, a.at[2]] as Offset })),
    placement: 'FA as HC(NH2)2: planar in (001), C-N 1.32 A, N-C-N 124 deg, the C-H bond along [010], the C-N-N centroid on the A site',
  };
}

function ammonium(): MoleculeGeometry {
  const s = 1.03 / Math.sqrt(3);
  return {
    atoms: [{ element: 'N', at: [0, 0, 0] }, ...([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]] as const).map((d) => ({ element: 'H' as ElementSymbol, at: [d[0] * s, d[1] * s, d[2] * s] as Offset }))],
    placement: 'NH4 as a tetrahedron: N on the A site, N-H 1.03 A along <111>',
  };
}

const GEOMETRIES: Readonly<Record<string, () => MoleculeGeometry>> = { MA: methylammonium, FA: formamidinium, NH4: ammonium };

/** The standard geometry of a molecular ion (offsets in angstrom from its site); null when there is none here. */
export function moleculeGeometry(abbreviation: string): MoleculeGeometry | null {
  return GEOMETRIES[abbreviation]?.() ?? null;
}
