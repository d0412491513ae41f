/** Filter, sort, rank and page the candidates of a screen (internal to the library: callers use Library). */
import type Database from 'better-sqlite3';
import type { CandidateFilters, QueryRequest } from '../../shared/api/contract.js';
import { elementMask } from './migrations.js';
import { rankableFromColumns, type RankColumns } from './rank-columns.js';
import { firstParetoFronts, ucbScoreSql, windowProbability, windowProbabilitySql } from './ranking.js';
import { rowFromRaw, type CandidateRow, type RawCandidateRow } from './records.js';

/** A query as the library takes it: the contract's request, with paging optional, and exact counting on demand. */
export type CandidateQuery = CandidateFilters & Partial<Pick<QueryRequest, 'sort' | 'rank' | 'limit' | 'offset' | 'after'>> & {
  /** Count every match; by default counting stops past COUNT_CAP, which keeps queries fast on millions of rows. */
  readonly exactTotal?: boolean;
};

/** The candidates of a screen with their predictions, aliased c and p as the WHERE clauses expect. */
export const CANDIDATE_JOIN = 'candidates c JOIN predictions p ON p.candidate_id = c.id';

/** Past this offset a sorted page is found by its ids first (an index-only walk over the rows skipped). */
const DEEP_OFFSET = 2000;

/** Matches counted before a query reports "more than this" instead of an exact total. */
export const COUNT_CAP = 10_000;

export interface QueryResult {
  /** Matches; a lower bound (COUNT_CAP + 1) when `exact` is false. */
  readonly total: number;
  readonly exact: boolean;
  readonly rows: CandidateRow[];
}

/** Columns added by later migrations: a file opened read-only from before them reads them as NULL. */
export const LATER_COLUMNS = ['known', 'domain_distance', 'in_domain', 'gap_expt', 'gap_expt_sigma', 'e_hull', 'e_hull_sigma'] as const;
const selects = new WeakMap<Database.Database, string>();
const predictionColumnSets = new WeakMap<Database.Database, ReadonlySet<string>>();

/** The predictions table's columns in this file (read once per connection). */
export function predictionColumns(db: Database.Database): ReadonlySet<string> {
  let columns = predictionColumnSets.get(db);
  if (!columns) {
    columns = new Set((db.prepare('PRAGMA table_info(predictions)').all() as { name: string }[]).map((c) => c.name));
    predictionColumnSets.set(db, columns);
  }
  return columns;
}

/** The candidate SELECT for this file (its predictions' columns checked once per connection). */
export function candidateSelect(db: Database.Database): string {
  let select = selects.get(db);
  if (select === undefined) {
    const columns = predictionColumns(db);
    const later = LATER_COLUMNS.map((c) => (columns.has(c) ? `p.${c}` : `NULL AS ${c}`)).join(', ');
    select = `SELECT c.id, c.seq, c.formula, c.sites_json, c.oxidation_json, c.t, c.mu, c.tau,
  p.band_gap, p.band_gap_sigma, p.p_stable, p.p_stable_spread, p.stable, p.other_json, ${later}`;
    selects.set(db, select);
  }
  return select;
}

/** The value and sigma columns of the gap a query reads: the PBE head, or the experimental one (`gapKind`). */
export function gapColumns(q: Pick<CandidateFilters, 'gapKind'>): { readonly value: string; readonly sigma: string } {
  return q.gapKind === 'expt' ? { value: 'p.gap_expt', sigma: 'p.gap_expt_sigma' } : { value: 'p.band_gap', sigma: 'p.band_gap_sigma' };
}

export interface WhereClause {
  readonly sql: string;
  readonly params: Record<string, string | number>;
}

