/**
 * The nearest references of a batch of embedded compositions, for the applicability domain (the
 * nearest one) and the neighbour correction (the nearest memory rows). One matMul against the
 * references per batch, then a selection of the nearest.
 *
 * The selection is the search's cost. tf.topk sorts each query's whole row (on wasm, about 240 ms per
 * 4,096 queries over 14,951 references, against 90 ms for the matMul), so the queries go through in
 * chunks of SEARCH_CHUNK, each chunk's closeness read where it lies (tensor-values.ts: no copy on
 * wasm) while it is still in the cache, and the nearest kept by a pass over each row (offerCluster):
 * the same neighbours in the same order (ties to the lower index, as tf.topk breaks them). The pass
 * skips what cannot hold a nearest: the references are clustered (k-means, about 2 sqrt(N) clusters)
 * and a query's distance to each centre, less the cluster's radius, bounds how near any of its
 * references can be, so a cluster whose bound is beyond the selection's current k-th nearest is not
 * read. On the distilled screening model's 14,951 references this lifts one thread's predictions
 * from about 8,000 to 9,700-10,000 compositions/s, with predictions identical to the bit.
 *
 * A prediction needs fewer neighbours than calibration searched: the correction of a target reads its
 * k nearest labelled rows among the NEIGHBOURS_SEARCHED nearest memory rows, and the card's k are
 * often 1 or 2. So the search first looks at a narrow window, and searches the full width again only
 * for the queries whose window did not settle every corrected target (too few labelled rows in it):
 * the neighbourhoods, and so the corrections, are those of the full search.
 */
import * as tf from '@tensorflow/tfjs';
import { readFloats } from '../tensor-values.js';
import { NEIGHBOURS_SEARCHED, type Neighbourhood, type Residuals } from './neighbour-correction.js';

/**
 * The references of a search, grouped into clusters so that a query's search can skip the clusters that
 * cannot hold any of its nearest (an exact search: the same neighbours in the same order as a scan of
 * every reference). `matrix` is [trunk + 1, N + K]: the N references' columns, cluster by cluster, each
 * twice the embedding over its negated squared norm, so that [q, 1] x column = 2 q.r - |r|^2 =
 * |q|^2 - |q - r|^2 (the largest value is the nearest reference: one matMul, then a selection of the
 * largest, with no negation pass); then the K cluster centres' columns laid out the same way, which
 * give each query its distance to every centre in the same matMul.
 */
export interface SearchIndex {
  readonly matrix: tf.Tensor2D;
  /** The reference (its row in the embedded references) in each of the first N columns; N entries. */
  readonly original: Int32Array;
  /** Cluster j's columns are [start[j], start[j + 1]); K + 1 entries. */
  readonly start: Int32Array;
  /** Cluster j's radius: the largest distance of its references from its centre. */
  readonly radius: Float64Array;
  /** The largest squared norm of a reference or centre (bounds the float32 rounding of a closeness). */
  readonly maxNorm2: number;
}

/** Clusters of a search index: about two per square root of the references, at most this many. */
const MAX_CLUSTERS = 256;
/** Lloyd iterations of the clustering (any clustering keeps the search exact; a better one skips more). */
const CLUSTER_ITERATIONS = 4;

/**
 * The search index of `embedded` ([N, trunk]; the caller keeps and disposes it). Clustered by k-means
 * from centres at a fixed stride (deterministic); within a cluster the references keep their order.
 */
