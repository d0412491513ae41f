/** What a dataset holds: rows read, loaded and rejected (with lines), target statistics, common elements. */
import { ELEMENT_SYMBOLS } from '../../shared/index.js';
import {
  isNamedDataset,
  loadNamedDataset,
  readCsvColumns,
  readDatasetFile,
  targetSpecsFor,
  type Dataset,
  type RowProblem,
} from '../data/datasets/index.js';

import { parse as parseCsv } from 'csv-parse/sync';
import type { TrainRequestColumns } from '../../shared/api/types.js';
import { checkCsvText, DatasetError } from '../data/datasets/index.js';
import { displayText } from '../../shared/text.js';

export { DatasetError };

/** The header and first five rows of CSV text (the training view's preview); DatasetError when it cannot be read. */
export function previewCsv(csv: string): TrainRequestColumns {
  checkCsvText(csv, 'the file');
  let records: string[][];
  try {
    records = parseCsv(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, to_line: 6 }) as string[][];
  } catch (e) {
    throw new DatasetError(`the CSV cannot be read: ${displayText((e as Error).message, 200)}`);
  }
  if (records.length === 0) throw new DatasetError('the CSV is empty');
  const header = records[0]!.map((h) => h.trim());
  const twice = header.find((h, i) => header.indexOf(h) !== i);
  if (twice !== undefined) throw new DatasetError(`the header names the column '${displayText(twice, 40)}' twice; rename one`);
  return { header: records[0]!, preview: records.slice(1) };
}

export interface TargetSummary {
  readonly name: string;
  readonly kind: string;
  readonly present: number;
  readonly missing: number;
  readonly mean: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

export interface DatasetInfo {
  readonly source: string;
  readonly rowsRead: number;
  readonly rowsLoaded: number;
  readonly rowsRejected: number;
  readonly distinctFormulas: number;
  readonly distinctElements: number;
  readonly targets: readonly TargetSummary[];
  /** Elements by the number of rows that contain them, most common first. */
  readonly elements: readonly (readonly [string, number])[];
  readonly problems: readonly RowProblem[];
}

export interface DatasetInfoRequest {
  /** A CSV path or a bundled dataset's name. */
  readonly source: string;
  readonly formulaColumn: string;
  /** Target columns, each optionally `:number` or `:boolean`; default every other column. */
  readonly targets?: readonly string[];
  readonly idColumn?: string;
}

/** Count, mean, min and max of a target in one pass (no spread of a whole column into a call). */
export function summarizeTargets(dataset: Dataset): TargetSummary[] {
  return dataset.spec.targets.map((t) => {
    let present = 0;
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const row of dataset.rows) {
      const v = row.targets[t.name];
      if (v === null || v === undefined) continue;
      present += 1;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { name: t.name, kind: t.kind, present, missing: dataset.rows.length - present, mean: present ? sum / present : null, min: present ? min : null, max: present ? max : null };
  });
}

function load(req: DatasetInfoRequest): Dataset {
  if (isNamedDataset(req.source) && !req.targets) return loadNamedDataset(req.source);
  const columns = readCsvColumns(req.source);
  const requested = req.targets ?? columns.header.filter((h) => h !== req.formulaColumn && h !== req.idColumn);
  return readDatasetFile(req.source, { formulaColumn: req.formulaColumn, targets: targetSpecsFor(columns, requested), ...(req.idColumn ? { idColumn: req.idColumn } : {}) });
}

export function datasetInfo(req: DatasetInfoRequest): DatasetInfo {
  const dataset = load(req);
  const formulas = new Set(dataset.rows.map((r) => r.formula));
  const elementCounts = new Map<string, number>();
  for (const row of dataset.rows) for (const e of row.composition.elements) elementCounts.set(e.element, (elementCounts.get(e.element) ?? 0) + 1);
  const elements = [...elementCounts].sort((a, b) => b[1] - a[1] || ELEMENT_SYMBOLS.indexOf(a[0] as never) - ELEMENT_SYMBOLS.indexOf(b[0] as never));
  return {
    source: dataset.source,
    rowsRead: dataset.rowsRead,
    rowsLoaded: dataset.rows.length,
    rowsRejected: dataset.problems.length,
    distinctFormulas: formulas.size,
    distinctElements: elementCounts.size,
    targets: summarizeTargets(dataset),
    elements,
    problems: dataset.problems,
  };
}