/** WHERE clause and parameters for the filters of a query. */
export function whereClause(q: CandidateFilters): WhereClause {
  // filter on the predictions' screen column: the planner can then walk (screen_id, band_gap / p_stable) indexes
  const parts = ['p.screen_id = @screenId'];
  const params: Record<string, string | number> = { screenId: q.screenId };
  const range = (column: string, name: string, r?: readonly [number, number]): void => {
    if (!r) return;
    parts.push(`${column} BETWEEN @${name}Lo AND @${name}Hi`);
    params[`${name}Lo`] = r[0];
    params[`${name}Hi`] = r[1];
  };
  const gap = gapColumns(q);
  range(gap.value, 'gap', q.gap);
  range('c.t', 't', q.tolerance);
  range('c.mu', 'mu', q.octahedral);
  range('c.tau', 'tau', q.tau);
  if (q.stableMin !== undefined) {
    parts.push('p.p_stable >= @stableMin');
    params['stableMin'] = q.stableMin;
  }
  if (q.sigmaMax !== undefined) {
    parts.push(`${gap.sigma} <= @sigmaMax`);
    params['sigmaMax'] = q.sigmaMax;
  }
  if (q.eHullMax !== undefined) {
    parts.push('p.e_hull <= @eHullMax');
    params['eHullMax'] = q.eHullMax;
  }
  // element filters test bitmasks stored on the predictions row (no join, no string search)
  if (q.include?.length) {
    elementMask(q.include).forEach((m, k) => {
      if (m === 0) return;
      parts.push(`(p.elements${k} & @inc${k}) = @inc${k}`);
      params[`inc${k}`] = m;
    });
  }
  if (q.exclude?.length) {
    elementMask(q.exclude).forEach((m, k) => {
      if (m === 0) return;
      parts.push(`(p.elements${k} & @exc${k}) = 0`);
      params[`exc${k}`] = m;
    });
  }
  // novel: no bundled dataset records the composition (unchecked rows are not called novel)
  if (q.novelOnly) parts.push('p.known = 0');
  // in the model's applicability domain (rows of a model without one are not called in domain)
  if (q.inDomainOnly) parts.push('p.in_domain = 1');
  if (q.ids) {
    // ids are validated integers; inlined because SQLite has no array parameters
    parts.push(`p.candidate_id IN (${q.ids.map((id) => Math.trunc(Number(id))).join(',') || 'NULL'})`);
  }
  return { sql: parts.join(' AND '), params };
}

