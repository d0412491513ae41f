/**
 * Reads a dataset CSV: a formula column and named target columns. Each bad row is reported with its
 * line number and reason and left out of `rows`; nothing is dropped without a problem entry.
 * CSV syntax is csv-parse's job (quotes, embedded newlines, BOM); the checks here are ours.
 */
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { parseFormula } from '../../../shared/index.js';
import type { MolecularIons } from '../../../shared/composition/parse.js';
import { displayText } from '../../../shared/text.js';
import type { Dataset, DatasetRow, DatasetSpec, RowProblem, TargetSpec } from './types.js';

/** The file cannot be read as a dataset at all (missing file, missing column, broken CSV). */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** Decimal numbers only: no hex (0x10), binary, octal, Infinity or thousands separators. */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$/;

/** What a value of a target may be: band gaps are non-negative and below 30 eV; energies per atom within +-50 eV; anything else within +-1e6. */
export function physicalRange(target: string): readonly [number, number] {
  if (/gap/i.test(target)) return [0, 30];
  if (/hull/i.test(target)) return [0, 50];
  if (/energy|formation/i.test(target)) return [-50, 50];
  return [-1e6, 1e6];
}

const MISSING = new Set(['', 'na', 'nan', 'null', 'none', '-']);
const TRUE_WORDS = new Set(['true', '1', 'yes', 't', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'f', 'n']);

/** Reads one target cell; `undefined` with a reason when the text is not a valid value. */
export function readTargetCell(text: string, target: TargetSpec): { value: number | null } | { reason: string } {
  const t = text.trim();
  if (MISSING.has(t.toLowerCase())) return { value: null };
  if (target.kind === 'boolean') {
    const lower = t.toLowerCase();
    if (TRUE_WORDS.has(lower)) return { value: 1 };
    if (FALSE_WORDS.has(lower)) return { value: 0 };
    return { reason: `'${displayText(t, 40)}' is not a boolean (use TRUE/FALSE or 1/0)` };
  }
  if (!PLAIN_NUMBER.test(t)) return { reason: `'${displayText(t, 40)}' is not a plain decimal number` };
  const value = Number(t);
  const [lo, hi] = physicalRange(target.name);
  if (!(value >= lo && value <= hi)) return { reason: `${t} is outside the range accepted for ${target.name} (${lo} to ${hi}${target.name.match(/gap/i) ? ' eV' : ''})` };
  return { value };
}

type Record_ = { record: string[]; info: { lines: number } };

/** Refuses text that is not a UTF-8 CSV (binary, UTF-16, Latin-1), saying what it looks like. */
export function checkCsvText(text: string, source: string): void {
  if (text.includes('\u0000')) throw new DatasetError(`${source} is not a UTF-8 text file (it holds NUL bytes: binary, or UTF-16); save it as CSV in UTF-8`);
  const bad = text.indexOf('\ufffd');
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    throw new DatasetError(`${source} is not valid UTF-8 (first at line ${line}; Latin-1 or Windows-1252?); save it as CSV in UTF-8`);
  }
}

export function parseDatasetText(text: string, spec: DatasetSpec, source = '<text>', molecules?: MolecularIons): Dataset {
  checkCsvText(text, source);
  let records: Record_[];
  try {
    records = parseCsv(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true }) as unknown as Record_[];
  } catch (e) {
    throw new DatasetError(`${source}: ${(e as Error).message}`);
  }
  const headerRecord = records[0];
  if (!headerRecord) throw new DatasetError(`${source}: the file is empty`);
  const header = headerRecord.record.map((h) => h.trim());
  const twice = header.find((h, i) => header.indexOf(h) !== i);
  if (twice !== undefined) throw new DatasetError(`${source}: the header names the column '${displayText(twice, 40)}' twice; rename one`);
  const indexOf = (column: string): number => {
    const i = header.indexOf(column);
    if (i < 0) throw new DatasetError(`${source}: no column '${column}' in the header (columns: ${header.join(', ')})`);
    return i;
  };
  const formulaAt = indexOf(spec.formulaColumn);
  const idAt = spec.idColumn === undefined ? -1 : indexOf(spec.idColumn);
  const targetAt = spec.targets.map((t) => indexOf(t.column));

  const rows: DatasetRow[] = [];
  const problems: RowProblem[] = [];
  for (const { record, info } of records.slice(1)) {
    // info.lines is the line where the record ends; a record starts there unless a quoted cell spans lines
    const line = info.lines - (record.join(',').match(/\n/g)?.length ?? 0);
    if (record.length !== header.length) {
      problems.push({ line, column: null, reason: `${record.length} cells, the header has ${header.length}` });
      continue;
    }
    const formula = record[formulaAt]!.trim();
    const parsed = parseFormula(formula, { ...(spec.maxElements === undefined ? {} : { maxElements: spec.maxElements }), ...(molecules ? { molecules } : {}) });
    if (!parsed.ok) {
      problems.push({ line, column: spec.formulaColumn, reason: `formula '${displayText(formula)}': ${parsed.error.message}` });
      continue;
    }
    const targets: Record<string, number | null> = {};
    let problem: RowProblem | undefined;
    spec.targets.forEach((target, k) => {
      if (problem) return;
      const cell = readTargetCell(record[targetAt[k]!]!, target);
      if ('reason' in cell) problem = { line, column: target.column, reason: cell.reason };
      else targets[target.name] = cell.value;
    });
    if (problem) {
      problems.push(problem);
      continue;
    }
    rows.push({ line, id: idAt < 0 ? null : record[idAt]!.trim(), formula, composition: parsed.value, targets });
  }
  return { source, spec, rows, problems, rowsRead: records.length - 1 };
}

export function readDatasetFile(file: string, spec: DatasetSpec): Dataset {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DatasetError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseDatasetText(text, spec, file);
}
