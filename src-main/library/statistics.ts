/**
 * Column statistics of a screen's (filtered) candidates, computed in SQL so that nothing holds a
 * whole column in memory or spreads it into a function call: the band-gap histogram and a
 * deterministic scatter sample with its Pareto front.
 */
import type Database from 'better-sqlite3';
import type { CandidateFilters } from '../../shared/api/contract.js';
import type { Histogram, ScatterData } from '../../shared/api/types.js';
import { CANDIDATE_JOIN, gapColumns, predictionColumns, whereClause, type WhereClause } from './query.js';

/** The predictions table alone when no filter reads a candidate column (t, mu, tau): no join to pay for. */
function source(where: WhereClause): string {
  return /\bc\./.test(where.sql) ? CANDIDATE_JOIN : 'predictions p';
}
import { paretoFronts, windowProbability } from './ranking.js';

/** Band gaps of the matches in `bins` equal bins from 0 to the largest gap rounded up (at least 1 eV). */
export function gapHistogram(db: Database.Database, filters: CandidateFilters, bins: number): Histogram {
  const clause = whereClause(filters);
  const { sql: where, params } = clause;
  const from = source(clause);
  const gap = gapColumns(filters).value;
  const max = db.prepare(`SELECT max(${gap}) FROM ${from} WHERE ${where}`).pluck().get(params) as number | null;
  const hi = Math.max(1, Math.ceil(max ?? 0));
  const counts = new Array<number>(bins).fill(0);
  const grouped = db
    .prepare(
      `SELECT min(@bins - 1, max(0, CAST(${gap} / @hi * @bins AS INTEGER))) AS bin, count(*) AS n
       FROM ${from} WHERE ${where} AND ${gap} IS NOT NULL GROUP BY bin`,
    )
    .all({ ...params, bins, hi }) as { bin: number; n: number }[];
  for (const { bin, n } of grouped) counts[bin] = n;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => (hi * i) / bins), counts };
}

/**
 * About `maxPoints` of the matches, every k-th by enumeration order (the same points each time), with
 * the Pareto front of gap-window probability against P(stable) among them.
 */
export function scatterSample(db: Database.Database, filters: CandidateFilters, maxPoints: number, window: readonly [number, number]): Omit<ScatterData, 'imported'> {
  const clause = whereClause(filters);
  const { sql: where, params } = clause;
  const total = db.prepare(`SELECT count(*) FROM ${source(clause)} WHERE ${where}`).pluck().get(params) as number;
  const stride = Math.max(1, Math.ceil(total / maxPoints));
  // sample on the predictions row (candidate ids run in enumeration order within a screen), then join
  // only the sampled rows for their formula and tau
  // the domain flag is in the covering index the sample walks (migration 12); an older file read-only has none
  const inDomain = predictionColumns(db).has('in_domain') ? 'p.in_domain' : 'NULL';
  const gap = gapColumns(filters);
  const rows = db
    .prepare(
      `SELECT c.id, c.formula, c.tau, s.band_gap, s.band_gap_sigma, s.p_stable, s.in_domain
       FROM (SELECT p.candidate_id, ${gap.value} AS band_gap, ${gap.sigma} AS band_gap_sigma, p.p_stable, ${inDomain} AS in_domain FROM ${source(clause)} WHERE ${where} AND (p.candidate_id % @stride) = 0 AND ${gap.value} IS NOT NULL) s
       JOIN candidates c ON c.id = s.candidate_id`,
    )
    .all({ ...params, stride }) as { id: number; formula: string; tau: number | null; band_gap: number; band_gap_sigma: number | null; p_stable: number | null; in_domain: number | null }[];
  const fronts = paretoFronts(
    rows.map((r) => windowProbability(r.band_gap, r.band_gap_sigma ?? 0, window[0], window[1])),
    rows.map((r) => r.p_stable ?? 0),
  );
  return {
    ids: rows.map((r) => r.id),
    gap: rows.map((r) => r.band_gap),
    pStable: rows.map((r) => r.p_stable ?? 0),
    tau: rows.map((r) => r.tau),
    formulas: rows.map((r) => r.formula),
    inDomain: rows.map((r) => (r.in_domain === null ? null : r.in_domain === 1)),
    pareto: rows.filter((_, i) => fronts[i] === 1).map((r) => r.id),
    total,
  };
}
