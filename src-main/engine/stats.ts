/** Per-column standardization statistics, shared by the featurizer's attributes and the training targets. */

export interface ColumnStats<Name extends string = string> {
  readonly names: readonly Name[];
  readonly mean: readonly number[];
  /** Population standard deviation; 1 for a constant or empty column, so standardizing never divides by 0. */
  readonly std: readonly number[];
}

/** Mean and population standard deviation of each column's present values. */
export function columnStats<Name extends string>(names: readonly Name[], columns: readonly (readonly number[])[]): ColumnStats<Name> {
  const mean = columns.map((c) => (c.length ? c.reduce((a, b) => a + b, 0) / c.length : 0));
  const std = columns.map((c, i) => {
    if (c.length === 0) return 1;
    const m = mean[i]!;
    const sd = Math.sqrt(c.reduce((a, b) => a + (b - m) ** 2, 0) / c.length);
    return sd > 0 ? sd : 1;
  });
  return { names: [...names], mean, std };
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
