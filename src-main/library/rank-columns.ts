/**
 * Ranking a whole screen without SQL per row: the four prediction numbers of every candidate of one
 * screen, read once into typed arrays (from the blobs each batch writes, or row by row for files
 * without them), then scored and cut to the page in JavaScript (tens of milliseconds).
 * The arrays are kept for the last screen ranked and read again when its row count changes (a running
 * screen, a resume from another process). Used when the filters read only predictions; the other
 * rankings go through SQL (query.ts).
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { compiledWorkerUrl } from '../data/worker-url.js';
import type { CandidateQuery } from './query.js';
import { firstParetoFronts, ucbScore, windowProbability } from './ranking.js';

export interface ScreenColumns {
  readonly screenId: number;
  readonly rows: number;
  readonly ids: Float64Array;
  /** NaN where the prediction is missing. */
  readonly gap: Float64Array;
  readonly sigma: Float64Array;
  readonly pStable: Float64Array;
  readonly spread: Float64Array;
}

/** The filters these columns can apply; any other filter sends the ranking to SQL. */
const COLUMN_FILTERS = new Set(['screenId', 'gap', 'stableMin', 'sigmaMax']);
const PAGING = new Set(['rank', 'limit', 'offset', 'exactTotal', 'sort', 'after']);

export function rankableFromColumns(q: CandidateQuery): boolean {
  // the cache holds the PBE gap's columns only: a ranking on the experimental gap goes to SQL
  return q.rank !== undefined && Object.entries(q).every(([k, v]) => v === undefined || v === false || (k === 'gapKind' && v === 'pbe') || COLUMN_FILTERS.has(k) || PAGING.has(k));
}

/** One batch's prediction numbers as five float64 columns in one blob (NaN for a missing value). */
export class PredictionBlock {
  readonly #values: Float64Array;

  constructor(private readonly rows: number) {
    this.#values = new Float64Array(5 * rows);
  }

  get firstId(): number {
    return this.#values[0]!;
  }

  set(i: number, candidateId: number, p: { readonly bandGap: { readonly value: number; readonly sigma: number } | null; readonly stability: { readonly probability: number; readonly spread: number } | null }): void {
    const n = this.rows;
    this.#values[i] = candidateId;
    this.#values[n + i] = p.bandGap?.value ?? Number.NaN;
    this.#values[2 * n + i] = p.bandGap?.sigma ?? Number.NaN;
    this.#values[3 * n + i] = p.stability?.probability ?? Number.NaN;
    this.#values[4 * n + i] = p.stability?.spread ?? Number.NaN;
  }

  bytes(): Buffer {
    return Buffer.from(this.#values.buffer, this.#values.byteOffset, this.#values.byteLength);
  }
}

/**
 * Reads a screen's prediction columns (at most `rows` of them; fewer if the screen has fewer): from the
 * packed blocks when they cover exactly the screen's predictions, else row by row.
 */
export function readColumns(db: Database.Database, screenId: number, rows: number): ScreenColumns {
  const c: ScreenColumns = { screenId, rows, ids: new Float64Array(rows), gap: new Float64Array(rows), sigma: new Float64Array(rows), pStable: new Float64Array(rows), spread: new Float64Array(rows) };
  // a file from before the blocks, opened read-only (so not migrated), has no such table
  const hasBlocks = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'prediction_blocks'").pluck().get() !== undefined;
  const covered = hasBlocks ? (db.prepare('SELECT coalesce(sum(rows), 0) FROM prediction_blocks WHERE screen_id = ?').pluck().get(screenId) as number) : -1;
  if (covered === rows) {
    let at = 0;
    for (const [n, data] of db.prepare('SELECT rows, data FROM prediction_blocks WHERE screen_id = ? ORDER BY first_candidate_id').raw().iterate(screenId) as Iterable<[number, Buffer]>) {
      const v = new Float64Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
      c.ids.set(v.subarray(0, n), at);
      c.gap.set(v.subarray(n, 2 * n), at);
      c.sigma.set(v.subarray(2 * n, 3 * n), at);
      c.pStable.set(v.subarray(3 * n, 4 * n), at);
      c.spread.set(v.subarray(4 * n, 5 * n), at);
      at += n;
    }
    return c;
  }
  let i = 0;
  const read = db.prepare('SELECT candidate_id, band_gap, band_gap_sigma, p_stable, p_stable_spread FROM predictions WHERE screen_id = ?').raw();
  for (const r of read.iterate(screenId) as Iterable<[number, number | null, number | null, number | null, number | null]>) {
    if (i >= rows) break; // rows written since the count: the next ranking reads again
    c.ids[i] = r[0];
    c.gap[i] = r[1] ?? Number.NaN;
    c.sigma[i] = r[2] ?? Number.NaN;
    c.pStable[i] = r[3] ?? Number.NaN;
    c.spread[i] = r[4] ?? Number.NaN;
    i += 1;
  }
  return i === rows ? c : { ...c, rows: i };
}

export class RankColumns {
  #cached: ScreenColumns | null = null;
  #prefetching: { screenId: number; rows: number; worker: Worker } | null = null;

  /** `file`: the library file, for reading the columns in a worker thread ahead of the first ranking. */
  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
  ) {}

  private rowCount(screenId: number): number {
    return this.db.prepare('SELECT count(*) FROM predictions WHERE screen_id = ?').pluck().get(screenId) as number;
  }

  /** Whether the cached columns are this screen's, all `rows` of them. */
  private cachedFor(screenId: number, rows: number): boolean {
    return this.#cached?.screenId === screenId && this.#cached.rows === rows;
  }

