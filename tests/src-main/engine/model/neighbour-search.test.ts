// The search behind the applicability domain and the neighbour correction: a narrow window first, the
// full width again for the queries it did not settle, and the corrections those of the full search.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src-main/engine/backend.js';
import { neighbourCorrection, NEIGHBOURS_SEARCHED, type Residuals } from '../../../../src-main/engine/model/neighbour-correction.js';
import { disposeSearchIndex, nearestReference, nearestReferences, offerCluster, queriesOf, SEARCH_CHUNK, searchMemory, searchReferences, type Queries, type SearchIndex } from '../../../../src-main/engine/model/neighbour-search.js';
import { Rng } from '../../../../src-main/engine/random.js';

const rng = new Rng(17);
const dim = 6;
const N = 400;
const n = 300;
const points = (count: number): number[][] => Array.from({ length: count }, () => Array.from({ length: dim }, () => rng.normal()));
const references = points(N);
// a query next to a reference now and then (a known composition), else anywhere
const queryPoints = points(n).map((p, i) => (i % 5 === 0 ? references[i]!.map((v, j) => v + 0.01 * p[j]!) : p));
// one reference in five is no memory row (a validation or test composition where the memory is laid over the domain)
const isMemoryRow = Uint8Array.from({ length: N }, (_, i) => (i % 5 === 3 ? 0 : 1));
// target 0 labelled almost everywhere (a PBE gap), target 1 on one row in six (an experimental gap)
const residuals: Residuals = {
  targets: 2,
  values: Float32Array.from({ length: N * 2 }, (_, k) => {
    const row = Math.floor(k / 2);
    if (!isMemoryRow[row]) return Number.NaN;
    if (k % 2 === 0) return row % 17 === 0 ? Number.NaN : rng.normal();
    return row % 6 === 0 ? rng.normal() : Number.NaN;
  }),
};
const needs = { residuals, targets: [{ column: 0, neighbours: 2 }, { column: 1, neighbours: 3 }] };

let refs: SearchIndex;
let queries: Queries;
beforeAll(async () => {
  await initBackend('wasm');
  refs = searchReferences(tf.tensor2d(references));
  queries = queriesOf(tf.tensor2d(queryPoints));
});
afterAll(() => {
  disposeSearchIndex(refs);
  tf.dispose([queries.q, queries.norm]);
});

const distance2 = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, j) => s + (v - b[j]!) ** 2, 0);

describe('nearestReference', () => {
  it('finds each query\'s nearest reference and its distance, as a brute-force scan does', () => {
    const nearest = nearestReference(queries, refs);
    queryPoints.forEach((p, i) => {
      const d = references.map((r) => distance2(p, r));
      const best = d.indexOf(Math.min(...d));
      expect(nearest.index[i]).toBe(best);
      expect(nearest.distance[i]!).toBeCloseTo(Math.sqrt(d[best]!), 3);
    });
  });
});

