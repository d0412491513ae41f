/** The 10 elemental attributes of an EDM row, raw and standardized. */
import type { ElementRecord } from '../../data/elements/types.js';
import { columnStats } from '../stats.js';
import { ATTRIBUTE_NAMES } from './constants.js';
import type { AttributeStats } from './types.js';

/** Raw attribute values in ATTRIBUTE_NAMES order; null where the table has no value. */
export function rawAttributes(e: ElementRecord): (number | null)[] {
  return [
    e.z,
    e.atomicMass,
    e.electronegativity,
    e.atomicRadius,
    e.averageIonicRadius,
    e.group,
    e.row,
    e.isMetal ? 1 : 0,
    e.isTransitionMetal ? 1 : 0,
    e.isMetalloid ? 1 : 0,
  ];
}

/**
 * Mean and (population) standard deviation of each attribute over the given elements, skipping
 * missing values. A constant attribute gets std 1 so that standardizing never divides by zero.
 */
export function computeAttributeStats(elements: readonly ElementRecord[]): AttributeStats {
  const columns = ATTRIBUTE_NAMES.map(() => [] as number[]);
  for (const e of elements) {
    rawAttributes(e).forEach((v, i) => {
      if (v !== null) columns[i]!.push(v);
    });
  }
  return columnStats(ATTRIBUTE_NAMES, columns);
}

/**
 * Standardized attributes written into out[offset..offset+10). A missing value is imputed at the
 * mean, i.e. 0 after standardization: the model sees "average", never a fake raw 0.
 */
export function writeStandardizedAttributes(e: ElementRecord, stats: AttributeStats, out: Float32Array, offset: number): void {
  rawAttributes(e).forEach((v, i) => {
    out[offset + i] = v === null ? 0 : (v - stats.mean[i]!) / stats.std[i]!;
  });
}