/** One page of a query; `columns` (the library's cache of a screen's predictions) ranks unfiltered screens without SQL per row. */
export function queryCandidates(db: Database.Database, q: CandidateQuery, columns?: RankColumns): QueryResult {
  const { sql: where, params } = whereClause(q);
  const from = `FROM ${CANDIDATE_JOIN}`;
  // counting needs the candidates table only when a filter reads it (t, mu, tau)
  const countFrom = /\bc\./.test(where) ? from : 'FROM predictions p';
  const exact = q.exactTotal === true;
  const total = exact
    ? (db.prepare(`SELECT count(*) ${countFrom} WHERE ${where}`).pluck().get(params) as number)
    : (db.prepare(`SELECT count(*) FROM (SELECT 1 ${countFrom} WHERE ${where} LIMIT ${COUNT_CAP + 1})`).pluck().get(params) as number);
  const totalIsExact = exact || total <= COUNT_CAP;
  const limit = q.limit ?? 100;
  const offset = q.offset ?? 0;
  const page = { ...params, limit, offset };
  if (q.rank && columns && rankableFromColumns(q)) {
    const { matched, page: top } = columns.rank({ ...q, rank: q.rank });
    const pageRows = candidatesByIds(db, top.map((t) => t.id));
    const rows = top.map((t, i) => ({ ...pageRows[i]!, score: t.score }));
    return q.rank.mode === 'pareto' ? { total: matched, exact: true, rows } : { total, exact: totalIsExact, rows };
  }
  if (q.rank?.mode === 'pareto') {
    const [lo, hi] = q.rank.window;
    // the predictions' covering index alone, unless a filter reads the candidates table
    const gap = gapColumns(q);
    const all = db.prepare(`SELECT p.candidate_id AS id, ${gap.value} AS band_gap, ${gap.sigma} AS band_gap_sigma, p.p_stable ${countFrom} WHERE ${where}`).all(params) as { id: number; band_gap: number | null; band_gap_sigma: number | null; p_stable: number | null }[];
    const { index, front } = firstParetoFronts(all.map((r) => (r.band_gap === null ? 0 : windowProbability(r.band_gap, r.band_gap_sigma ?? 0, lo, hi))), all.map((r) => r.p_stable ?? 0), offset + limit);
    const ranked = Array.from(index, (i, k) => ({ id: all[i]!.id, front: front[k]! })).sort((a, b) => a.front - b.front || a.id - b.id).slice(offset, offset + limit);
    const rows = candidatesByIds(db, ranked.map((r) => r.id));
    return { total: all.length, exact: true, rows: ranked.map((r, i) => ({ ...rows[i]!, score: r.front })) };
  }
  if (q.rank) {
    // two steps: the page's ids by score from the predictions' covering index (no wide rows sorted),
    // then those candidates' rows
    const [lo, hi] = q.rank.window;
    Object.assign(page, { winLo: lo, winHi: hi, kappa: q.rank.kappa ?? 1 });
    const gap = gapColumns(q);
    const score = q.rank.mode === 'window'
      ? windowProbabilitySql(gap.value, gap.sigma, '@winLo', '@winHi')
      : ucbScoreSql(gap.value, gap.sigma, 'p.p_stable', 'p.p_stable_spread', '@winLo', '@winHi', '@kappa');
    const top = db.prepare(`SELECT p.candidate_id AS id, ${score} AS score ${countFrom} WHERE ${where} ORDER BY score DESC, p.candidate_id LIMIT @limit OFFSET @offset`).all(page) as { id: number; score: number }[];
    const rows = candidatesByIds(db, top.map((t) => t.id));
    return { total, exact: totalIsExact, rows: top.map((t, i) => ({ ...rows[i]!, score: t.score })) };
  }
  const s = q.sort ?? { column: 'seq', descending: false };
  const table = s.column === 'formula' || s.column === 't' || s.column === 'mu' || s.column === 'tau' || s.column === 'seq' ? 'c' : 'p';
  // ties broken by candidate id (= enumeration order within a screen), named from the sorted column's
  // table: its (screen_id, column) index then holds the whole order, so SQLite walks the index and
  // stops at the page instead of sorting every match. Sorting by a candidates column constrains the
  // screen on that table too, so the planner can walk its index (left off otherwise: it would tempt the
  // planner away from the predictions indexes that serve the other sorts).
  const direction = s.descending ? 'DESC' : 'ASC';
  const column = `${table}.${s.column}`;
  const id = table === 'c' ? 'c.id' : 'p.candidate_id';
  const screenOnC = table === 'c' ? ' AND c.screen_id = @screenId' : '';
  const select = (extra: string, order: string, params: Record<string, unknown>): RawCandidateRow[] =>
    db.prepare(`${candidateSelect(db)} ${from} WHERE ${where}${screenOnC}${extra} ORDER BY ${order} LIMIT @limit OFFSET @offset`).all(params) as RawCandidateRow[];
  const sorted = `${column} ${direction}, ${id} ${direction}`;
  if (!q.after && offset <= DEEP_OFFSET) return { total, exact: totalIsExact, rows: select('', sorted, page).map(rowFromRaw) };
  if (!q.after) {
    // a page far down: walk the sort index alone to find its ids (no row read or joined for the rows
    // skipped), then read the page's rows
    const narrow =
      table === 'p' && countFrom !== from ? `SELECT p.candidate_id FROM predictions p WHERE ${where}`
      : table === 'c' && where === 'p.screen_id = @screenId' ? 'SELECT c.id FROM candidates c WHERE c.screen_id = @screenId'
      : `SELECT ${id} ${from} WHERE ${where}${screenOnC}`;
    const ids = db.prepare(`${narrow} ORDER BY ${sorted} LIMIT @limit OFFSET @offset`).pluck().all(page) as number[];
    return { total, exact: totalIsExact, rows: candidatesByIds(db, ids) };
  }
  // keyset paging: seek past the cursor in the (screen_id, column) index, however deep. SQLite puts
  // NULLs first ascending and last descending, and a row-value comparison never matches a NULL, so
  // the NULL block is its own segment, read before (ascending) or after (descending) the values.
  const cursor = { ...page, afterValue: q.after.value, afterId: q.after.id };
  const idOrder = `${id} ${direction}`;
  const cmp = s.descending ? '<' : '>';
  const segments: [string, string][] = [];
  if (q.after.value === null) {
    segments.push([` AND ${column} IS NULL AND ${id} ${cmp} @afterId`, idOrder]);
    if (!s.descending) segments.push([` AND ${column} IS NOT NULL`, sorted]);
  } else {
    segments.push([` AND (${column}, ${id}) ${cmp} (@afterValue, @afterId)`, sorted]);
    if (s.descending) segments.push([` AND ${column} IS NULL`, idOrder]);
  }
  const rows: RawCandidateRow[] = [];
  let skip = offset;
  for (const [extra, order] of segments) {
    if (rows.length >= limit) break;
    const got = select(extra, order, { ...cursor, limit: limit - rows.length + skip, offset: 0 });
    for (let k = skip; k < got.length; k += 1) rows.push(got[k]!); // no spread: a page after a large offset is long
    skip = Math.max(0, skip - got.length);
  }
  return { total, exact: totalIsExact, rows: rows.slice(0, limit).map(rowFromRaw) };
}

/** The rows of a page found by its ids, in that order (one prepared statement for the page). */
function candidatesByIds(db: Database.Database, ids: readonly number[]): CandidateRow[] {
  const byId = db.prepare(`${candidateSelect(db)} FROM ${CANDIDATE_JOIN} WHERE c.id = ?`);
  return ids.map((id) => rowFromRaw(byId.get(id) as RawCandidateRow));
}