export function searchReferences(embedded: tf.Tensor2D): SearchIndex {
  const [N, dim] = embedded.shape;
  if (N === 0) return { matrix: tf.tidy(() => laidOut(embedded)), original: new Int32Array(0), start: new Int32Array(1), radius: new Float64Array(0), maxNorm2: 0 };
  const x = embedded.dataSync() as Float32Array;
  const K = Math.max(1, Math.min(MAX_CLUSTERS, Math.round(2 * Math.sqrt(N)), N));
  const centres = new Float64Array(K * dim);
  for (let j = 0; j < K; j += 1) for (let d = 0; d < dim; d += 1) centres[j * dim + d] = x[Math.floor((j * N) / K) * dim + d]!;
  const points = tf.tidy(() => queriesOf(embedded).q); // [N, trunk + 1] with a column of ones, made once for every assignment
  let assigned = nearestCentres(points, centres, K, dim);
  for (let iteration = 0; iteration < CLUSTER_ITERATIONS; iteration += 1) {
    const sums = new Float64Array(K * dim);
    const counts = new Int32Array(K);
    for (let i = 0; i < N; i += 1) {
      const j = assigned[i]!;
      counts[j] = counts[j]! + 1;
      for (let d = 0; d < dim; d += 1) sums[j * dim + d] = sums[j * dim + d]! + x[i * dim + d]!;
    }
    for (let j = 0; j < K; j += 1) if (counts[j]! > 0) for (let d = 0; d < dim; d += 1) centres[j * dim + d] = sums[j * dim + d]! / counts[j]!;
    assigned = nearestCentres(points, centres, K, dim);
  }
  points.dispose();
  // the columns cluster by cluster (a counting sort: within a cluster, in the references' order)
  const start = new Int32Array(K + 1);
  for (let i = 0; i < N; i += 1) start[assigned[i]! + 1] = start[assigned[i]! + 1]! + 1;
  for (let j = 0; j < K; j += 1) start[j + 1] = start[j + 1]! + start[j]!;
  const next = start.slice(0, K);
  const original = new Int32Array(N);
  for (let i = 0; i < N; i += 1) original[next[assigned[i]!]!++] = i;
  const radius = new Float64Array(K);
  const centres32 = Float32Array.from(centres);
  for (let i = 0; i < N; i += 1) {
    const j = assigned[i]!;
    let d2 = 0;
    for (let d = 0; d < dim; d += 1) d2 += (x[i * dim + d]! - centres32[j * dim + d]!) ** 2;
    radius[j] = Math.max(radius[j]!, Math.sqrt(d2));
  }
  // laid out by tf as before clustering, so a reference's closeness is computed as it was
  const matrix = tf.tidy(() => tf.concat([laidOut(tf.gather(embedded, tf.tensor1d(original, 'int32'))), laidOut(tf.tensor2d(centres32, [K, dim]))], 1) as tf.Tensor2D);
  const maxNorm2 = tf.tidy(() => -(tf.min(tf.slice(matrix, [dim, 0], [1, N + K])).dataSync()[0] ?? 0));
  return { matrix, original, start, radius, maxNorm2 };
}

/** Points ([n, trunk]) as search columns ([trunk + 1, n]): twice each point over its negated squared norm. */
function laidOut(points: tf.Tensor2D): tf.Tensor2D {
  return tf.concat([tf.mul(2, tf.transpose(points)), tf.reshape(tf.neg(tf.sum(tf.square(points), 1)), [1, -1])], 0) as tf.Tensor2D;
}

/** Each reference's nearest centre (one matMul and an argMax); `points` are the references as queries ([N, trunk + 1]). */
function nearestCentres(points: tf.Tensor2D, centres: Float64Array, K: number, dim: number): Int32Array {
  return tf.tidy(() => tf.argMax(tf.matMul(points, laidOut(tf.tensor2d(Float32Array.from(centres), [K, dim]))), 1).dataSync() as Int32Array);
}

/** Frees the index's tensor. */
export function disposeSearchIndex(index: SearchIndex): void {
  index.matrix.dispose();
}

/** A batch's queries: [n, trunk + 1] embeddings with a last column of ones, and their squared norms [n, 1]. */
export interface Queries {
  readonly q: tf.Tensor2D;
  readonly norm: tf.Tensor2D;
  readonly count: number;
}

/** The queries of an embedded batch ([n, trunk]); the caller disposes them (or runs inside a tidy). */
export function queriesOf(embedding: tf.Tensor2D): Queries {
  return {
    q: tf.concat([embedding, tf.ones([embedding.shape[0], 1])], 1) as tf.Tensor2D,
    norm: tf.sum(tf.square(embedding), 1, true) as tf.Tensor2D,
    count: embedding.shape[0],
  };
}

/** The nearest reference of each query: its distance and index. */
export interface Nearest {
  readonly distance: Float32Array;
  readonly index: Int32Array;
}

/** The nearest reference of each query: the search below with a selection of one. */
export function nearestReference(queries: Queries, references: SearchIndex): Nearest {
  return nearestOf(nearestReferences(queries, references, 1));
}

/** Each query's first (nearest) reference of a search, with its distance. */
function nearestOf(found: Neighbourhood): Nearest {
  return {
    distance: Float32Array.from({ length: found.count }, (_, i) => Math.sqrt(found.distance2[i * found.searched]!)),
    index: Int32Array.from({ length: found.count }, (_, i) => found.index[i * found.searched]!),
  };
}

/**
 * Queries per matMul in `nearestReferences`: a chunk's closeness (64 x 14,951 floats, 3.8 MB) stays in
 * the cache between the matMul that writes it and the pass that reads it.
 */
export const SEARCH_CHUNK = 64;

