// Keyset paging (`after`) walks the same rows as OFFSET paging, in the same order, for every sort
// column and direction, through ties and NULLs (a NULL tau or band gap).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SORT_COLUMNS, sortValueOf, type CandidateFilters } from '../../../shared/api/contract.js';
import { readModelCard } from '../../../src-main/engine/model/bundle.js';
import { Library, type CandidateRecord, type StoredPrediction } from '../../../src-main/library/index.js';

const modelDir = join(import.meta.dirname, '..', '..', '..', 'resources', 'models', 'default');
const dir = mkdtempSync(join(tmpdir(), 'pdw-keyset-'));
let library: Library;
const N = 700;

beforeAll(() => {
  library = Library.open(join(dir, 'keyset.sqlite'));
  const card = readModelCard(modelDir);
  library.upsertModel(card, modelDir);
  const screenId = library.createScreen({ options: { sites: { A: ['Ca'], B: ['Ti'], X: ['O'] }, mixing: {}, double: false, maxElements: 6, oxidationStates: 'common', filters: { tolerance: null, octahedral: null, tauMax: null } }, modelDir, shard: null }, card.id, null, N);
  const sitesJson = JSON.stringify([{ site: 'A', species: [{ element: 'Ca', amount: 1 }] }]);
  const records: CandidateRecord[] = [];
  const predictions: StoredPrediction[] = [];
  for (let seq = 0; seq < N; seq += 1) {
    // few distinct values: many ties; every 9th tau and every 13th band gap missing
    records.push({ seq, formula: `F${seq % 37}`, elements: ['Ca', 'Ti', 'O'], sitesJson, oxidationJson: '{}', t: 0.9 + (seq % 5) / 100, mu: 0.4 + (seq % 3) / 100, tau: seq % 9 === 0 ? null : 3 + (seq % 11) / 10, known: null });
    predictions.push({ bandGap: seq % 13 === 0 ? null : { value: (seq % 17) / 4, sigma: 0.1 + (seq % 4) / 10 }, stability: { probability: (seq % 6) / 5, spread: (seq % 3) / 20, decision: true }, other: {} });
  }
  library.writeBatch(screenId, card.id, records, predictions, N);
});
afterAll(() => {
  library?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('keyset paging', () => {
  const filters: CandidateFilters[] = [{ screenId: 1 }, { screenId: 1, stableMin: 0.3 }];
  for (const f of filters) {
    for (const column of SORT_COLUMNS) {
      for (const descending of [false, true]) {
        it(`${column} ${descending ? 'descending' : 'ascending'}${f.stableMin !== undefined ? ', filtered' : ''}: the same rows as OFFSET pages`, () => {
          const sort = { column, descending };
          const byOffset = library.query({ ...f, sort, limit: N, offset: 0 }).rows.map((r) => r.id);
          const walked: number[] = [];
          let page = library.query({ ...f, sort, limit: 64, offset: 0 }).rows;
          while (page.length) {
            walked.push(...page.map((r) => r.id));
            const last = page.at(-1)!;
            page = library.query({ ...f, sort, limit: 64, offset: 0, after: { value: sortValueOf(last, column), id: last.id } }).rows;
          }
          expect(walked).toEqual(byOffset);
          // an offset counts from the cursor
          const first = library.query({ ...f, sort, limit: 10, offset: 0 }).rows;
          const skipped = library.query({ ...f, sort, limit: 5, offset: 3, after: { value: sortValueOf(first[4]!, column), id: first[4]!.id } }).rows.map((r) => r.id);
          expect(skipped).toEqual(byOffset.slice(8, 13));
        });
      }
    }
  }
});

describe('ranking from the cached prediction columns', () => {
  // a t window that keeps every row sends the same ranking through SQL
  const viaSql = { tolerance: [-10, 10] as [number, number] };
  const cases = [
    { mode: 'window' as const, window: [1.2, 1.8] as [number, number] },
    { mode: 'ucb' as const, window: [0.5, 1.5] as [number, number], kappa: 0.5 },
    { mode: 'pareto' as const, window: [1.2, 1.8] as [number, number] },
  ];
  for (const rank of cases) {
    for (const filter of [{}, { gap: [0.5, 3] as [number, number], stableMin: 0.2 }, { sigmaMax: 0.25 }]) {
      it(`${rank.mode}${Object.keys(filter).length ? ` with ${Object.keys(filter).join(', ')}` : ''}: the same pages as SQL`, () => {
        for (const [offset, limit] of [[0, 50], [37, 64], [600, 200]] as const) {
          const columns = library.query({ screenId: 1, ...filter, rank, limit, offset });
          const sql = library.query({ screenId: 1, ...filter, ...viaSql, rank, limit, offset });
          expect(columns.rows.map((r) => r.id)).toEqual(sql.rows.map((r) => r.id));
          columns.rows.forEach((r, i) => expect(r.score).toBeCloseTo(sql.rows[i]!.score!, 10));
          expect(columns.total).toBe(sql.total);
        }
      });
    }
  }

  it('reads the columns again when the screen grows', () => {
    const before = library.query({ screenId: 1, rank: cases[2]!, limit: 5, offset: 0 }).total;
    expect(before).toBe(N);
    const card = readModelCard(modelDir);
    library.writeBatch(1, card.id, [{ seq: N, formula: 'Late', elements: ['Ca'], sitesJson: '[]', oxidationJson: '{}', t: 1, mu: 0.5, tau: 3, known: 0 }], [{ bandGap: { value: 1.5, sigma: 0.01 }, stability: { probability: 1, spread: 0, decision: true }, other: {} }], N + 1);
    const after = library.query({ screenId: 1, rank: cases[0]!, limit: 1, offset: 0 });
    expect(after.rows[0]!.formula).toBe('Late'); // the new row, dead centre of the window with a tiny sigma, ranks first
    expect(library.query({ screenId: 1, rank: cases[2]!, limit: 5, offset: 0 }).total).toBe(N + 1);
  });
});

describe('reading the ranking columns ahead, in a worker thread', () => {
  it('fills the cache off the main thread, and rankings from it equal SQL', async () => {
    const other = Library.openReadonly(join(dir, 'keyset.sqlite'));
    try {
      expect(other.rankingColumnsReady(1)).toBe(false);
      other.prefetchRanking(1);
      for (let waited = 0; !other.rankingColumnsReady(1) && waited < 20_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      expect(other.rankingColumnsReady(1)).toBe(true);
      const rank = { mode: 'ucb' as const, window: [1, 2] as [number, number] };
      const cached = other.query({ screenId: 1, rank, limit: 30, offset: 0 }).rows.map((r) => r.id);
      expect(cached).toEqual(other.query({ screenId: 1, tolerance: [-10, 10], rank, limit: 30, offset: 0 }).rows.map((r) => r.id));
    } finally {
      other.close();
    }
  });
});

describe('the packed prediction blocks', () => {
  it('are used when they cover the screen, and a screen without them (older files, merged rows) ranks the same', async () => {
    const file = join(dir, 'keyset.sqlite');
    const withBlocks = Library.openReadonly(file);
    const rank = { mode: 'window' as const, window: [1, 2] as [number, number] };
    const fromBlocks = withBlocks.query({ screenId: 1, rank, limit: 40, offset: 10 }).rows.map((r) => [r.id, r.score]);
    withBlocks.close();
    const raw = new Database(file);
    expect(raw.prepare('SELECT sum(rows) FROM prediction_blocks WHERE screen_id = 1').pluck().get()).toBe(raw.prepare('SELECT count(*) FROM predictions WHERE screen_id = 1').pluck().get());
    raw.prepare('DELETE FROM prediction_blocks WHERE screen_id = 1').run(); // as a file written before the blocks
    raw.close();
    const without = Library.openReadonly(file);
    expect(without.query({ screenId: 1, rank, limit: 40, offset: 10 }).rows.map((r) => [r.id, r.score])).toEqual(fromBlocks);
    expect(without.query({ screenId: 1, tolerance: [-10, 10], rank, limit: 40, offset: 10 }).rows.map((r) => r.id)).toEqual(fromBlocks.map(([id]) => id));
    without.close();
    // a file from before the blocks table, opened read-only (not migrated), ranks too
    const old = new Database(file);
    old.exec(`DROP TABLE prediction_blocks; DROP TABLE results; DROP INDEX predictions_known_unchecked; DROP INDEX predictions_screen_rank;
      ALTER TABLE predictions DROP COLUMN known; ALTER TABLE predictions DROP COLUMN domain_distance; ALTER TABLE predictions DROP COLUMN in_domain;
      CREATE INDEX predictions_screen_rank ON predictions (screen_id, band_gap, band_gap_sigma, p_stable, p_stable_spread);`);
    old.pragma('user_version = 7');
    old.close();
    const readOnly = Library.openReadonly(file);
    const page = readOnly.query({ screenId: 1, rank, limit: 40, offset: 10 }).rows;
    expect(page.map((r) => [r.id, r.score])).toEqual(fromBlocks);
    expect(page.every((r) => r.known === null && r.domain === null && r.imported === undefined)).toBe(true); // columns it lacks read as not checked
    expect(readOnly.candidate(page[0]!.id)?.row.formula).toBe(page[0]!.formula);
    expect(readOnly.scatter({ screenId: 1 }, 100, [1, 2]).inDomain.every((v) => v === null)).toBe(true);
    readOnly.close();
  });
});
