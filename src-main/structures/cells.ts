/**
 * Starting structures for DFT from a candidate's sites: the ideal cubic perovskite (Pm-3m), the
 * rock-salt-ordered double perovskite (Fm-3m, conventional cell) and the vacancy-ordered K2PtCl6 type
 * (Fm-3m). Lattice parameters come from Shannon radii (the same ones the enumeration used):
 *   ABX3:     a = 2 (rB + rX)                      (B-X bond along the cube edge)
 *   A2BB'X6:  a = 2 (rB + rX) + 2 (rB' + rX)        (two B-X-B' links along the edge)
 *   A2BX6:    a from rB + rX and rA + rX: X at (x,0,0) with x = (rB + rX) / a, and the A-X contact
 *             |(1/4,1/4,1/4) - (x,1/2,1/2)| a = rA + rX, solved for a.
 * Site-mixed ABX3 candidates are written as supercells (below); molecular A-site cations (MA, FA, NH4)
 * as molecules in one standard orientation (molecules.ts). What no cell here represents (A3B2X9,
 * mixed double perovskites, molecules without a geometry) is refused with the reason, never written
 * as a wrong structure.
 */
import type { SiteComposition } from '../../shared/index.js';
import type { ElementSymbol } from '../../shared/index.js';
import type { ElementTable } from '../data/elements/load.js';
import { shannonRadius, SITE_COORDINATION } from '../enumerate/geometry.js';
import { moleculeGeometry, type MoleculeGeometry } from './molecules.js';

export type Vector = readonly [number, number, number];

export interface Structure {
  readonly formula: string;
  /** Which prototype and how its lattice parameter was estimated. */
  readonly prototype: string;
  readonly latticeRule: string;
  /** The prototype's cubic edge (angstrom). */
  readonly a: number;
  /** The cell written: edge lengths (angstrom) of an orthogonal cell, [a, a, a] unless a supercell. */
  readonly cell: Vector;
  /** For a site-mixed candidate: the supercell that realises its fractions and how the species were placed. */
  readonly supercell?: { readonly repeats: Vector; readonly composition: string; readonly arrangement: string };
  readonly species: readonly ElementSymbol[];
  /** How molecular ions were written (geometry, orientation, the caveat), when there are any. */
  readonly molecules?: string;
  /** Fractional coordinates, one per species entry. */
  readonly positions: readonly Vector[];
}

export interface Refusal {
  readonly formula: string;
  readonly reason: string;
}

export interface CandidateSites {
  readonly formula: string;
  readonly sites: SiteComposition;
  readonly oxidationStates: Readonly<Record<string, number>>;
}

const FCC: readonly Vector[] = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];

function translate(base: readonly Vector[], by: readonly Vector[]): Vector[] {
  return by.flatMap((t) => base.map((p) => [(p[0] + t[0]) % 1, (p[1] + t[1]) % 1, (p[2] + t[2]) % 1] as const));
}

/** The species on each site, with their amounts; null when a site holds two species (a mixed site). */
function ordered(sites: SiteComposition): { A: { el: string; n: number }; B: { el: string; n: number }[]; X: { el: string; n: number } } | null {
  const site = (label: string) => sites.find((s) => s.site === label)?.species ?? [];
  const [a, b, x] = [site('A'), site('B'), site('X')];
  if (a.length !== 1 || x.length !== 1 || b.length < 1 || b.length > 2) return null;
  return { A: { el: a[0]!.element, n: a[0]!.amount }, B: b.map((s) => ({ el: s.element, n: s.amount })), X: { el: x[0]!.element, n: x[0]!.amount } };
}

export function structureOf(c: CandidateSites, table: ElementTable): Structure | Refusal {
  const molecules = [...new Set(c.sites.flatMap((s) => s.species.map((sp) => sp.element)).filter((el) => table.molecules.has(el)))];
  const geometries = new Map(molecules.map((m) => [m, moleculeGeometry(m)] as const));
  const missing = molecules.filter((m) => geometries.get(m) === null);
  if (missing.length) {
    return { formula: c.formula, reason: `${missing.join(', ')} has no standard starting geometry here (MA, FA and NH4 have); build it with the molecule placed and oriented by hand` };
  }
  const built = latticeOf(c, table);
  return 'reason' in built || molecules.length === 0 ? built : withMolecules(built, geometries as Map<string, MoleculeGeometry>);
}

