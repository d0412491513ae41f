/**
 * The nearest references of a batch of embedded compositions, for the applicability domain (the
 * nearest one) and the neighbour correction (the nearest memory rows). One matMul against the
 * references per batch, then a selection of the nearest.
 *
 * The selection is the search's cost. tf.topk sorts each query's whole row (on wasm, about 240 ms per
 * 4,096 queries over 14,951 references, against 90 ms for the matMul), so the queries go through in
 * chunks of SEARCH_CHUNK, each chunk's closeness read where it lies (tensor-values.ts: no copy on
 * wasm) while it is still in the cache, and the nearest kept by one pass over each row
 * (selectLargest): the same neighbours in the same order (ties to the lower index, as tf.topk breaks
 * them), the whole search in about 200 ms per 4,096 queries instead of 330.
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
 * The references of a search: [trunk + 1, N], twice the reference embeddings, transposed, over a last
 * row of their negated squared norms, so that [q, 1] x this = 2 q.r - |r|^2 = |q|^2 - |q - r|^2: the
 * largest value is the nearest reference (one matMul, then a selection of the largest, with no
 * negation pass).
 */
export function searchReferences(embedded: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.concat([tf.mul(2, tf.transpose(embedded)), tf.reshape(tf.neg(tf.sum(tf.square(embedded), 1)), [1, -1])], 0) as tf.Tensor2D);
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
export function nearestReference(queries: Queries, references: tf.Tensor2D): Nearest {
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

/** The `searched` nearest references of each query, nearest first (squared distances). */
export function nearestReferences(queries: Queries, references: tf.Tensor2D, searched: number): Neighbourhood {
  const count = queries.count;
  const N = references.shape[1];
  const norm = queries.norm.dataSync() as Float32Array;
  const closest = new Float32Array(searched);
  const distance2 = new Float32Array(count * searched);
  const index = new Int32Array(count * searched);
  for (let start = 0; start < count; start += SEARCH_CHUNK) {
    const rows = Math.min(SEARCH_CHUNK, count - start);
    const closeness = tf.tidy(() => tf.matMul(tf.slice(queries.q, [start, 0], [rows, -1]), references)); // |q|^2 - d^2
    readFloats(closeness, (values) => {
      for (let r = 0; r < rows; r += 1) {
        const i = start + r;
        selectLargest(values, r * N, N, { value: closest, index, at: i * searched, size: searched });
        for (let m = 0; m < searched; m += 1) distance2[i * searched + m] = Math.max(0, norm[i]! - closest[m]!);
      }
    });
    closeness.dispose();
  }
  return { count, searched, distance2, index };
}

/** Where `selectLargest` writes: `size` values into `value` (from 0), their indices into `index` from `at`. */
export interface Selection {
  readonly value: Float32Array;
  readonly index: Int32Array;
  readonly at: number;
  readonly size: number;
}

/**
 * The `size` largest of `values[start, start + length)`, largest first, with their indices (0 at
 * `start`): one pass, each entry compared with the smallest kept so far and inserted in order where
 * larger. Equal values keep the lower index first (as tf.topk orders them); -Infinity and NaN are
 * never kept: slots left over (a row shorter than the selection) hold -Infinity at index 0. Offsets
 * into one array rather than a view per row: this runs once per query and reference.
 */
export function selectLargest(values: Float32Array, start: number, length: number, into: Selection): void {
  const { value, index, at, size } = into;
  value.fill(Number.NEGATIVE_INFINITY, 0, size);
  index.fill(0, at, at + size);
  let kept = 0;
  let floor = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < length; c += 1) {
    const v = values[start + c]!;
    if (!(v > floor)) continue; // not above the smallest kept (-Infinity until `size` are kept), or NaN
    let slot = kept < size ? kept++ : size - 1;
    while (slot > 0 && value[slot - 1]! < v) {
      value[slot] = value[slot - 1]!;
      index[at + slot] = index[at + slot - 1]!;
      slot -= 1;
    }
    value[slot] = v;
    index[at + slot] = c;
    if (kept === size) floor = value[size - 1]!;
  }
}

/** What the predictions of a batch need of the memory: each corrected target's column in the residuals and its k. */
export interface CorrectionNeeds {
  readonly residuals: Residuals;
  readonly targets: readonly { readonly column: number; readonly neighbours: number }[];
}

/** The memory the search runs over. */
export interface SearchedMemory {
  readonly references: tf.Tensor2D;
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
  return Math.min(wanted, memory.references.shape[1]);
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
