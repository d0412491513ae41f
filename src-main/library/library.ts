/**
 * The candidate library: one SQLite file per workspace (better-sqlite3), WAL, numbered migrations.
 * Screens, their candidates and predictions; bulk writes in transactions, so a killed process leaves
 * a consistent file whose screen resumes where its last committed batch ended.
 *
 * The library is behind a door: the database handle is private and every SQL statement is built
 * here or in this folder's helpers. Readers get `ReadableLibrary`; only `Library` writes.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { screenInputsSchema, type CandidateFilters, type ScreenInputs } from '../../shared/api/contract.js';
import type { Histogram, ImportedResult, ModelRoles, ScatterData } from '../../shared/api/types.js';
import { SCREEN_STATUSES, type ScreenStatus } from '../../shared/api/runtime.js';
import type { ModelCard } from '../engine/model/card.js';
import { modelRoles } from '../engine/model/roles.js';
import { writeCsv, type ExportModel } from './export.js';
import { mergeInto, type MergeResult } from './merge.js';
import { elementMask, MIGRATIONS } from './migrations.js';
import { CANDIDATE_JOIN, candidateSelect, queryCandidates, type CandidateQuery, type QueryResult } from './query.js';
import { PredictionBlock, RankColumns } from './rank-columns.js';
import { rowFromRaw, type CandidateRecord, type RawCandidateRow, type StoredCandidate, type StoredPrediction } from './records.js';
import { gapHistogram, scatterSample } from './statistics.js';
import { addResults, importedPoints, resultsOf, resultsOfScreen, screenHasResults, type ResultRecord } from './results.js';

export interface ScreenRow {
  readonly id: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly status: ScreenStatus;
  readonly inputs: ScreenInputs;
  readonly modelId: string;
  readonly shard: string | null;
  readonly total: number | null;
  readonly done: number;
  readonly error: string | null;
  /** Given by the user; null until then. */
  readonly name: string | null;
  readonly note: string | null;
}

/** Page cache of a connection that writes (KiB; SQLite's default is 2,000): see Library.open. */
const WRITER_CACHE_KIB = 262_144;

export class LibraryError extends Error {
  override name = 'LibraryError';
}

/** Another live process (or another run in this one) is running the screen. */
export class ScreenBusyError extends Error {
  override name = 'ScreenBusyError';
}

interface Runner {
  readonly host: string;
  readonly pid: number;
  readonly token: string;
  readonly since: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A runner holds its screen while its process lives (same host); on another host, for a day without news. */
function holds(r: Runner): boolean {
  if (r.host === hostname()) return processAlive(r.pid);
  return Date.now() - Date.parse(r.since) < 24 * 3600 * 1000;
}

interface RawScreen {
  id: number;
  created_at: string;
  updated_at: string;
  status: string;
  inputs_json: string;
  model_id: string;
  shard: string | null;
  total: number | null;
  done: number;
  error: string | null;
  name: string | null;
  note: string | null;
}

/** What every reader of a library may do: read screens and candidates, never write. */
export interface ReadableLibrary {
  readonly file: string;
  readonly schemaVersion: number;
  screen(id: number): ScreenRow;
  screens(): ScreenRow[];
  query(q: CandidateQuery): QueryResult;
  prefetchRanking(screenId: number): void;
  rankingColumnsReady(screenId: number): boolean;
  screenModelRoles(screenId: number): ModelRoles;
  screenModelTargets(screenId: number): { readonly regression: readonly string[]; readonly classification: string | null };
  histogram(filters: CandidateFilters, bins: number): Histogram;
  scatter(filters: CandidateFilters, maxPoints: number, window: readonly [number, number]): ScatterData;
  /** A value the workspace keeps (the design being edited, the shortlist); null when never saved. */
  state(key: string): unknown;
  /** A candidate by id, with its screen; null when there is none. */
  candidate(id: number): StoredCandidate | null;
  /** The values imported for a candidate (oldest first). */
  importedResults(candidateId: number): ImportedResult[];
  /**
   * The candidates of a screen made of exactly these elements (an index seek on the element masks):
   * where imported formulas are matched by composition.
   */
  candidatesWithElements(screenId: number, elements: readonly string[]): { id: number; formula: string; sitesJson: string }[];
  /** The candidates of a screen that have imported values, with them. */
  candidatesWithImports(screenId: number): { id: number; formula: string; sitesJson: string; imported: ImportedResult[] }[];
  /** The matches of `filters` as a shortlist CSV, streamed into `out` (ended when done). */
  exportCsv(filters: CandidateFilters, out: Writable, notes?: Readonly<Record<string, string>>, knownRecords?: ExportModel['knownRecords']): Promise<number>;
  close(): void;
}

export class Library implements ReadableLibrary {
  readonly #db: Database.Database;
  /** The last ranked screen's predictions in typed arrays (made on the first ranking). */
  #rankColumns: RankColumns | undefined;

