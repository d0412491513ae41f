// The search behind the applicability domain and the neighbour correction: a narrow window first, the
// full width again for the queries it did not settle, and the corrections those of the full search.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src-main/engine/backend.js';
import { neighbourCorrection, NEIGHBOURS_SEARCHED, type Residuals } from '../../../../src-main/engine/model/neighbour-correction.js';
import { nearestReference, nearestReferences, queriesOf, SEARCH_CHUNK, searchMemory, searchReferences, selectLargest, type Queries } from '../../../../src-main/engine/model/neighbour-search.js';
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

let refs: tf.Tensor2D;
let queries: Queries;
beforeAll(async () => {
  await initBackend('wasm');
  refs = searchReferences(tf.tensor2d(references));
  queries = queriesOf(tf.tensor2d(queryPoints));
});
afterAll(() => tf.dispose([refs, queries.q, queries.norm]));

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

describe('selectLargest', () => {
  const select = (row: number[], size: number, start = 0, length = row.length): { value: number[]; index: number[] } => {
    const value = new Float32Array(size);
    const index = new Int32Array(size + 3).fill(-7);
    selectLargest(Float32Array.from(row), start, length, { value, index, at: 3, size });
    expect(Array.from(index.subarray(0, 3))).toEqual([-7, -7, -7]); // writes from `at` only
    return { value: Array.from(value), index: Array.from(index.subarray(3)) };
  };

  it('keeps the largest in order, ties to the lower index as tf.topk, within the given span', () => {
    const row = [0.5, 2, -1, 2, 7, 0.5, 2, 3];
    expect(select(row, 4)).toEqual({ value: [7, 3, 2, 2], index: [4, 7, 1, 3] });
    const top = tf.topk(tf.tensor1d(row), 4, true);
    expect(select(row, 4).index).toEqual(Array.from(top.indices.dataSync()));
    tf.dispose([top.values, top.indices]);
    // a span of the array: indices count from its start
    expect(select([9, 9, 1, 4, 3, 9], 2, 2, 3)).toEqual({ value: [4, 3], index: [1, 2] });
  });

  it('never keeps NaN or -Infinity, and pads a short row with -Infinity at index 0', () => {
    expect(select([Number.NaN, 1, Number.NEGATIVE_INFINITY, 5], 3)).toEqual({ value: [5, 1, Number.NEGATIVE_INFINITY], index: [3, 1, 0] });
  });
});

describe('nearestReferences', () => {
  it('in chunks of SEARCH_CHUNK queries, finds what one tf.topk over all the closeness finds', () => {
    expect(n % SEARCH_CHUNK).not.toBe(0); // a partial last chunk
    const found = nearestReferences(queries, refs, 12);
    const closeness = tf.matMul(queries.q, refs);
    const top = tf.topk(closeness, 12, true);
    expect(Array.from(found.index)).toEqual(Array.from(top.indices.dataSync()));
    const expected = tf.relu(tf.sub(queries.norm, top.values));
    expect(Array.from(found.distance2)).toEqual(Array.from(expected.dataSync()));
    tf.dispose([closeness, top.values, top.indices, expected]);
  });
});
