import type { Composition } from '../../../shared/index.js';

/** How a target column is read: numbers, or booleans stored as 1 / 0. */
export type TargetKind = 'number' | 'boolean';

export interface TargetSpec {
  /** Name used inside the workbench (band_gap, stable, ...). */
  readonly name: string;
  /** Header of the CSV column it is read from. */
  readonly column: string;
  readonly kind: TargetKind;
}

export interface DatasetSpec {
  readonly formulaColumn: string;
  /** Optional row identifier column (mp_id). */
  readonly idColumn?: string;
  readonly targets: readonly TargetSpec[];
  /** Reject formulas with more distinct elements than the model supports. */
  readonly maxElements?: number;
}

export interface DatasetRow {
  /** 1-based line of the CSV file where the row starts (the header is line 1). */
  readonly line: number;
  readonly id: string | null;
  readonly formula: string;
  readonly composition: Composition;
  /** Target values by name; booleans as 1 / 0; null where the cell is empty. */
  readonly targets: Readonly<Record<string, number | null>>;
}

/** A row that was not loaded, and why. Every rejected row appears here: nothing is dropped silently. */
export interface RowProblem {
  readonly line: number;
  readonly column: string | null;
  readonly reason: string;
}

export interface Dataset {
  readonly source: string;
  readonly spec: DatasetSpec;
  readonly rows: readonly DatasetRow[];
  readonly problems: readonly RowProblem[];
  /** Data rows in the file (header and blank lines excluded) = rows + rejected rows. */
  readonly rowsRead: number;
}