  private constructor(
    readonly file: string,
    db: Database.Database,
  ) {
    this.#db = db;
  }

  /** Opens (and creates or migrates) a library for reading and writing. */
  static open(file: string): Library {
    mkdirSync(dirname(file), { recursive: true });
    const library = new Library(file, Library.connect(file, false));
    library.#db.pragma('journal_mode = WAL');
    library.#db.pragma('synchronous = NORMAL');
    library.#db.pragma('foreign_keys = ON');
    // a screen inserts into a dozen indexes at random keys: SQLite's default 2 MiB page cache re-reads
    // their pages on every transaction (1M-candidate screen: 7,718 against 5,693 candidates/s, docs/benchmarks.md)
    library.#db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
    library.migrate();
    return library;
  }

  /** Opens an existing library read-only. */
  static openReadonly(file: string): ReadableLibrary {
    return new Library(file, Library.connect(file, true));
  }

  private static connect(file: string, readonly: boolean): Database.Database {
    let db: Database.Database;
    try {
      db = new Database(file, { readonly, fileMustExist: readonly });
      db.pragma('schema_version'); // reads the header: "file is not a database" surfaces here
    } catch (e) {
      throw new LibraryError(`cannot open library ${file}: ${(e as Error).message}`);
    }
    // damaged pages must not answer queries silently: check the structure once when opening
    let problems: string[];
    try {
      const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
      problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    } catch (e) {
      problems = [(e as Error).message];
    }
    if (problems.length) {
      db.close();
      throw new LibraryError(`library ${file} is damaged (${problems.slice(0, 3).join('; ')}); restore it from a backup or screen again into a new file`);
    }
    return db;
  }

  get schemaVersion(): number {
    return this.#db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion;
    if (current > MIGRATIONS.length) throw new LibraryError(`${this.file} has schema ${current}, newer than this workbench (${MIGRATIONS.length})`);
    for (let v = current; v < MIGRATIONS.length; v += 1) {
      this.#db.transaction(() => {
        this.#db.exec(MIGRATIONS[v]!);
        this.#db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private screenFromRaw(r: RawScreen): ScreenRow {
    if (!(SCREEN_STATUSES as readonly string[]).includes(r.status)) throw new LibraryError(`${this.file}: screen ${r.id} has an unknown status '${r.status}'`);
    let inputs: ScreenInputs;
    try {
      inputs = screenInputsSchema.parse(JSON.parse(r.inputs_json));
    } catch (e) {
      throw new LibraryError(`${this.file}: the inputs of screen ${r.id} are not valid screen inputs (${(e as Error).message.split('\n')[0]})`);
    }
    return { id: r.id, createdAt: r.created_at, updatedAt: r.updated_at, status: r.status as ScreenStatus, inputs, modelId: r.model_id, shard: r.shard, total: r.total, done: r.done, error: r.error, name: r.name, note: r.note };
  }

  /** Registers a model (idempotent by id). */
  upsertModel(card: Omit<ModelCard, 'weights'>, dir: string): void {
    this.#db
      .prepare('INSERT INTO models (id, name, dir, card_json, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET dir = excluded.dir')
      .run(card.id, card.name, dir, JSON.stringify({ ...card, weights: undefined }), card.createdAt);
  }

  createScreen(inputs: ScreenInputs, modelId: string, shard: string | null, total: number | null): number {
    const now = new Date().toISOString();
    const r = this.#db
      .prepare("INSERT INTO screens (created_at, updated_at, status, inputs_json, model_id, shard, total) VALUES (?, ?, 'pending', ?, ?, ?, ?)")
      .run(now, now, JSON.stringify(screenInputsSchema.parse(inputs)), modelId, shard, total);
    return Number(r.lastInsertRowid);
  }

  screen(id: number): ScreenRow {
    const r = this.#db.prepare('SELECT * FROM screens WHERE id = ?').get(id) as RawScreen | undefined;
    if (!r) throw new LibraryError(`no screen ${id} in ${this.file}`);
    return this.screenFromRaw(r);
  }

  screens(): ScreenRow[] {
    return (this.#db.prepare('SELECT * FROM screens ORDER BY id').all() as RawScreen[]).map((r) => this.screenFromRaw(r));
  }

  /**
   * Claims a screen for this run: refused (ScreenBusyError) while another live runner holds it, in any
   * process. The claim is a row value, so it is seen by every process that opens the file; a killed
   * runner's claim lapses with its process. Returns the token that releases it.
   */
  claimRunner(id: number): string {
    const token = randomBytes(8).toString('hex');
    this.#db.transaction(() => {
      const raw = this.#db.prepare('SELECT runner_json FROM screens WHERE id = ?').pluck().get(id) as string | null | undefined;
      if (raw === undefined) throw new LibraryError(`no screen ${id} in ${this.file}`);
      if (raw !== null) {
        const r = JSON.parse(raw) as Runner;
        if (holds(r)) throw new ScreenBusyError(`screen ${id} is already running (process ${r.pid} on ${r.host}, since ${r.since}); wait for it or cancel it there`);
      }
      const runner: Runner = { host: hostname(), pid: process.pid, token, since: new Date().toISOString() };
      this.#db.prepare('UPDATE screens SET runner_json = ? WHERE id = ?').run(JSON.stringify(runner), id);
    }).immediate();
    return token;
  }

