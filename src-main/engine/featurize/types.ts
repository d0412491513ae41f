import type { ElementSymbol } from '../../../shared/index.js';
import type { ColumnStats } from '../stats.js';
import type { AttributeName } from './constants.js';

/** Mean and standard deviation of each elemental attribute, saved with a model. */
export type AttributeStats = ColumnStats<AttributeName>;

/** Everything needed to rebuild the featurizer exactly; stored in a model card. */
export interface FeaturizerSettings {
  readonly maxElements: number;
  readonly fractionWidth: number;
  readonly attributeStats: AttributeStats;
}

/** Column ranges of an EDM row. */
export interface EdmLayout {
  readonly width: number;
  readonly mat2vec: readonly [number, number];
  readonly attributes: readonly [number, number];
  readonly fraction: readonly [number, number];
}

/** The EDM of one composition: rows x width, padded rows zero with mask 0. */
export interface EdmMatrix {
  readonly rows: number;
  readonly width: number;
  /** Row-major, rows * width values. */
  readonly values: Float32Array;
  /** 1 for element rows, 0 for padding. */
  readonly mask: Uint8Array;
  /** Elements in row order (length = number of element rows). */
  readonly elements: readonly ElementSymbol[];
  readonly fractions: readonly number[];
}

/** A batch of EDMs laid out for tensors: [count, rows, width] features and [count, rows] mask. */
export interface EdmBatch {
  readonly count: number;
  readonly rows: number;
  readonly width: number;
  readonly features: Float32Array;
  readonly mask: Float32Array;
  /** Atomic number per row, 0 for padding: [count, rows]. */
  readonly atomicNumbers: Int32Array;
}

/** A batch as distinct EDM rows ([distinctRows, width], row 0 = padding) and, per composition row, its index. */
export interface DistinctRowBatch {
  readonly count: number;
  readonly rows: number;
  readonly width: number;
  readonly distinctRows: number;
  readonly features: Float32Array;
  /** [count, rows] index into the distinct rows. */
  readonly index: Int32Array;
  readonly mask: Float32Array;
}
