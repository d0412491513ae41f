/**
 * Ionic radii and the geometric descriptors of a perovskite: Goldschmidt's tolerance factor
 * t = (rA + rX) / (sqrt 2 (rB + rX)), the octahedral factor mu = rB / rX, and Bartel's tau
 * (Sci. Adv. 5, eaav0693, 2019): tau = rX / rB - nA (nA - (rA / rB) / ln(rA / rB)), where tau < 4.18
 * predicts a perovskite. Radii are Shannon ionic radii for the assigned oxidation state at the
 * site's coordination (A 12, B 6, X 6).
 *
 * Fallback when the table has no radius at that coordination: the radius at the nearest available
 * coordination number (ties go to the higher one), marked `fallback`. Among spin states the high-spin
 * radius is used (room-temperature default); where no spin is given the single entry is used.
 */
import type { ElementSymbol, SiteLabel } from '../../shared/index.js';
import type { ElementTable } from '../data/elements/load.js';
import type { RadiusChoice } from './types.js';

export const SITE_COORDINATION: Readonly<Record<SiteLabel, number>> = { A: 12, B: 6, X: 6 };
export const BARTEL_TAU_THRESHOLD = 4.18;

export function shannonRadius(table: ElementTable, element: ElementSymbol, oxidationState: number, coordination: number): RadiusChoice | null {
  const entries = table.get(element).shannonRadii.filter((r) => r.oxidationState === oxidationState);
  if (entries.length === 0) return null;
  const coordinations = [...new Set(entries.map((r) => r.coordination))];
  const best = coordinations.sort((a, b) => Math.abs(a - coordination) - Math.abs(b - coordination) || b - a)[0]!;
  const atBest = entries.filter((r) => r.coordination === best);
  const chosen = atBest.find((r) => r.spin === 'High Spin') ?? atBest.find((r) => r.spin === null) ?? atBest[0]!;
  return { element, oxidationState, radius: chosen.ionicRadius, coordination: best, fallback: best !== coordination, spin: chosen.spin, source: chosen.source };
}

export function toleranceFactor(rA: number, rB: number, rX: number): number {
  return (rA + rX) / (Math.SQRT2 * (rB + rX));
}

export function octahedralFactor(rB: number, rX: number): number {
  return rB / rX;
}

/** Bartel's tau; null when rA <= rB (the formula needs the A cation to be the larger one). */
export function bartelTau(rA: number, rB: number, rX: number, nA: number): number | null {
  if (!(rA > rB)) return null;
  const ratio = rA / rB;
  return rX / rB - nA * (nA - ratio / Math.log(ratio));
}