  releaseRunner(id: number, token: string): void {
    this.#db.prepare("UPDATE screens SET runner_json = NULL WHERE id = ? AND json_extract(runner_json, '$.token') = ?").run(id, token);
  }

  /** Names or annotates a screen (null clears). */
  describeScreen(id: number, text: { readonly name?: string | null; readonly note?: string | null }): ScreenRow {
    this.screen(id); // "no screen N"
    if (text.name !== undefined) this.#db.prepare('UPDATE screens SET name = ? WHERE id = ?').run(text.name, id);
    if (text.note !== undefined) this.#db.prepare('UPDATE screens SET note = ? WHERE id = ?').run(text.note, id);
    return this.screen(id);
  }

  state(key: string): unknown {
    const raw = this.#db.prepare('SELECT value_json FROM workspace_state WHERE key = ?').pluck().get(key) as string | undefined;
    return raw === undefined ? null : (JSON.parse(raw) as unknown);
  }

  setState(key: string, value: unknown): void {
    this.#db
      .prepare('INSERT INTO workspace_state (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(value), new Date().toISOString());
  }

  setStatus(id: number, status: ScreenStatus, error: string | null = null): void {
    this.#db.prepare('UPDATE screens SET status = ?, error = ?, updated_at = ? WHERE id = ?').run(status, error, new Date().toISOString(), id);
  }

  /**
   * Stores one batch of candidates and their predictions and advances the screen's `done` counter,
   * all in one transaction: after a crash either the whole batch is there or none of it.
   */
  writeBatch(screenId: number, modelId: string, candidates: readonly CandidateRecord[], predictions: readonly StoredPrediction[], done: number): void {
    if (predictions.length !== candidates.length) throw new LibraryError(`a batch of ${candidates.length} candidates came with ${predictions.length} predictions`);
    const insertCandidate = this.#db.prepare(
      'INSERT INTO candidates (screen_id, seq, formula, elements, sites_json, oxidation_json, t, mu, tau) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertPrediction = this.#db.prepare(
      'INSERT INTO predictions (candidate_id, model_id, band_gap, band_gap_sigma, p_stable, p_stable_spread, stable, other_json, screen_id, elements0, elements1, elements2, known, domain_distance, in_domain, gap_expt, gap_expt_sigma, e_hull, e_hull_sigma) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const advance = this.#db.prepare("UPDATE screens SET done = ?, updated_at = ?, status = 'running' WHERE id = ?");
    const insertBlock = this.#db.prepare('INSERT INTO prediction_blocks (screen_id, first_candidate_id, rows, data) VALUES (?, ?, ?, ?)');
    const block = new PredictionBlock(candidates.length);
    this.#db.transaction(() => {
      candidates.forEach((c, i) => {
        const r = insertCandidate.run(screenId, c.seq, c.formula, `,${c.elements.join(',')},`, c.sitesJson, c.oxidationJson, c.t, c.mu, c.tau);
        const p = predictions[i]!;
        insertPrediction.run(
          r.lastInsertRowid,
          modelId,
          p.bandGap?.value ?? null,
          p.bandGap?.sigma ?? null,
          p.stability?.probability ?? null,
          p.stability?.spread ?? null,
          p.stability ? (p.stability.decision ? 1 : 0) : null,
          Object.keys(p.other).length ? JSON.stringify(p.other) : null,
          screenId,
          ...elementMask(c.elements),
          c.known,
          p.domain?.distance ?? null,
          p.domain ? (p.domain.inDomain ? 1 : 0) : null,
          p.experimentalGap?.value ?? null,
          p.experimentalGap?.sigma ?? null,
          p.energyAboveHull?.value ?? null,
          p.energyAboveHull?.sigma ?? null,
        );
        block.set(i, Number(r.lastInsertRowid), p);
      });
      if (candidates.length) insertBlock.run(screenId, block.firstId, candidates.length, block.bytes());
      advance.run(done, new Date().toISOString(), screenId);
    })();
  }

