// Scale is part of correctness: histogram, scatter and pages over a generated library of 1M candidates
// (no statistic may spread a whole column into a function call).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelCard } from '../../../src-main/engine/model/bundle.js';
import { Library, type CandidateRecord, type StoredPrediction } from '../../../src-main/library/index.js';

const N = 1_000_000;
const modelDir = join(import.meta.dirname, '..', '..', '..', 'resources', 'models', 'default');
const dir = mkdtempSync(join(tmpdir(), 'pdw-scale-'));
let library: Library;
let screenId = 0;

beforeAll(() => {
  library = Library.open(join(dir, 'million.sqlite'));
  library.upsertModel(readModelCard(modelDir), modelDir);
  screenId = library.createScreen(
    { options: { sites: { A: ['Ca'], B: ['Ti'], X: ['O'] }, mixing: {}, double: false, maxElements: 6, oxidationStates: 'common', filters: { tolerance: null, octahedral: null, tauMax: null } }, modelDir, shard: null },
    readModelCard(modelDir).id,
    null,
    N,
  );
  const sitesJson = JSON.stringify([{ site: 'A', species: [{ element: 'Ca', amount: 1 }] }, { site: 'B', species: [{ element: 'Ti', amount: 1 }] }, { site: 'X', species: [{ element: 'O', amount: 3 }] }]);
  const batch = 20_000;
  for (let from = 0; from < N; from += batch) {
    const records: CandidateRecord[] = [];
    const predictions: StoredPrediction[] = [];
    for (let seq = from; seq < from + batch; seq += 1) {
      records.push({ seq, formula: 'CaTiO3', elements: ['Ca', 'Ti', 'O'], sitesJson, oxidationJson: '{"Ca":2,"Ti":4,"O":-2}', t: 0.9 + (seq % 100) / 1000, mu: 0.43, tau: 3 + (seq % 50) / 25, known: seq % 4 === 0 ? 1 : 0 });
      predictions.push({ bandGap: { value: (seq % 700) / 100, sigma: 0.1 + (seq % 7) / 100 }, stability: { probability: (seq % 101) / 100, spread: 0.05, decision: seq % 2 === 0 }, other: {} });
    }
    library.writeBatch(screenId, readModelCard(modelDir).id, records, predictions, from + batch);
  }
}, 240_000);

afterAll(() => {
  library?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a 1M-candidate library', () => {
  it('gives a histogram of every band gap', () => {
    const h = library.histogram({ screenId }, 70);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(N);
    expect(h.edges.at(-1)).toBe(7);
    // bins of 0.1 eV hold 10 of the 700 gap values, each stored about N / 700 times
    for (const c of h.counts) expect(Math.abs(c - N / 70)).toBeLessThan(N / 700 + 20);
  });

  it('samples the scatter deterministically and bounded, filtered or not', () => {
    const s = library.scatter({ screenId }, 5000, [1.2, 1.8]);
    expect(s.total).toBe(N);
    expect(s.ids.length).toBeGreaterThan(4000);
    expect(s.ids.length).toBeLessThanOrEqual(5000);
    expect(library.scatter({ screenId }, 5000, [1.2, 1.8]).ids).toEqual(s.ids);
    const filtered = library.scatter({ screenId, tau: [3, 3.5], gap: [1, 2] }, 2000, [1.2, 1.8]);
    expect(filtered.tau.every((t) => t !== null && t >= 3 && t <= 3.5)).toBe(true);
    expect(filtered.ids.length).toBeLessThanOrEqual(2000);
  });

  it('pages sorted, ranked and filtered', () => {
    const top = library.query({ screenId, sort: { column: 'band_gap', descending: true }, limit: 50 });
    expect(top).toMatchObject({ exact: false });
    expect(top.rows.every((r) => r.bandGap === 6.99)).toBe(true);
    const ranked = library.query({ screenId, rank: { mode: 'window', window: [1.2, 1.8] }, limit: 20 });
    expect(ranked.rows).toHaveLength(20);
    // novel only: a quarter of the rows are marked as recorded in a bundled dataset
    const novel = library.query({ screenId, novelOnly: true, exactTotal: true, sort: { column: 'band_gap', descending: true }, limit: 40 });
    expect(novel.total).toBe(N - N / 4);
    expect(novel.rows.every((r) => r.known?.length === 0 && r.seq % 4 !== 0)).toBe(true);
    expect(library.histogram({ screenId, novelOnly: true }, 70).counts.reduce((a, b) => a + b, 0)).toBe(N - N / 4);
    expect(library.query({ screenId, novelOnly: true, rank: { mode: 'pareto', window: [1.2, 1.8] }, limit: 10 }).total).toBe(N - N / 4);
    const exact = library.query({ screenId, gap: [6.9, 7], exactTotal: true, limit: 1 });
    expect(exact.total).toBe(Math.floor(N / 700) * 10 + Math.max(0, (N % 700) - 690));
  });

  it('a page 900,000 rows down is the same found by offset or by seeking after the row before', () => {
    for (const sort of [{ column: 'band_gap', descending: false }, { column: 'tau', descending: true }, { column: 'seq', descending: false }, { column: 'p_stable', descending: true }] as const) {
      const byOffset = library.query({ screenId, sort, limit: 100, offset: 900_000 }).rows;
      const before = library.query({ screenId, sort, limit: 1, offset: 899_999 }).rows[0]!;
      const value = sort.column === 'band_gap' ? before.bandGap : sort.column === 'tau' ? before.tau : sort.column === 'seq' ? before.seq : before.pStable;
      const bySeek = library.query({ screenId, sort, limit: 100, offset: 0, after: { value, id: before.id } }).rows;
      expect(byOffset).toHaveLength(100);
      expect(bySeek.map((r) => r.id)).toEqual(byOffset.map((r) => r.id));
      // and with a filter on the other table
      const filtered = library.query({ screenId, sort, tolerance: [0.9, 0.95], limit: 20, offset: 300_000 }).rows;
      expect(filtered.every((r) => r.t >= 0.9 && r.t <= 0.95)).toBe(true);
    }
  });
});