/**
 * The structure with each molecular species entry replaced by its atoms, placed by its standard
 * geometry around the site (molecules.ts); the supercell's composition is restated in atoms.
 */
function withMolecules(s: Structure, geometries: ReadonlyMap<string, MoleculeGeometry>): Structure {
  const species: ElementSymbol[] = [];
  const positions: Vector[] = [];
  s.species.forEach((sp, i) => {
    const p = s.positions[i]!;
    const g = geometries.get(sp);
    if (!g) {
      species.push(sp);
      positions.push(p);
      return;
    }
    for (const atom of g.atoms) {
      species.push(atom.element);
      const wrap = (f: number): number => ((f % 1) + 1) % 1;
      positions.push([wrap(p[0] + atom.at[0] / s.cell[0]), wrap(p[1] + atom.at[1] / s.cell[1]), wrap(p[2] + atom.at[2] / s.cell[2])]);
    }
  });
  const counts = new Map<string, number>();
  for (const el of species) counts.set(el, (counts.get(el) ?? 0) + 1);
  return {
    ...s,
    species,
    positions,
    molecules: [...geometries.values()].map((g) => g.placement).join('; ') + '. One orientation of many: relax the structure (or sample orientations) before trusting energies.',
    ...(s.supercell ? { supercell: { ...s.supercell, composition: [...counts].map(([el, n]) => `${el}${n}`).join('') } } : {}),
  };
}

/** The ordered prototype or the mixed supercell, molecular ions still as one species each (on their site). */
function latticeOf(c: CandidateSites, table: ElementTable): Structure | Refusal {
  const radius = (el: string, site: 'A' | 'B' | 'X'): number => {
    const molecule = table.molecules.get(el);
    if (molecule) return molecule.radius;
    const state = c.oxidationStates[el];
    const r = state === undefined ? null : shannonRadius(table, el as ElementSymbol, state, SITE_COORDINATION[site]);
    if (!r) throw new Error(`${c.formula}: no radius for ${el}`);
    return r.radius;
  };
  const o = ordered(c.sites);
  const integral = o && [o.A.n, o.X.n, ...o.B.map((b) => b.n)].every((n) => Math.abs(n - Math.round(n)) < 1e-9);
  if (!o || !integral) return mixedSupercell(c, radius);
  const [A, X] = [o.A.el as ElementSymbol, o.X.el as ElementSymbol];
  const rA = radius(A, 'A');
  const rX = radius(X, 'X');
  const pattern = `${o.A.n}:${o.B.map((b) => b.n).join('+')}:${o.X.n}`;
  if (pattern === '1:1:3') {
    const B = o.B[0]!.el as ElementSymbol;
    const a = 2 * (radius(B, 'B') + rX);
    return {
      formula: c.formula, prototype: 'cubic perovskite ABX3, Pm-3m (CaTiO3 aristotype)', latticeRule: 'a = 2 (rB + rX)', a, cell: [a, a, a],
      species: [A, B, X, X, X], positions: [[0.5, 0.5, 0.5], [0, 0, 0], [0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5]],
    };
  }
  if (pattern === '2:1+1:6') {
    const [B1, B2] = [o.B[0]!.el as ElementSymbol, o.B[1]!.el as ElementSymbol];
    const [d1, d2] = [radius(B1, 'B') + rX, radius(B2, 'B') + rX];
    const a = 2 * d1 + 2 * d2;
    const x = d1 / a;
    const xs: Vector[] = [[x, 0, 0], [-x + 1, 0, 0], [0, x, 0], [0, 1 - x, 0], [0, 0, x], [0, 0, 1 - x]];
    return {
      formula: c.formula, prototype: "rock-salt-ordered double perovskite A2BB'X6, Fm-3m (conventional cell)", latticeRule: "a = 2 (rB + rX) + 2 (rB' + rX)", a, cell: [a, a, a],
      species: [...Array<ElementSymbol>(8).fill(A), ...Array<ElementSymbol>(4).fill(B1), ...Array<ElementSymbol>(4).fill(B2), ...Array<ElementSymbol>(24).fill(X)],
      positions: [...translate([[0.25, 0.25, 0.25], [0.75, 0.75, 0.75]], FCC), ...translate([[0, 0, 0]], FCC), ...translate([[0.5, 0, 0]], FCC), ...translate(xs, FCC)],
    };
  }
  if (pattern === '2:1:6') {
    const B = o.B[0]!.el as ElementSymbol;
    const dBX = radius(B, 'B') + rX;
    const dAX = rA + rX;
    // |(1/4 - x, -1/4, -1/4)| a = dAX with x a = dBX:  (a/4 - dBX)^2 + a^2/8 = dAX^2
    const qa = 1 / 16 + 1 / 8;
    const qb = -dBX / 2;
    const qc = dBX * dBX - dAX * dAX;
    const a = (-qb + Math.sqrt(qb * qb - 4 * qa * qc)) / (2 * qa);
    const x = dBX / a;
    const xs: Vector[] = [[x, 0, 0], [1 - x, 0, 0], [0, x, 0], [0, 1 - x, 0], [0, 0, x], [0, 0, 1 - x]];
    return {
      formula: c.formula, prototype: 'vacancy-ordered double perovskite A2BX6, K2PtCl6 type, Fm-3m (conventional cell)', latticeRule: 'B-X = rB + rX and A-X = rA + rX', a, cell: [a, a, a],
      species: [...Array<ElementSymbol>(8).fill(A), ...Array<ElementSymbol>(4).fill(B), ...Array<ElementSymbol>(24).fill(X)],
      positions: [...translate([[0.25, 0.25, 0.25], [0.75, 0.75, 0.75]], FCC), ...translate([[0, 0, 0]], FCC), ...translate(xs, FCC)],
    };
  }
  return { formula: c.formula, reason: `no prototype cell for this layout (${pattern.replaceAll(':', ' : ')} per formula unit; A3B2X9 is not written yet)` };
}