  /** Whether any candidate awaits the known-compound check (an index lookup: the partial index holds only those). */
  hasUncheckedKnown(): boolean {
    return this.#db.prepare('SELECT 1 FROM predictions INDEXED BY predictions_known_unchecked WHERE known IS NULL LIMIT 1').get() !== undefined;
  }

  /**
   * Marks the candidates not checked against the known compounds yet (screened before migration 9, or
   * without the index): `maskOf` gets a candidate's sites as stored and answers its sources' mask.
   * Works in chunks, each its own transaction; answers how many rows it marked.
   */
  fillKnown(maskOf: (sitesJson: string) => number): number {
    const next = this.#db.prepare('SELECT p.candidate_id AS id, c.sites_json AS sites FROM predictions p INDEXED BY predictions_known_unchecked JOIN candidates c ON c.id = p.candidate_id WHERE p.known IS NULL LIMIT 5000');
    const mark = this.#db.prepare('UPDATE predictions SET known = ? WHERE candidate_id = ?');
    let marked = 0;
    for (;;) {
      const rows = next.all() as { id: number; sites: string }[];
      if (!rows.length) return marked;
      this.#db.transaction(() => {
        for (const r of rows) mark.run(maskOf(r.sites), r.id);
      })();
      marked += rows.length;
    }
  }

  /** Stores imported values beside the predictions (the same value from the same source once). */
  addResults(records: readonly ResultRecord[]): { added: number; duplicates: number } {
    return addResults(this.#db, records);
  }

  importedResults(candidateId: number): ImportedResult[] {
    return resultsOf(this.#db, [candidateId]).get(candidateId) ?? [];
  }

  candidatesWithElements(screenId: number, elements: readonly string[]): { id: number; formula: string; sitesJson: string }[] {
    const [m0, m1, m2] = elementMask(elements);
    return this.#db
      .prepare('SELECT c.id, c.formula, c.sites_json AS sitesJson FROM predictions p JOIN candidates c ON c.id = p.candidate_id WHERE p.screen_id = ? AND p.elements0 = ? AND p.elements1 = ? AND p.elements2 = ?')
      .all(screenId, m0, m1, m2) as { id: number; formula: string; sitesJson: string }[];
  }

  candidatesWithImports(screenId: number): { id: number; formula: string; sitesJson: string; imported: ImportedResult[] }[] {
    const rows = this.#db.prepare('SELECT DISTINCT c.id, c.formula, c.sites_json AS sitesJson FROM results r JOIN candidates c ON c.id = r.candidate_id WHERE r.screen_id = ? ORDER BY c.id').all(screenId) as { id: number; formula: string; sitesJson: string }[];
    const imported = resultsOfScreen(this.#db, screenId);
    return rows.map((r) => ({ ...r, imported: imported.get(r.id) ?? [] }));
  }

  private rankColumns(): RankColumns {
    return (this.#rankColumns ??= new RankColumns(this.#db, this.file));
  }

  /** Reads a screen's prediction columns in a worker thread ahead of a ranking (see rank-columns.ts). */
  prefetchRanking(screenId: number): void {
    this.rankColumns().prefetch(screenId);
  }

  /** The roles (band gap, stability: target, unit, meaning) of the model that screened a screen. */
  screenModelRoles(screenId: number): ModelRoles {
    const row = this.#db.prepare('SELECT m.card_json FROM screens s JOIN models m ON m.id = s.model_id WHERE s.id = ?').pluck().get(screenId) as string | undefined;
    return row === undefined ? { bandGap: null, stability: null } : storedRoles(row);
  }

  /** Every target of the model that screened a screen (regression targets, then the yes/no one). */
  screenModelTargets(screenId: number): { readonly regression: readonly string[]; readonly classification: string | null } {
    const row = this.#db.prepare('SELECT m.card_json FROM screens s JOIN models m ON m.id = s.model_id WHERE s.id = ?').pluck().get(screenId) as string | undefined;
    try {
      const config = (JSON.parse(row ?? '{}') as Partial<Pick<ModelCard, 'config'>>).config;
      return { regression: config?.regressionTargets ?? [], classification: config?.classificationTarget ?? null };
    } catch {
      return { regression: [], classification: null };
    }
  }

  /** Whether a ranking of this screen would find its prediction columns in memory (diagnostics, tests). */
  rankingColumnsReady(screenId: number): boolean {
    return this.#rankColumns?.holds(screenId) ?? false;
  }

  query(q: CandidateQuery): QueryResult {
    const result = queryCandidates(this.#db, q, this.rankColumns());
    if (!screenHasResults(this.#db, q.screenId)) return result;
    // the page's imported values, in one lookup
    const imported = resultsOf(this.#db, result.rows.map((r) => r.id));
    return { ...result, rows: result.rows.map((r) => (imported.has(r.id) ? { ...r, imported: imported.get(r.id)! } : r)) };
  }

  histogram(filters: CandidateFilters, bins: number): Histogram {
    return gapHistogram(this.#db, filters, bins);
  }

  scatter(filters: CandidateFilters, maxPoints: number, window: readonly [number, number]): ScatterData {
    return { ...scatterSample(this.#db, filters, maxPoints, window), imported: importedPoints(this.#db, filters, this.screenModelRoles(filters.screenId).bandGap?.target ?? null) };
  }

  candidate(id: number): StoredCandidate | null {
    const raw = this.#db.prepare(`${candidateSelect(this.#db)}, c.screen_id FROM ${CANDIDATE_JOIN} WHERE c.id = ?`).get(id) as (RawCandidateRow & { screen_id: number }) | undefined;
    if (!raw) return null;
    const { screen_id: screenId, ...row } = raw;
    return { screenId, row: rowFromRaw(row) };
  }

  async exportCsv(filters: CandidateFilters, out: Writable, notes: Readonly<Record<string, string>> = {}, knownRecords?: ExportModel['knownRecords']): Promise<number> {
    const model = this.#db.prepare('SELECT m.id, m.name, m.created_at AS createdAt FROM screens s JOIN models m ON m.id = s.model_id WHERE s.id = ?').get(filters.screenId) as
      | { id: string; name: string; createdAt: string }
      | undefined;
    if (!model) {
      out.end();
      throw new LibraryError(`no screen ${filters.screenId} in ${this.file}`);
    }
    const roles = this.screenModelRoles(filters.screenId);
    return writeCsv(this.#db, filters, { ...model, bandGapMeaning: roles.bandGap?.meaning ?? '', stableMeaning: roles.stability?.meaning ?? '', experimentalGapMeaning: roles.experimentalGap?.meaning ?? '', energyAboveHullMeaning: roles.energyAboveHull?.meaning ?? '', ...(knownRecords ? { knownRecords } : {}) }, out, notes);
  }

  /** Merges other library files (e.g. the shards of a job array) into this one, without duplicates. */
  merge(sources: readonly string[]): MergeResult {
    return mergeInto(this.#db, (inputs, modelId) => this.createScreen(screenInputsSchema.parse(inputs), modelId, null, null), sources);
  }

  close(): void {
    this.#rankColumns?.close();
    this.#db.close();
  }
}

/** The roles of a model as registered with a screen (its stored card); none when the card cannot be read. */
function storedRoles(cardJson: string): ModelRoles {
  try {
    const card = JSON.parse(cardJson) as Pick<ModelCard, 'roles' | 'config' | 'targets'> & { readonly ensemble?: Pick<ModelCard['ensemble'], 'zeroBelow'> };
    return modelRoles(card);
  } catch {
    return { bandGap: null, stability: null };
  }
}