describe('searchMemory', () => {
  it('finds the nearest memory rows in order, skipping the references that are none', () => {
    const { hood } = searchMemory(queries, { references: refs, isMemoryRow }, null);
    expect(hood.searched).toBe(NEIGHBOURS_SEARCHED);
    queryPoints.forEach((p, i) => {
      const order = references.map((r, j) => ({ j, d: distance2(p, r) })).filter(({ j }) => isMemoryRow[j]).sort((a, b) => a.d - b.d);
      const found = Array.from(hood.index.subarray(i * NEIGHBOURS_SEARCHED, (i + 1) * NEIGHBOURS_SEARCHED));
      expect(found).toEqual(order.slice(0, NEIGHBOURS_SEARCHED).map((o) => o.j));
    });
  });

  it('with the card\'s needs, searches a narrow window and again only where it did not settle, and corrects as the full search does', () => {
    const full = searchMemory(queries, { references: refs, isMemoryRow }, null);
    const narrow = searchMemory(queries, { references: refs, isMemoryRow }, needs);
    // the sparse target makes some queries need the full width, the others settle in the window
    expect(narrow.searchedAgain).toBeGreaterThan(0);
    expect(narrow.searchedAgain).toBeLessThan(n);
    for (let i = 0; i < n; i += 1) {
      for (const { column, neighbours } of needs.targets) {
        const settings = { neighbours, bandwidth: 1.5, shrinkage: 0.5 };
        expect(neighbourCorrection(narrow.hood, i, residuals, column, settings)).toBe(neighbourCorrection(full.hood, i, residuals, column, settings));
      }
      expect(narrow.nearest.index[i]).toBe(full.nearest.index[i]);
    }
  });

  it('with a memory of its own (every reference a memory row) settles more in the window, and still agrees', () => {
    const own = { references: refs, isMemoryRow: null };
    const full = searchMemory(queries, own, null);
    const narrow = searchMemory(queries, own, { residuals, targets: [{ column: 0, neighbours: 1 }] });
    expect(narrow.searchedAgain).toBeLessThan(n / 10);
    for (let i = 0; i < n; i += 1) {
      const settings = { neighbours: 1, bandwidth: 0.8, shrinkage: 0.25 };
      expect(neighbourCorrection(narrow.hood, i, residuals, 0, settings)).toBe(neighbourCorrection(full.hood, i, residuals, 0, settings));
    }
  });
});

describe('offerCluster', () => {
  // a selection of `size` fed the columns [from, to) of `row`, whose column c is reference original[c]
  const offer = (row: number[], size: number, spans: [number, number][], original = row.map((_, c) => c)): { value: number[]; index: number[] } => {
    const index = new Int32Array(size + 3).fill(-7);
    const into = { value: new Float32Array(size).fill(Number.NEGATIVE_INFINITY), index, at: 3, size, kept: 0 };
    index.fill(0, 3);
    for (const [from, to] of spans) offerCluster(Float32Array.from(row), 0, from, to, Int32Array.from(original), into);
    expect(Array.from(index.subarray(0, 3))).toEqual([-7, -7, -7]); // writes from `at` only
    return { value: Array.from(into.value), index: Array.from(index.subarray(3)) };
  };

  it('keeps the largest in order, ties to the lower index as tf.topk, whatever order the spans come in', () => {
    const row = [0.5, 2, -1, 2, 7, 0.5, 2, 3];
    expect(offer(row, 4, [[0, 8]])).toEqual({ value: [7, 3, 2, 2], index: [4, 7, 1, 3] });
    const top = tf.topk(tf.tensor1d(row), 4, true);
    expect(offer(row, 4, [[0, 8]]).index).toEqual(Array.from(top.indices.dataSync()));
    tf.dispose([top.values, top.indices]);
    // the later columns first: the tie at the floor (2 at 1, 3 and 6) still keeps the lower indices
    expect(offer(row, 4, [[4, 8], [0, 4]])).toEqual({ value: [7, 3, 2, 2], index: [4, 7, 1, 3] });
    // columns laid out in another order than the references': the indices are the references'
    expect(offer([2, 9, 2, 2], 2, [[0, 2], [2, 4]], [5, 0, 3, 1])).toEqual({ value: [9, 2], index: [0, 1] });
  });

  it('never keeps NaN or -Infinity, and pads a short row with -Infinity at index 0', () => {
    expect(offer([Number.NaN, 1, Number.NEGATIVE_INFINITY, 5], 3, [[0, 4]])).toEqual({ value: [5, 1, Number.NEGATIVE_INFINITY], index: [3, 1, 0] });
  });
});