/** Cells at most in a site-mixed supercell (5 atoms each): a larger one is refused with the reason. */
export const MAX_SUPERCELL_CELLS = 64;

/**
 * A site-mixed ABX3 candidate as the smallest supercell of the cubic cell whose site counts realise its
 * fractions exactly (N cells, N the least common multiple needed by every mixed site; X has 3 sites per
 * cell), shaped as near a cube as N allows. The lattice parameter uses fraction-weighted radii, as the
 * screen's t and mu do: a = 2 (mean rB + mean rX). On each mixed site the minority species is spread
 * out by farthest-point placement under periodic boundaries (deterministic: ties go to the first
 * site in order): a simple stand-in for a special quasirandom structure (Zunger et al. 1990), which
 * ATAT's mcsqs or icet can build from this cell.
 */
function mixedSupercell(c: CandidateSites, radius: (el: string, site: 'A' | 'B' | 'X') => number): Structure | Refusal {
  const refuse = (why: string): Refusal => ({ formula: c.formula, reason: why });
  const site = (label: 'A' | 'B' | 'X') => c.sites.find((s) => s.site === label)?.species ?? [];
  const [a, b, x] = [site('A'), site('B'), site('X')];
  const total = (sp: readonly { amount: number }[]): number => sp.reduce((t, s) => t + s.amount, 0);
  if (Math.abs(total(a) - 1) > 1e-9 || Math.abs(total(b) - 1) > 1e-9 || Math.abs(total(x) - 3) > 1e-9 || [a, b, x].some((sp) => sp.length < 1 || sp.length > 2)) {
    return refuse('a site-mixed candidate is written as a supercell of the cubic ABX3 cell only; this layout is not');
  }
  // the smallest N with every species count on N A sites, N B sites and 3N X sites a whole number
  let cells = 0;
  for (let n = 1; n <= MAX_SUPERCELL_CELLS && cells === 0; n += 1) {
    if ([...a, ...b, ...x].every((sp) => Math.abs(sp.amount * n - Math.round(sp.amount * n)) < 1e-6)) cells = n;
  }
  if (cells === 0) return refuse(`its fractions need a supercell of more than ${MAX_SUPERCELL_CELLS} cells; not written`);
  const repeats = supercellShape(cells);
  const mean = (sp: readonly { element: string; amount: number }[], label: 'A' | 'B' | 'X'): number => sp.reduce((t, s) => t + s.amount * radius(s.element, label), 0) / total(sp);
  const edge = 2 * (mean(b, 'B') + mean(x, 'X'));
  // every cell's A, B and three X sites, in fractional coordinates of the supercell
  const cellOrigins: Vector[] = [];
  for (let i = 0; i < repeats[0]; i += 1) for (let j = 0; j < repeats[1]; j += 1) for (let k = 0; k < repeats[2]; k += 1) cellOrigins.push([i, j, k]);
  const at = (o: Vector, p: Vector): Vector => [(o[0] + p[0]) / repeats[0], (o[1] + p[1]) / repeats[1], (o[2] + p[2]) / repeats[2]];
  const aSites = cellOrigins.map((o) => at(o, [0.5, 0.5, 0.5]));
  const bSites = cellOrigins.map((o) => at(o, [0, 0, 0]));
  const xSites = cellOrigins.flatMap((o) => [at(o, [0.5, 0, 0]), at(o, [0, 0.5, 0]), at(o, [0, 0, 0.5])]);
  const cell: Vector = [edge * repeats[0], edge * repeats[1], edge * repeats[2]];
  const fill = (positions: Vector[], sp: readonly { element: string; amount: number }[], perCell: number): ElementSymbol[] => {
    if (sp.length === 1) return positions.map(() => sp[0]!.element as ElementSymbol);
    // the minority species on the farthest-spread subset of the sites
    const [major, minor] = sp[0]!.amount >= sp[1]!.amount ? [sp[0]!, sp[1]!] : [sp[1]!, sp[0]!];
    const chosen = spreadOut(positions, Math.round((minor.amount / perCell) * positions.length), cell);
    return positions.map((_, i) => (chosen.has(i) ? minor.element : major.element) as ElementSymbol);
  };
  const species = [...fill(aSites, a, 1), ...fill(bSites, b, 1), ...fill(xSites, x, 3)];
  const counts = new Map<string, number>();
  for (const el of species) counts.set(el, (counts.get(el) ?? 0) + 1);
  return {
    formula: c.formula,
    prototype: `cubic perovskite ABX3, Pm-3m, as a ${repeats.join(' x ')} supercell for the mixed sites`,
    latticeRule: 'a = 2 (mean rB + mean rX), radii weighted by site fraction',
    a: edge,
    cell,
    supercell: {
      repeats,
      composition: [...counts].map(([el, n]) => `${el}${n}`).join(''),
      arrangement: 'minority species of each mixed site spread out by farthest-point placement under periodic boundaries (deterministic); a special quasirandom structure is the reference',
    },
    species,
    positions: [...aSites, ...bSites, ...xSites],
  };
}

