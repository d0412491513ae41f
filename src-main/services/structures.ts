/**
 * DFT starting structures for shortlisted candidates: a POSCAR and a CIF per candidate that one ordered
 * cell represents exactly, zipped with a README of the assumptions; the rest are listed with the
 * reason they were not written.
 */
import { strToU8, zipSync } from 'fflate';
import type { ElementTable } from '../data/elements/load.js';
import type { ReadableLibrary } from '../library/index.js';
import { structureOf, type Refusal, type Structure } from '../structures/cells.js';
import { toCif, toPoscar } from '../structures/formats.js';
import { NotFoundError } from './errors.js';

export interface StructureExport {
  readonly zip: Uint8Array;
  readonly written: readonly string[];
  readonly skipped: readonly { readonly formula: string; readonly reason: string }[];
}

const README = (written: readonly Structure[], skipped: readonly Refusal[]): string => `Starting structures from Perovskite Workbench

These are idealised starting points for a relaxation, not relaxed structures.

Prototypes and lattice parameters (Shannon ionic radii at the sites' coordination, as screened):
- ABX3: ideal cubic perovskite, Pm-3m; a = 2 (rB + rX).
- A2BB'X6: rock-salt-ordered double perovskite, Fm-3m, conventional cubic cell (40 atoms);
  a = 2 (rB + rX) + 2 (rB' + rX), the X atoms on the B-B' lines at rB + rX from B.
- A2BX6: vacancy-ordered double perovskite, K2PtCl6 type, Fm-3m, conventional cell (36 atoms);
  B-X = rB + rX, and a chosen so that the shortest A-X distance is rA + rX.
The cubic prototypes ignore octahedral tilts: a relaxation from a slightly perturbed cell (or a
supercell) lets the structure find them. Magnetic order and spin states are not set.

- Site-mixed ABX3 candidates: the smallest supercell of the cubic cell whose site counts realise the
  fractions exactly (N cells, as near a cube as N allows, at most 64), a = 2 (mean rB + mean rX) with
  the radii weighted by site fraction. On each mixed site the minority species is spread out by
  farthest-point placement under periodic boundaries (deterministic). This is a starting point, not a
  special quasirandom structure (SQS): for disorder-averaged properties build an SQS from this cell
  (e.g. ATAT's mcsqs or icet) or average over several arrangements. The cell's exact composition is in
  the POSCAR's first line and the CIF's comment.

- Molecular A-site cations are written as molecules, one standard geometry and one orientation each,
  centred on the A site (the lattice parameter still comes from rB + rX):
  MA as CH3NH3, C-N 1.47 A along [100], C-H 1.09 A, N-H 1.03 A, staggered;
  FA as HC(NH2)2, planar in (001), C-N 1.32 A, N-C-N 124 deg, C-H along [010];
  NH4 as a tetrahedron, N-H 1.03 A along <111>.
  In the cubic phase these cations rotate: the orientation is a choice, not a result. Relax the
  structure (and compare a few orientations) before trusting energies or gaps.

Not written: A3B2X9, mixed double perovskites, and molecular ions other than MA, FA and NH4 (no
standard geometry here; place and orient them by hand).

Files: <formula>.vasp (POSCAR, VASP 5) and <formula>.cif (P1).
Written (${written.length}): ${written.map((s) => `${s.formula} (${s.supercell ? `${s.supercell.repeats.join('x')} supercell holding ${s.supercell.composition}, ` : ''}a = ${s.a.toFixed(4)} A${s.molecules ? '; molecules as above' : ''})`).join(', ') || 'none'}
Skipped (${skipped.length}): ${skipped.map((s) => `${s.formula}: ${s.reason}`).join('; ') || 'none'}
`;

export function exportStructures(library: ReadableLibrary, table: ElementTable, candidateIds: readonly number[]): StructureExport {
  const written: Structure[] = [];
  const skipped: Refusal[] = [];
  for (const id of candidateIds) {
    const stored = library.candidate(id);
    if (!stored) throw new NotFoundError(`no candidate ${id}`);
    const s = structureOf(stored.row, table);
    if ('reason' in s) skipped.push(s);
    else written.push(s);
  }
  const files: Record<string, Uint8Array> = { 'README.txt': strToU8(README(written, skipped)) };
  for (const s of written) {
    const name = s.formula.replace(/[^A-Za-z0-9.]/g, '_');
    files[`${name}.vasp`] = strToU8(toPoscar(s));
    files[`${name}.cif`] = strToU8(toCif(s));
  }
  return { zip: zipSync(files), written: written.map((s) => s.formula), skipped };
}
