/**
 * Imported results: computed or measured values for candidates, stored in their own table beside the
 * predictions (never over them), read back with a page's rows, the scatter and the export.
 * (Internal to the library: callers use Library.)
 */
import type Database from 'better-sqlite3';
import type { CandidateFilters } from '../../shared/api/contract.js';
import type { ImportedResult, ScatterData } from '../../shared/api/types.js';
import { whereClause } from './query.js';

/** One value to store, already matched to its candidate (the time of import is the library's). */
export interface ResultRecord extends Omit<ImportedResult, 'importedAt'> {
  readonly candidateId: number;
  readonly screenId: number;
}

interface RawResult {
  candidate_id: number;
  target: string;
  value: number;
  source: string;
  formula: string;
  file: string;
  line: number;
  imported_at: string;
}

const fromRaw = (r: RawResult): ImportedResult => ({ target: r.target, value: r.value, source: r.source, formula: r.formula, file: r.file, line: r.line, importedAt: r.imported_at });

/** Stores the values in one transaction; the same value from the same source for the same candidate is kept once. */
export function addResults(db: Database.Database, records: readonly ResultRecord[]): { added: number; duplicates: number } {
  const insert = db.prepare('INSERT OR IGNORE INTO results (candidate_id, screen_id, target, value, source, formula, file, line, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const now = new Date().toISOString();
  let added = 0;
  db.transaction(() => {
    for (const r of records) added += insert.run(r.candidateId, r.screenId, r.target, r.value, r.source, r.formula, r.file, r.line, now).changes;
  })();
  return { added, duplicates: records.length - added };
}

function byCandidate(rows: readonly RawResult[]): Map<number, ImportedResult[]> {
  const out = new Map<number, ImportedResult[]>();
  for (const r of rows) (out.get(r.candidate_id) ?? out.set(r.candidate_id, []).get(r.candidate_id)!).push(fromRaw(r));
  return out;
}

/** The imported values of some candidates, by candidate id (one query for a page). */
export function resultsOf(db: Database.Database, candidateIds: readonly number[]): Map<number, ImportedResult[]> {
  if (!candidateIds.length) return new Map();
  // ids are integers from the library; inlined because SQLite has no array parameters
  return byCandidate(db.prepare(`SELECT * FROM results WHERE candidate_id IN (${candidateIds.map((id) => Math.trunc(id)).join(',')}) ORDER BY id`).all() as RawResult[]);
}

/** Every imported value of a screen, by candidate id, oldest first (none for a file from before migration 10). */
export function resultsOfScreen(db: Database.Database, screenId: number): Map<number, ImportedResult[]> {
  if (!screenHasResults(db, screenId)) return new Map();
  return byCandidate(db.prepare('SELECT * FROM results WHERE screen_id = ? ORDER BY id').all(screenId) as RawResult[]);
}

/** Whether a screen has any imported value (pages of screens without any skip the lookup). */
export function screenHasResults(db: Database.Database, screenId: number): boolean {
  // a file opened read-only from before migration 10 has no results table: nothing imported
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'results'").get() === undefined) return false;
  return db.prepare('SELECT 1 FROM results WHERE screen_id = ? LIMIT 1').get(screenId) !== undefined;
}

/** The matches with an imported value of `target` (the band gap), at most `limit`: the scatter draws them apart. */
export function importedPoints(db: Database.Database, filters: CandidateFilters, target: string | null, limit = 5000): ScatterData['imported'] {
  const empty = { ids: [], gap: [], pStable: [], formulas: [], sources: [] };
  if (target === null || !screenHasResults(db, filters.screenId)) return empty;
  const { sql: where, params } = whereClause(filters);
  const rows = db
    .prepare(`SELECT r.candidate_id AS id, r.value, r.source, c.formula, p.p_stable FROM results r JOIN candidates c ON c.id = r.candidate_id JOIN predictions p ON p.candidate_id = c.id WHERE r.screen_id = @screenId AND r.target = @target AND ${where} ORDER BY r.id LIMIT ${limit}`)
    .all({ ...params, target }) as { id: number; value: number; source: string; formula: string; p_stable: number | null }[];
  return { ids: rows.map((r) => r.id), gap: rows.map((r) => r.value), pStable: rows.map((r) => r.p_stable ?? 0), formulas: rows.map((r) => r.formula), sources: rows.map((r) => r.source) };
}