/** Repeats (n1 >= n2 >= n3) with n1 n2 n3 = cells, as near a cube as possible (the least max / min). */
export function supercellShape(cells: number): Vector {
  let best: Vector = [cells, 1, 1];
  for (let k = 1; k * k * k <= cells; k += 1) {
    if (cells % k) continue;
    for (let j = k; j * j <= cells / k; j += 1) {
      if ((cells / k) % j) continue;
      const i = cells / k / j;
      if (i / k < best[0] / best[2]) best = [i, j, k];
    }
  }
  return best;
}

/** `count` of the sites, chosen one at a time, each the farthest (minimum image) from those chosen before. */
function spreadOut(sites: readonly Vector[], count: number, cell: Vector): Set<number> {
  const chosen = new Set<number>();
  if (count <= 0) return chosen;
  const nearest = sites.map(() => Number.POSITIVE_INFINITY);
  let next = 0;
  while (chosen.size < count) {
    chosen.add(next);
    let far = -1;
    sites.forEach((p, i) => {
      if (chosen.has(i)) return;
      nearest[i] = Math.min(nearest[i]!, periodicDistance(p, sites[next]!, cell));
      if (far < 0 || nearest[i]! > nearest[far]! + 1e-9) far = i;
    });
    if (far < 0) break;
    next = far;
  }
  return chosen;
}

function periodicDistance(p: Vector, q: Vector, cell: Vector): number {
  let sum = 0;
  for (let k = 0; k < 3; k += 1) {
    let d = p[k]! - q[k]!;
    d -= Math.round(d);
    sum += (d * cell[k]!) ** 2;
  }
  return Math.sqrt(sum);
}