  private columns(screenId: number): ScreenColumns {
    const rows = this.rowCount(screenId);
    if (this.cachedFor(screenId, rows)) return this.#cached!;
    this.#cached = null; // free the old arrays before reading new ones
    const c = readColumns(this.db, screenId, rows);
    if (c.rows === rows) this.#cached = c;
    return c;
  }

  /**
   * Reads a screen's columns in a worker thread, so that a ranking asked for a moment later finds them
   * (the Results view calls this when it shows a screen). Nothing happens when they are cached or on
   * their way; a ranking asked for before they arrive reads them itself.
   */
  prefetch(screenId: number): void {
    const rows = this.rowCount(screenId);
    if (this.cachedFor(screenId, rows) || (this.#prefetching?.screenId === screenId && this.#prefetching.rows === rows)) return;
    const url = compiledWorkerUrl(import.meta.url, 'library', 'rank-columns-worker');
    if (!url || rows === 0 || this.file === ':memory:') return;
    void this.#prefetching?.worker.terminate();
    const worker = new Worker(url, { workerData: { file: this.file, screenId, rows } });
    worker.unref();
    this.#prefetching = { screenId, rows, worker };
    const done = (): void => {
      if (this.#prefetching?.worker === worker) this.#prefetching = null;
    };
    worker.on('message', (c: ScreenColumns) => {
      done();
      const current = this.#cached;
      if (c.rows === rows && !(current?.screenId === screenId && current.rows >= rows)) this.#cached = c;
    });
    worker.on('error', done);
    worker.on('exit', done);
  }

  /** Whether a screen's columns are in memory now, as many rows as it has. */
  holds(screenId: number): boolean {
    return this.cachedFor(screenId, this.rowCount(screenId));
  }

  close(): void {
    void this.#prefetching?.worker.terminate();
    this.#prefetching = null;
    this.#cached = null;
  }

  /** The page of a ranking (window, UCB or Pareto): candidate ids with their scores, and how many matched. */
  rank(q: CandidateQuery & { rank: NonNullable<CandidateQuery['rank']> }): { matched: number; page: { id: number; score: number }[] } {
    const c = this.columns(q.screenId);
    const [lo, hi] = q.rank.window;
    const kappa = q.rank.kappa ?? 1;
    // the filters, as SQL would apply them (a missing value never matches a range)
    const keep: number[] = [];
    for (let i = 0; i < c.rows; i += 1) {
      if (q.gap && !(c.gap[i]! >= q.gap[0] && c.gap[i]! <= q.gap[1])) continue;
      if (q.stableMin !== undefined && !(c.pStable[i]! >= q.stableMin)) continue;
      if (q.sigmaMax !== undefined && !(c.sigma[i]! <= q.sigmaMax)) continue;
      keep.push(i);
    }
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const value = (x: number): number => (Number.isNaN(x) ? 0 : x);
    const windowScore = (i: number): number => (Number.isNaN(c.gap[i]!) ? 0 : windowProbability(c.gap[i]!, value(c.sigma[i]!), lo, hi));
    if (q.rank.mode === 'pareto') {
      const xs = new Float64Array(keep.length);
      const ys = new Float64Array(keep.length);
      keep.forEach((i, k) => {
        xs[k] = windowScore(i);
        ys[k] = value(c.pStable[i]!);
      });
      // only the first fronts, enough for the page: exact, and a fraction of sorting every point
      const { index, front } = firstParetoFronts(xs, ys, offset + limit);
      const id = (k: number): number => c.ids[keep[index[k]!]!]!;
      const order = Array.from(index.keys()).sort((a, b) => front[a]! - front[b]! || id(a) - id(b));
      return { matched: keep.length, page: order.slice(offset, offset + limit).map((k) => ({ id: id(k), score: front[k]! })) };
    }
    const score = new Float64Array(keep.length);
    keep.forEach((i, k) => {
      score[k] = q.rank.mode === 'window' ? windowScore(i) : Number.isNaN(c.gap[i]!) || Number.isNaN(c.pStable[i]!) ? 0 : ucbScore(c.gap[i]!, value(c.sigma[i]!), c.pStable[i]!, value(c.spread[i]!), lo, hi, kappa);
    });
    const better = (a: number, b: number): boolean => score[a]! > score[b]! || (score[a] === score[b] && c.ids[keep[a]!]! < c.ids[keep[b]!]!);
    const best = topK(keep.length, offset + limit, better);
    return { matched: keep.length, page: best.slice(offset).map((k) => ({ id: c.ids[keep[k]!]!, score: score[k]! })) };
  }
}

/** The `k` best of positions 0..n-1 in order, best first (a bounded heap whose root is the worst kept). */
export function topK(n: number, k: number, better: (a: number, b: number) => boolean): number[] {
  const heap: number[] = [];
  const worse = (a: number, b: number): boolean => better(b, a);
  const siftUp = (j: number): void => {
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (!worse(heap[j]!, heap[parent]!)) break;
      [heap[j], heap[parent]] = [heap[parent]!, heap[j]!];
      j = parent;
    }
  };
  const siftDown = (j: number): void => {
    for (;;) {
      const l = 2 * j + 1;
      const r = l + 1;
      let w = j;
      if (l < heap.length && worse(heap[l]!, heap[w]!)) w = l;
      if (r < heap.length && worse(heap[r]!, heap[w]!)) w = r;
      if (w === j) return;
      [heap[j], heap[w]] = [heap[w]!, heap[j]!];
      j = w;
    }
  };
  if (k <= 0) return [];
  for (let i = 0; i < n; i += 1) {
    if (heap.length < k) {
      heap.push(i);
      siftUp(heap.length - 1);
    } else if (better(i, heap[0]!)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
}