/**
 * The `searched` nearest references of each query, nearest first (squared distances; indices in the
 * embedded references' order). Per query, each cluster's bound (the largest closeness any of its
 * references can have: from the query's distance to its centre less its radius) is read off the
 * matMul; the cluster with the highest bound is scanned first, then every other one whose bound is not
 * below the selection's floor (with a margin for float32 rounding), so a skipped cluster holds none of
 * the nearest. Ties keep the lower index first, as tf.topk and a scan in order do.
 */
export function nearestReferences(queries: Queries, references: SearchIndex, searched: number): Neighbourhood {
  const count = queries.count;
  const { start, radius, original, maxNorm2 } = references;
  const N = original.length;
  const K = start.length - 1;
  const width = N + K;
  const norm = queries.norm.dataSync() as Float32Array;
  const bound = new Float64Array(K);
  const distance2 = new Float32Array(count * searched);
  const index = new Int32Array(count * searched);
  const selection: Selection = { value: new Float32Array(searched), index, at: 0, size: searched, kept: 0 };
  for (let first = 0; first < count; first += SEARCH_CHUNK) {
    const rows = Math.min(SEARCH_CHUNK, count - first);
    const closeness = tf.tidy(() => tf.matMul(tf.slice(queries.q, [first, 0], [rows, -1]), references.matrix)); // |q|^2 - d^2
    readFloats(closeness, (values) => {
      for (let r = 0; r < rows; r += 1) {
        const i = first + r;
        const row = r * width;
        const q2 = norm[i]!;
        const slack = 1e-4 * (q2 + 2 * Math.sqrt(q2 * maxNorm2) + maxNorm2) + 1e-6;
        let best = 0;
        for (let j = 0; j < K; j += 1) {
          const gap = Math.sqrt(Math.max(0, q2 - values[row + N + j]!)) - radius[j]!;
          bound[j] = gap > 0 ? q2 - gap * gap : q2;
          if (bound[j]! > bound[best]!) best = j;
        }
        selection.at = i * searched;
        selection.value.fill(Number.NEGATIVE_INFINITY);
        index.fill(0, selection.at, selection.at + searched);
        selection.kept = 0;
        if (K > 0) offerCluster(values, row, start[best]!, start[best + 1]!, original, selection);
        for (let j = 0; j < K; j += 1) {
          if (j === best || (selection.kept === searched && bound[j]! + slack < selection.value[searched - 1]!)) continue;
          offerCluster(values, row, start[j]!, start[j + 1]!, original, selection);
        }
        for (let m = 0; m < searched; m += 1) distance2[i * searched + m] = Math.max(0, q2 - selection.value[m]!);
      }
    });
    closeness.dispose();
  }
  return { count, searched, distance2, index };
}

/** A selection of the `size` largest values: `value` from 0, their indices into `index` from `at`; `kept` so far. */
export interface Selection {
  readonly value: Float32Array;
  readonly index: Int32Array;
  at: number;
  readonly size: number;
  kept: number;
}

/**
 * Offers the values at columns [from, to) of a closeness row (`values[row + column]`, the reference
 * `original[column]`) to the selection: each is kept, in order, where it goes before the smallest kept
 * (a larger value, or an equal one of a lower index) or the selection is not full. -Infinity and NaN are
 * never kept; slots never filled hold -Infinity at index 0.
 */
export function offerCluster(values: Float32Array, row: number, from: number, to: number, original: Int32Array, into: Selection): void {
  const { value, index, at, size } = into;
  let kept = into.kept;
  let floor = kept === size ? value[size - 1]! : Number.NEGATIVE_INFINITY;
  let floorIndex = kept === size ? index[at + size - 1]! : 0;
  for (let c = from; c < to; c += 1) {
    const v = values[row + c]!;
    if (!(v >= floor) || v === Number.NEGATIVE_INFINITY) continue; // below the smallest kept, NaN or -Infinity
    const at0 = original[c]!;
    if (kept === size && v === floor && at0 > floorIndex) continue;
    let slot = kept < size ? kept++ : size - 1;
    while (slot > 0 && (value[slot - 1]! < v || (value[slot - 1] === v && index[at + slot - 1]! > at0))) {
      value[slot] = value[slot - 1]!;
      index[at + slot] = index[at + slot - 1]!;
      slot -= 1;
    }
    value[slot] = v;
    index[at + slot] = at0;
    if (kept === size) {
      floor = value[size - 1]!;
      floorIndex = index[at + size - 1]!;
    }
  }
  into.kept = kept;
}

/** What the predictions of a batch need of the memory: each corrected target's column in the residuals and its k. */
export interface CorrectionNeeds {
  readonly residuals: Residuals;
  readonly targets: readonly { readonly column: number; readonly neighbours: number }[];
}

