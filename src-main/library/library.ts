/**
 * The candidate library: one SQLite file per workspace (better-sqlite3), WAL, numbered migrations.
 * Screens, their candidates and predictions; bulk writes in transactions, so a killed process leaves
 * a consistent file whose screen resumes where its last committed batch ended.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ModelCard } from '../engine/model/card.js';
import type { Prediction } from '../engine/model/predictor.js';
import type { Candidate } from '../enumerate/types.js';
import { elementMask, MIGRATIONS } from './migrations.js';

export type ScreenStatus = 'pending' | 'running' | 'cancelled' | 'done' | 'failed';

export interface ScreenRow {
  readonly id: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly status: ScreenStatus;
  readonly inputs: unknown;
  readonly modelId: string;
  readonly shard: string | null;
  readonly total: number | null;
  readonly done: number;
  readonly error: string | null;
}

export class LibraryError extends Error {
  override name = 'LibraryError';
}

interface RawScreen {
  id: number;
  created_at: string;
  updated_at: string;
  status: ScreenStatus;
  inputs_json: string;
  model_id: string;
  shard: string | null;
  total: number | null;
  done: number;
  error: string | null;
}

function screenFromRaw(r: RawScreen): ScreenRow {
  return { id: r.id, createdAt: r.created_at, updatedAt: r.updated_at, status: r.status, inputs: JSON.parse(r.inputs_json), modelId: r.model_id, shard: r.shard, total: r.total, done: r.done, error: r.error };
}

export class Library {
  readonly db: Database.Database;

  constructor(readonly file: string, options: { readonly readonly?: boolean } = {}) {
    if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
    try {
      this.db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (e) {
      throw new LibraryError(`cannot open library ${file}: ${(e as Error).message}`);
    }
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion;
    if (current > MIGRATIONS.length) throw new LibraryError(`${this.file} has schema ${current}, newer than this workbench (${MIGRATIONS.length})`);
    for (let v = current; v < MIGRATIONS.length; v += 1) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /** Registers a model (idempotent by id). */
  upsertModel(card: ModelCard, dir: string): void {
    this.db
      .prepare('INSERT INTO models (id, name, dir, card_json, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET dir = excluded.dir')
      .run(card.id, card.name, dir, JSON.stringify({ ...card, weights: undefined }), card.createdAt);
  }

  createScreen(inputs: unknown, modelId: string, shard: string | null, total: number | null): number {
    const now = new Date().toISOString();
    const r = this.db
      .prepare("INSERT INTO screens (created_at, updated_at, status, inputs_json, model_id, shard, total) VALUES (?, ?, 'pending', ?, ?, ?, ?)")
      .run(now, now, JSON.stringify(inputs), modelId, shard, total);
    return Number(r.lastInsertRowid);
  }

  screen(id: number): ScreenRow {
    const r = this.db.prepare('SELECT * FROM screens WHERE id = ?').get(id) as RawScreen | undefined;
    if (!r) throw new LibraryError(`no screen ${id} in ${this.file}`);
    return screenFromRaw(r);
  }

  screens(): ScreenRow[] {
    return (this.db.prepare('SELECT * FROM screens ORDER BY id').all() as RawScreen[]).map(screenFromRaw);
  }

  setStatus(id: number, status: ScreenStatus, error: string | null = null): void {
    this.db.prepare('UPDATE screens SET status = ?, error = ?, updated_at = ? WHERE id = ?').run(status, error, new Date().toISOString(), id);
  }

  /**
   * Stores one batch of candidates and their predictions and advances the screen's `done` counter,
   * all in one transaction: after a crash either the whole batch is there or none of it.
   */
  writeBatch(screenId: number, modelId: string, candidates: readonly Candidate[], predictions: readonly Prediction[], done: number): void {
    const insertCandidate = this.db.prepare(
      'INSERT INTO candidates (screen_id, seq, formula, elements, sites_json, oxidation_json, t, mu, tau) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertPrediction = this.db.prepare(
      'INSERT INTO predictions (candidate_id, model_id, band_gap, band_gap_sigma, p_stable, p_stable_spread, stable, other_json, screen_id, elements0, elements1, elements2) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const advance = this.db.prepare("UPDATE screens SET done = ?, updated_at = ?, status = 'running' WHERE id = ?");
    this.db.transaction(() => {
      candidates.forEach((c, i) => {
        const symbols = [...new Set(c.sites.flatMap((s) => s.species.map((sp) => sp.element)))];
        const elements = `,${symbols.join(',')},`;
        const r = insertCandidate.run(screenId, c.seq, c.formula, elements, JSON.stringify(c.sites), JSON.stringify(c.oxidationStates), c.tolerance, c.octahedral, c.tau);
        const p = predictions[i]!;
        const gap = p.regression['band_gap'];
        const others = Object.fromEntries(Object.entries(p.regression).filter(([k]) => k !== 'band_gap'));
        insertPrediction.run(
          r.lastInsertRowid,
          modelId,
          gap?.value ?? null,
          gap?.sigma ?? null,
          p.classification?.probability ?? null,
          p.classification?.spread ?? null,
          p.classification ? (p.classification.decision ? 1 : 0) : null,
          Object.keys(others).length ? JSON.stringify(others) : null,
          screenId,
          ...elementMask(symbols),
        );
      });
      advance.run(done, new Date().toISOString(), screenId);
    })();
  }

  close(): void {
    this.db.close();
  }
}
