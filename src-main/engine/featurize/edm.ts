/**
 * Composition -> element descriptor matrix (EDM), as in SEED_MODEL.md: one row per element,
 * [mat2vec (200) | standardized attributes (10) | fraction encoding (fractionWidth)], padded with
 * zero rows (mask 0) up to maxElements. Rows are ordered by atomic fraction (largest first), then by
 * electronegativity (lowest first, missing last), then by atomic number, so the order is deterministic.
 */
import type { Composition, ElementSymbol } from '../../../shared/index.js';
import type { ElementTable } from '../../data/elements/load.js';
import type { ElementRecord } from '../../data/elements/types.js';
import { computeAttributeStats, writeStandardizedAttributes } from './attributes.js';
import { ATTRIBUTE_NAMES, DEFAULT_FRACTION_WIDTH, DEFAULT_MAX_ELEMENTS, MAT2VEC_WIDTH } from './constants.js';
import { encodeFraction, fractionEncodingParts } from './fraction-encoding.js';
import type { DistinctRowBatch, EdmBatch, EdmLayout, EdmMatrix, FeaturizerSettings } from './types.js';

/** Why a composition cannot be featurized. */
export class FeaturizeError extends Error {
  override name = 'FeaturizeError';
}

export function edmLayout(fractionWidth: number): EdmLayout {
  fractionEncodingParts(fractionWidth);
  const attrEnd = MAT2VEC_WIDTH + ATTRIBUTE_NAMES.length;
  return {
    width: attrEnd + fractionWidth,
    mat2vec: [0, MAT2VEC_WIDTH],
    attributes: [MAT2VEC_WIDTH, attrEnd],
    fraction: [attrEnd, attrEnd + fractionWidth],
  };
}

/** Default settings: attribute statistics over every element in the table. */
export function defaultFeaturizerSettings(table: ElementTable, overrides: Partial<Omit<FeaturizerSettings, 'attributeStats'>> = {}): FeaturizerSettings {
  return {
    maxElements: overrides.maxElements ?? DEFAULT_MAX_ELEMENTS,
    fractionWidth: overrides.fractionWidth ?? DEFAULT_FRACTION_WIDTH,
    attributeStats: computeAttributeStats(table.elements),
  };
}

interface OrderedElement {
  readonly record: ElementRecord;
  readonly fraction: number;
}

export class Featurizer {
  readonly layout: EdmLayout;

  constructor(
    private readonly table: ElementTable,
    readonly settings: FeaturizerSettings,
  ) {
    if (!Number.isInteger(settings.maxElements) || settings.maxElements < 1) {
      throw new RangeError(`maxElements must be a positive integer, got ${settings.maxElements}`);
    }
    this.layout = edmLayout(settings.fractionWidth);
  }

  get width(): number {
    return this.layout.width;
  }

  /** Elements of the composition in EDM row order, checked against the table and the row limit. */
  order(composition: Composition): OrderedElement[] {
    if (composition.elements.length > this.settings.maxElements) {
      throw new FeaturizeError(
        `${composition.elements.length} elements; this featurizer takes at most ${this.settings.maxElements}`,
      );
    }
    const rows = composition.elements.map((e) => {
      const record = this.table.get(e.element);
      if (record.mat2vec === null) throw new FeaturizeError(`no mat2vec vector for ${e.element}`);
      return { record, fraction: e.fraction };
    });
    const chi = (r: ElementRecord): number => r.electronegativity ?? Number.POSITIVE_INFINITY;
    return rows.sort(
      (p, q) => q.fraction - p.fraction || chi(p.record) - chi(q.record) || p.record.z - q.record.z,
    );
  }

  /** Writes one composition's rows into a [rows, width] block at `offset` of `features`. */
  private write(ordered: readonly OrderedElement[], features: Float32Array, offset: number): void {
    const { width, attributes, fraction } = this.layout;
    ordered.forEach(({ record, fraction: x }, i) => {
      const base = offset + i * width;
      features.set(record.mat2vec!, base);
      writeStandardizedAttributes(record, this.settings.attributeStats, features, base + attributes[0]);
      encodeFraction(x, this.settings.fractionWidth, features, base + fraction[0]);
    });
  }

  featurize(composition: Composition): EdmMatrix {
    const ordered = this.order(composition);
    const rows = this.settings.maxElements;
    const values = new Float32Array(rows * this.width);
    this.write(ordered, values, 0);
    const mask = new Uint8Array(rows);
    mask.fill(1, 0, ordered.length);
    return {
      rows,
      width: this.width,
      values,
      mask,
      elements: ordered.map((o) => o.record.symbol as ElementSymbol),
      fractions: ordered.map((o) => o.fraction),
    };
  }

  /**
   * The batch as distinct EDM rows plus an index per (composition, row): screening batches repeat the
   * same (element, fraction) rows many times, and the model's input projection is linear per row, so
   * it can be computed once per distinct row. Distinct row 0 is the all-zero padding row. `rows`
   * (default maxElements) may be as low as the largest element count in the batch: padding rows
   * cost the model as much as element rows and change nothing in its output.
   */
  featurizeDistinctRows(compositions: readonly Composition[], rows = this.settings.maxElements): DistinctRowBatch {
    const widest = compositions.reduce((m, c) => Math.max(m, c.elements.length), 0);
    if (rows < widest || rows > this.settings.maxElements) {
      throw new FeaturizeError(`${rows} rows for compositions of up to ${widest} elements (this featurizer takes at most ${this.settings.maxElements})`);
    }
    const index = new Int32Array(compositions.length * rows);
    const mask = new Float32Array(compositions.length * rows);
    const keys = new Map<string, number>();
    const distinct: OrderedElement[] = [];
    compositions.forEach((composition, n) => {
      this.order(composition).forEach((o, i) => {
        const key = `${o.record.symbol}:${o.fraction}`;
        let k = keys.get(key);
        if (k === undefined) {
          distinct.push(o);
          k = distinct.length; // 0 is the padding row
          keys.set(key, k);
        }
        index[n * rows + i] = k;
        mask[n * rows + i] = 1;
      });
    });
    const features = new Float32Array((distinct.length + 1) * this.width);
    distinct.forEach((o, k) => this.write([o], features, (k + 1) * this.width));
    return { count: compositions.length, rows, width: this.width, distinctRows: distinct.length + 1, features, index, mask };
  }

  /** Featurizes many compositions into one contiguous batch ready for tensors. */
  featurizeBatch(compositions: readonly Composition[]): EdmBatch {
    const rows = this.settings.maxElements;
    const width = this.width;
    const count = compositions.length;
    const features = new Float32Array(count * rows * width);
    const mask = new Float32Array(count * rows);
    const atomicNumbers = new Int32Array(count * rows);
    compositions.forEach((composition, n) => {
      const ordered = this.order(composition);
      this.write(ordered, features, n * rows * width);
      ordered.forEach((o, i) => {
        mask[n * rows + i] = 1;
        atomicNumbers[n * rows + i] = o.record.z;
      });
    });
    return { count, rows, width, features, mask, atomicNumbers };
  }
}
