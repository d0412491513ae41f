/**
 * Merges libraries (e.g. the shards of one screen run as a job array) into one. Screens with the same
 * inputs and model, shard aside, become one screen; candidates are keyed by (screen, seq), so a
 * candidate present in two inputs is stored once.
 */
import type Database from 'better-sqlite3';
import { LATER_COLUMNS } from './query.js';

interface SourceScreen {
  id: number;
  inputs_json: string;
  model_id: string;
  status: string;
  total: number | null;
  done: number;
}

function withoutShard(inputsJson: string): string {
  const inputs = JSON.parse(inputsJson) as Record<string, unknown>;
  return JSON.stringify({ ...inputs, shard: null });
}

export interface MergeResult {
  readonly screens: number;
  readonly candidates: number;
}

/** Merges `sources` into `db`; `createScreen` makes a screen row in the target for inputs it lacks. */
export function mergeInto(db: Database.Database, createScreen: (inputs: unknown, modelId: string) => number, sources: readonly string[]): MergeResult {
  let added = 0;
  const touched = new Map<number, { total: number; complete: boolean }>();
  sources.forEach((file, k) => {
    const alias = `src${k}`;
    db.prepare(`ATTACH DATABASE ? AS ${alias}`).run(file);
    try {
      // columns added by later migrations are copied when the source has them (an older file leaves them NULL: checked again after opening)
      const has = new Set((db.prepare(`PRAGMA ${alias}.table_info(predictions)`).all() as { name: string }[]).map((c) => c.name));
      const later = LATER_COLUMNS.map((c) => (has.has(c) ? `p.${c}` : 'NULL')).join(', ');
      db.transaction(() => {
        db.exec(`INSERT OR IGNORE INTO models SELECT * FROM ${alias}.models`);
        for (const s of db.prepare(`SELECT id, inputs_json, model_id, status, total, done FROM ${alias}.screens`).all() as SourceScreen[]) {
          const inputs = withoutShard(s.inputs_json);
          const existing = db.prepare('SELECT id FROM screens WHERE inputs_json = ? AND model_id = ? AND shard IS NULL').get(inputs, s.model_id) as { id: number } | undefined;
          const targetId = existing?.id ?? createScreen(JSON.parse(inputs), s.model_id);
          const t = touched.get(targetId) ?? { total: 0, complete: true };
          touched.set(targetId, { total: t.total + (s.total ?? s.done), complete: t.complete && s.status === 'done' });
          const r = db
            .prepare(
              `INSERT OR IGNORE INTO candidates (screen_id, seq, formula, elements, sites_json, oxidation_json, t, mu, tau)
               SELECT ?, seq, formula, elements, sites_json, oxidation_json, t, mu, tau FROM ${alias}.candidates WHERE screen_id = ?`,
            )
            .run(targetId, s.id);
          added += r.changes;
          db.prepare(
            `INSERT OR IGNORE INTO predictions
             (candidate_id, model_id, band_gap, band_gap_sigma, p_stable, p_stable_spread, stable, other_json, screen_id, elements0, elements1, elements2, known, domain_distance, in_domain, gap_expt, gap_expt_sigma, e_hull, e_hull_sigma)
             SELECT c2.id, p.model_id, p.band_gap, p.band_gap_sigma, p.p_stable, p.p_stable_spread, p.stable, p.other_json, c2.screen_id, p.elements0, p.elements1, p.elements2, ${later}
             FROM ${alias}.predictions p JOIN ${alias}.candidates c ON c.id = p.candidate_id
             JOIN candidates c2 ON c2.screen_id = ? AND c2.seq = c.seq WHERE c.screen_id = ?`,
          ).run(targetId, s.id);
        }
      })();
    } finally {
      db.prepare(`DETACH DATABASE ${alias}`).run();
    }
  });
  // a merged screen is done only when every part was; otherwise it stays resumable shard by shard
  for (const [id, t] of touched) {
    const n = (db.prepare('SELECT count(*) AS n FROM candidates WHERE screen_id = ?').get(id) as { n: number }).n;
    db.prepare('UPDATE screens SET done = ?, total = ?, status = ?, updated_at = ? WHERE id = ?').run(n, Math.max(n, t.total), t.complete ? 'done' : 'cancelled', new Date().toISOString(), id);
  }
  return { screens: touched.size, candidates: added };
}