/** The memory the search runs over. */
export interface SearchedMemory {
  readonly references: SearchIndex;
  /** Marks the references that are memory rows, where the memory is laid over the domain's references (null: every reference is). */
  readonly isMemoryRow: Uint8Array | null;
}

/**
 * How many nearest references a full search looks at to find NEIGHBOURS_SEARCHED memory rows: all of
 * them are where every reference is a memory row; twice as many where the memory is laid over the
 * domain's references (the others, validation and test compositions, are 7-10% of them).
 */
function fullWindow(memory: SearchedMemory): number {
  const wanted = memory.isMemoryRow ? 2 * NEIGHBOURS_SEARCHED : NEIGHBOURS_SEARCHED;
  return Math.min(wanted, memory.references.original.length);
}

/**
 * The nearest memory rows of each query (up to NEIGHBOURS_SEARCHED, nearest first, padded with row 0 at
 * an infinite distance), and its nearest reference of all (the domain's, where the memory is laid over
 * it). Without `needs` (calibration, which tries every k) the full width is searched; with them, a
 * narrow window first (see the module's comment); `searchedAgain` counts the queries it did not settle.
 */
export function searchMemory(queries: Queries, memory: SearchedMemory, needs: CorrectionNeeds | null): { readonly hood: Neighbourhood; readonly nearest: Nearest; readonly searchedAgain: number } {
  const full = fullWindow(memory);
  const most = needs ? Math.max(0, ...needs.targets.map((t) => t.neighbours)) : NEIGHBOURS_SEARCHED;
  const window = Math.min(full, 2 * most + 4);
  const wide = nearestReferences(queries, memory.references, window);
  const hood = memoryRows(wide, memory.isMemoryRow);
  const unsettled = window < full && needs ? rowsUnsettled(hood, needs) : [];
  if (unsettled.length > 0) {
    const at = tf.tensor1d(Int32Array.from(unsettled), 'int32');
    const some = { q: tf.gather(queries.q, at), norm: tf.gather(queries.norm, at), count: unsettled.length };
    const again = memoryRows(nearestReferences(some, memory.references, full), memory.isMemoryRow);
    tf.dispose([at, some.q, some.norm]);
    unsettled.forEach((row, k) => {
      hood.distance2.set(again.distance2.subarray(k * again.searched, (k + 1) * again.searched), row * hood.searched);
      hood.index.set(again.index.subarray(k * again.searched, (k + 1) * again.searched), row * hood.searched);
    });
  }
  return { hood, nearest: nearestOf(wide), searchedAgain: unsettled.length };
}

/**
 * The first NEIGHBOURS_SEARCHED memory rows of each query's window, nearest first; padded with row 0 at
 * an infinite distance (weight 0) where the window held fewer.
 */
function memoryRows(wide: Neighbourhood, isMemoryRow: Uint8Array | null): Neighbourhood {
  const searched = NEIGHBOURS_SEARCHED;
  const distance2 = new Float32Array(wide.count * searched).fill(Number.POSITIVE_INFINITY);
  const index = new Int32Array(wide.count * searched);
  for (let i = 0; i < wide.count; i += 1) {
    let kept = 0;
    for (let m = 0; m < wide.searched && kept < searched; m += 1) {
      const at = i * wide.searched + m;
      if (isMemoryRow && !isMemoryRow[wide.index[at]!]) continue;
      distance2[i * searched + kept] = wide.distance2[at]!;
      index[i * searched + kept] = wide.index[at]!;
      kept += 1;
    }
  }
  return { count: wide.count, searched, distance2, index };
}

/**
 * The queries whose memory rows from a narrow window may differ, where a correction reads them, from a
 * full search's: fewer than NEIGHBOURS_SEARCHED memory rows found and some corrected target with fewer
 * than its k labelled rows among them.
 */
function rowsUnsettled(hood: Neighbourhood, needs: CorrectionNeeds): number[] {
  const unsettled: number[] = [];
  const { residuals } = needs;
  for (let i = 0; i < hood.count; i += 1) {
    if (Number.isFinite(hood.distance2[(i + 1) * hood.searched - 1]!)) continue; // all NEIGHBOURS_SEARCHED found
    const settled = needs.targets.every(({ column, neighbours }) => {
      let labelled = 0;
      for (let m = 0; m < hood.searched && labelled < neighbours; m += 1) {
        const at = i * hood.searched + m;
        if (!Number.isFinite(hood.distance2[at]!)) break;
        if (!Number.isNaN(residuals.values[hood.index[at]! * residuals.targets + column]!)) labelled += 1;
      }
      return labelled >= neighbours;
    });
    if (!settled) unsettled.push(i);
  }
  return unsettled;
}
