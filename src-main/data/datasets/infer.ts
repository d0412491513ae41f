/** Guesses how to read a user's CSV: its header and whether each target column is boolean or numeric. */
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { checkCsvText, DatasetError } from './read-csv.js';
import type { TargetKind, TargetSpec } from './types.js';

const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no']);

/**
 * 'boolean' when most non-empty cells are true/false/yes/no (any case), else 'number': one bad cell
 * in a column of booleans is then that row's problem, not a reason to read the whole column as numbers.
 */
export function inferTargetKind(cells: readonly string[]): TargetKind {
  const filled = cells.map((c) => c.trim().toLowerCase()).filter((c) => c !== '');
  const booleans = filled.filter((c) => BOOLEAN_WORDS.has(c)).length;
  return filled.length > 0 && booleans * 2 > filled.length ? 'boolean' : 'number';
}

export interface CsvColumns {
  readonly header: readonly string[];
  /** Cells per column (rows with the wrong number of cells are skipped here; the reader reports them). */
  readonly cells: ReadonlyMap<string, readonly string[]>;
}

export function readCsvColumns(file: string): CsvColumns {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DatasetError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return csvColumnsOf(text, file);
}

/** The header and cells of CSV text (an upload); `source` names it in errors. */
export function csvColumnsOf(text: string, source: string): CsvColumns {
  checkCsvText(text, source);
  let records: string[][];
  try {
    records = parseCsv(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (e) {
    throw new DatasetError(`${source}: ${(e as Error).message}`);
  }
  const header = (records[0] ?? []).map((h) => h.trim());
  if (header.length === 0) throw new DatasetError(`${source}: the file is empty`);
  const cells = new Map(header.map((h, i) => [h, records.slice(1).filter((r) => r.length === header.length).map((r) => r[i]!)]));
  return { header, cells };
}

/**
 * Target specs for the named columns. A column may carry an explicit kind (`stable:boolean`,
 * `gap:number`); otherwise the kind is inferred from its cells.
 */
export function targetSpecsFor(columns: CsvColumns, requested: readonly string[]): TargetSpec[] {
  return requested.map((item) => {
    const m = /^(.*?)(?::(boolean|bool|number))?$/.exec(item.trim())!;
    const column = m[1]!;
    const cells = columns.cells.get(column);
    if (!cells) throw new DatasetError(`no column '${column}' in the header (columns: ${columns.header.join(', ')})`);
    const kind: TargetKind = m[2] ? (m[2] === 'number' ? 'number' : 'boolean') : inferTargetKind(cells);
    return { name: column, column, kind };
  });
}
