/**
 * Starting structures for DFT from a candidate's sites: the ideal cubic perovskite (Pm-3m), the
 * rock-salt-ordered double perovskite (Fm-3m, conventional cell) and the vacancy-ordered K2PtCl6 type
 * (Fm-3m). Lattice parameters come from Shannon radii (the same ones the enumeration used):
 *   ABX3:     a = 2 (rB + rX)                      (B-X bond along the cube edge)
 *   A2BB'X6:  a = 2 (rB + rX) + 2 (rB' + rX)        (two B-X-B' links along the edge)
 *   A2BX6:    a from rB + rX and rA + rX: X at (x,0,0) with x = (rB + rX) / a, and the A-X contact
 *             |(1/4,1/4,1/4) - (x,1/2,1/2)| a = rA + rX, solved for a.
 * Candidates that a single ordered cell cannot represent exactly (site-mixed, A3B2X9, molecular ions)
 * are refused with the reason, never written as a wrong structure.
 */
import type { SiteComposition } from '../../shared/index.js';
import type { ElementSymbol } from '../../shared/index.js';
import type { ElementTable } from '../data/elements/load.js';
import { shannonRadius, SITE_COORDINATION } from '../enumerate/geometry.js';

export type Vector = readonly [number, number, number];

export interface Structure {
  readonly formula: string;
  /** Which prototype and how its lattice parameter was estimated. */
  readonly prototype: string;
  readonly latticeRule: string;
  /** Cubic cell edge (angstrom). */
  readonly a: number;
  readonly species: readonly ElementSymbol[];
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
  if (c.sites.some((s) => s.species.some((sp) => table.molecules.has(sp.element)))) {
    return { formula: c.formula, reason: 'a molecular ion has no agreed starting geometry here; build it with the molecule placed and oriented by hand' };
  }
  const o = ordered(c.sites);
  const integral = o && [o.A.n, o.X.n, ...o.B.map((b) => b.n)].every((n) => Math.abs(n - Math.round(n)) < 1e-9);
  if (!o || !integral) return { formula: c.formula, reason: 'a site-mixed candidate needs a supercell with an arrangement of the mixed species (a special quasirandom structure); not written' };
  const radius = (el: string, site: 'A' | 'B' | 'X'): number => {
    const state = c.oxidationStates[el];
    const r = state === undefined ? null : shannonRadius(table, el as ElementSymbol, state, SITE_COORDINATION[site]);
    if (!r) throw new Error(`${c.formula}: no radius for ${el}`);
    return r.radius;
  };
  const [A, X] = [o.A.el as ElementSymbol, o.X.el as ElementSymbol];
  const rA = radius(A, 'A');
  const rX = radius(X, 'X');
  const pattern = `${o.A.n}:${o.B.map((b) => b.n).join('+')}:${o.X.n}`;
  if (pattern === '1:1:3') {
    const B = o.B[0]!.el as ElementSymbol;
    const a = 2 * (radius(B, 'B') + rX);
    return {
      formula: c.formula, prototype: 'cubic perovskite ABX3, Pm-3m (CaTiO3 aristotype)', latticeRule: 'a = 2 (rB + rX)', a,
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
      formula: c.formula, prototype: "rock-salt-ordered double perovskite A2BB'X6, Fm-3m (conventional cell)", latticeRule: "a = 2 (rB + rX) + 2 (rB' + rX)", a,
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
      formula: c.formula, prototype: 'vacancy-ordered double perovskite A2BX6, K2PtCl6 type, Fm-3m (conventional cell)', latticeRule: 'B-X = rB + rX and A-X = rA + rX', a,
      species: [...Array<ElementSymbol>(8).fill(A), ...Array<ElementSymbol>(4).fill(B), ...Array<ElementSymbol>(24).fill(X)],
      positions: [...translate([[0.25, 0.25, 0.25], [0.75, 0.75, 0.75]], FCC), ...translate([[0, 0, 0]], FCC), ...translate(xs, FCC)],
    };
  }
  return { formula: c.formula, reason: `no prototype cell for this layout (${pattern.replaceAll(':', ' : ')} per formula unit; A3B2X9 is not written yet)` };
}
