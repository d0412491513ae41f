/**
 * The next batch to compute or make: k candidates chosen by an acquisition function over the
 * ensemble's predictions, spread out in composition space so the batch does not spend itself on
 * near-copies of one good candidate.
 *
 * Acquisition: the UCB score of the Results view's ranking (optimistic P(stable) times the probability
 * that the gap, its sigma widened by kappa, lies in the target window). Diversity: greedy selection with
 * local penalization in the style of González et al. (AISTATS 2016): after each pick, every remaining
 * candidate's score is multiplied by 1 - exp(-d^2 / (2 l^2)), d being its composition distance to the
 * pick. Our penalizer is a Gaussian in composition space with a length scale l (default 0.1), not the
 * paper's Lipschitz-derived ball, because the model gives no gradient bound in composition space. The
 * composition distance is half the L1 distance between atomic-fraction vectors (0: the same
 * composition, 1: no element in common).
 */
import type { CandidateFilters } from '../../shared/api/contract.js';
import type { CandidateSummary, NextBatch } from '../../shared/api/types.js';
import type { ElementTable } from '../data/elements/load.js';
import type { ReadableLibrary } from '../library/index.js';
import { compositionOfSites } from './candidates.js';
import { atomicFractions, fractionL1, type Fractions } from './composition-distance.js';

export interface NextBatchRequest extends CandidateFilters {
  readonly window: readonly [number, number];
  readonly k: number;
  readonly kappa?: number | undefined;
  readonly lengthScale?: number | undefined;
}

/** Half the L1 distance between two fraction vectors: 0 for equal compositions, 1 with no element shared. */
export function compositionDistance(a: Fractions, b: Fractions): number {
  return fractionL1(a, b) / 2;
}

export interface PoolEntry {
  readonly score: number;
  readonly fractions: Fractions;
}

/**
 * Greedy batch selection with local penalization: positions in `pool`, in pick order, with the
 * penalized score each had when picked and its distance to the nearest earlier pick.
 */
export function selectBatch(pool: readonly PoolEntry[], k: number, lengthScale: number): { index: number; penalized: number; nearest: number | null }[] {
  const penalty = pool.map(() => 1);
  const picked: { index: number; penalized: number; nearest: number | null }[] = [];
  const taken = new Set<number>();
  while (picked.length < Math.min(k, pool.length)) {
    let best = -1;
    for (let i = 0; i < pool.length; i += 1) {
      if (taken.has(i)) continue;
      if (best < 0 || pool[i]!.score * penalty[i]! > pool[best]!.score * penalty[best]!) best = i;
    }
    let nearest: number | null = null;
    for (const p of picked) {
      const d = compositionDistance(pool[best]!.fractions, pool[p.index]!.fractions);
      nearest = nearest === null ? d : Math.min(nearest, d);
    }
    picked.push({ index: best, penalized: pool[best]!.score * penalty[best]!, nearest });
    taken.add(best);
    for (let i = 0; i < pool.length; i += 1) {
      if (taken.has(i)) continue;
      const d = compositionDistance(pool[i]!.fractions, pool[best]!.fractions);
      penalty[i] = penalty[i]! * (1 - Math.exp(-(d * d) / (2 * lengthScale * lengthScale)));
    }
  }
  return picked;
}

export const NEXT_BATCH_DEFAULTS = { kappa: 1, lengthScale: 0.1 } as const;

/** The pool the batch is chosen from: the best candidates by UCB, many more than k. */
export function poolSize(k: number): number {
  return Math.min(5000, Math.max(500, 50 * k));
}

export function nextBatch(library: ReadableLibrary, table: ElementTable, req: NextBatchRequest): NextBatch {
  const { window, k, kappa = NEXT_BATCH_DEFAULTS.kappa, lengthScale = NEXT_BATCH_DEFAULTS.lengthScale, ...filters } = req;
  const ranked = library.query({ ...filters, rank: { mode: 'ucb', window: [window[0], window[1]], kappa }, limit: poolSize(k), offset: 0 }).rows;
  const pool = ranked.map((row) => ({ score: row.score ?? 0, fractions: atomicFractions(compositionOfSites(row.sites, table)) }));
  const picks = selectBatch(pool, k, lengthScale);
  const rows: NextBatch['rows'] = picks.map((p) => ({ ...(ranked[p.index] as CandidateSummary), acquisition: pool[p.index]!.score, penalized: p.penalized, nearestPick: p.nearest, poolRank: p.index + 1 }));
  return {
    rows,
    pool: ranked.length,
    method:
      `UCB acquisition (kappa ${kappa}: min(1, P(stable) + kappa x spread) x P(${filters.gapKind === 'expt' ? 'experimental' : 'PBE'} gap in ${window[0]}-${window[1]} eV, sigma widened by 1 + kappa)) over the best ${ranked.length.toLocaleString('en')} candidates, ` +
      `then ${k} picks by local penalization (each pick multiplies the others' scores by 1 - exp(-d^2 / (2 x ${lengthScale}^2)), d = composition distance, half the L1 distance between atomic fractions)`,
  };
}