describe('nearestReferences', () => {
  // the closeness of every query to every reference, in the references' own order, as one matMul
  const plainCloseness = (q: tf.Tensor2D, points: number[][]): tf.Tensor2D =>
    tf.tidy(() => {
      const r = tf.tensor2d(points);
      return tf.matMul(q, tf.concat([tf.mul(2, tf.transpose(r)), tf.reshape(tf.neg(tf.sum(tf.square(r), 1)), [1, -1])], 0));
    });

  it('in chunks of SEARCH_CHUNK queries, skipping the clusters that cannot hold the nearest, finds what one tf.topk over all the closeness finds', () => {
    expect(n % SEARCH_CHUNK).not.toBe(0); // a partial last chunk
    expect(refs.start.length - 1).toBeGreaterThan(10); // clustered
    const found = nearestReferences(queries, refs, 12);
    const closeness = plainCloseness(queries.q, references);
    const top = tf.topk(closeness, 12, true);
    expect(Array.from(found.index)).toEqual(Array.from(top.indices.dataSync()));
    const expected = tf.relu(tf.sub(queries.norm, top.values));
    expect(Array.from(found.distance2)).toEqual(Array.from(expected.dataSync()));
    tf.dispose([closeness, top.values, top.indices, expected]);
  });

  it('keeps the lower index first among references equally near, in whichever clusters they fall', () => {
    // +-1 and +-2 along each axis, in a scrambled order, among scattered points: from the origin (and
    // from 0.5 along an axis) many references are exactly equally far, and opposite ones cluster apart
    const axes = [1, -1, 2, -2].flatMap((a) => Array.from({ length: dim }, (_, d) => Array.from({ length: dim }, (_, e) => (e === d ? a : 0))));
    const scattered = points(60).map((p) => p.map((v) => 4 * v));
    const mixed = [...scattered.slice(0, 20), ...axes.filter((_, i) => i % 2 === 1), ...scattered.slice(20), ...axes.filter((_, i) => i % 2 === 0)];
    const index = searchReferences(tf.tensor2d(mixed));
    const at = [new Array<number>(dim).fill(0), Array.from({ length: dim }, (_, e) => (e === 2 ? 0.5 : 0)), ...points(10)];
    const some = queriesOf(tf.tensor2d(at));
    try {
      expect(index.start.length - 1).toBeGreaterThan(4);
      const found = nearestReferences(some, index, 9);
      const closeness = plainCloseness(some.q, mixed);
      const top = tf.topk(closeness, 9, true);
      expect(Array.from(found.index)).toEqual(Array.from(top.indices.dataSync()));
      tf.dispose([closeness, top.values, top.indices]);
    } finally {
      disposeSearchIndex(index);
      tf.dispose([some.q, some.norm]);
    }
  });

  it('clusters every reference once, within its cluster\'s radius of the cluster\'s centre', () => {
    const K = refs.start.length - 1;
    expect(Array.from(refs.original).sort((a, b) => a - b)).toEqual(references.map((_, i) => i));
    const m = refs.matrix.arraySync();
    for (let j = 0; j < K; j += 1) {
      const centre = m.slice(0, dim).map((row) => row[N + j]! / 2);
      for (let c = refs.start[j]!; c < refs.start[j + 1]!; c += 1) {
        expect(Math.sqrt(distance2(references[refs.original[c]!]!, centre))).toBeLessThanOrEqual(refs.radius[j]! + 1e-5);
      }
    }
  });
});

describe('searchReferences', () => {
  it('leaks no tensor, and an empty set of references finds nothing', () => {
    const before = tf.memory().numTensors;
    const embedded = tf.tensor2d(references.slice(0, 50));
    const index = searchReferences(embedded);
    expect(tf.memory().numTensors).toBe(before + 2); // the embedded references (the caller's) and the index's matrix
    disposeSearchIndex(index);
    embedded.dispose();
    const none = tf.zeros([0, dim]) as tf.Tensor2D;
    const empty = searchReferences(none);
    none.dispose();
    const found = nearestReferences(queries, empty, 3);
    expect(Array.from(found.distance2.subarray(0, 3))).toEqual([Infinity, Infinity, Infinity]);
    expect(Array.from(found.index.subarray(0, 3))).toEqual([0, 0, 0]);
    disposeSearchIndex(empty);
  });
});
