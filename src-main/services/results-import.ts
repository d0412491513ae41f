/**
 * Results back in: a CSV of computed or measured values (a formula column and any of the screen's
 * model's targets) stored beside the predictions of a screen's candidates, matched by composition
 * (atomic fractions to 4 decimals, molecular ions as their atoms), never overwriting a prediction.
 * Every row not stored is reported with its line and why: unreadable cells, an unknown formula, or
 * no candidate of the screen with that composition.
 */
import type { ImportSummary } from '../../shared/api/types.js';
import { compositionKey } from '../../shared/composition/key.js';
import type { SiteComposition } from '../../shared/index.js';
import { csvColumnsOf, DatasetError, parseDatasetText, type TargetSpec } from '../data/datasets/index.js';
import type { ElementTable } from '../data/elements/load.js';
import { moleculeAbbreviations } from '../data/elements/molecules.js';
import type { Library, ResultRecord } from '../library/index.js';
import { compositionOfSites } from './candidates.js';

export interface ImportRequest {
  readonly screenId: number;
  readonly csv: string;
  /** The file's name, kept with each value ("where did this come from?"). */
  readonly fileName: string;
  /** Where the values come from ("PBE, my group", "experiment"). */
  readonly source: string;
  /** The formula column (default: `formula`, any case). */
  readonly formulaColumn?: string | undefined;
}

/** The header's name for `wanted`, exact or in another case; undefined when absent. */
function column(header: readonly string[], wanted: string): string | undefined {
  return header.find((h) => h === wanted) ?? header.find((h) => h.toLowerCase() === wanted.toLowerCase());
}

export function importResults(library: Library, table: ElementTable, req: ImportRequest): ImportSummary {
  library.screen(req.screenId); // an unknown screen is refused (404) before the file is read
  const { header } = csvColumnsOf(req.csv, req.fileName);
  const formulaColumn = column(header, req.formulaColumn ?? 'formula');
  if (!formulaColumn) throw new DatasetError(`${req.fileName}: no column '${req.formulaColumn ?? 'formula'}' for the formulas (columns: ${header.join(', ')})`);
  const model = library.screenModelTargets(req.screenId);
  const targets: TargetSpec[] = [];
  for (const name of [...model.regression, ...(model.classification ? [model.classification] : [])]) {
    const c = column(header, name);
    if (c) targets.push({ name, column: c, kind: name === model.classification ? 'boolean' : 'number' });
  }
  if (!targets.length) {
    throw new DatasetError(`${req.fileName}: no column names a target of the screen's model (${[...model.regression, model.classification].filter(Boolean).join(', ')}); columns: ${header.join(', ')}`);
  }
  const used = new Set([formulaColumn, ...targets.map((t) => t.column)]);
  const dataset = parseDatasetText(req.csv, { formulaColumn, targets }, req.fileName, moleculeAbbreviations());

  // candidates by composition key, looked up once per element set (an index seek on the element masks)
  const byElements = new Map<string, Map<string, number[]>>();
  const candidatesOf = (elements: readonly string[], key: string): readonly number[] => {
    const set = [...elements].sort().join(',');
    let keys = byElements.get(set);
    if (!keys) {
      keys = new Map();
      for (const c of library.candidatesWithElements(req.screenId, elements)) {
        const k = compositionKey(compositionOfSites(JSON.parse(c.sitesJson) as SiteComposition, table));
        (keys.get(k) ?? keys.set(k, []).get(k)!).push(c.id);
      }
      byElements.set(set, keys);
    }
    return keys.get(key) ?? [];
  };

  const problems = [...dataset.problems];
  const records: ResultRecord[] = [];
  const matched = new Set<number>();
  for (const row of dataset.rows) {
    const ids = candidatesOf(row.composition.elements.map((e) => e.element), compositionKey(row.composition));
    if (!ids.length) {
      problems.push({ line: row.line, column: formulaColumn, reason: `no candidate of screen ${req.screenId} has the composition of '${row.formula}'` });
      continue;
    }
    const values = targets.filter((t) => row.targets[t.name] !== null && row.targets[t.name] !== undefined);
    if (!values.length) {
      problems.push({ line: row.line, column: null, reason: `no value in ${targets.map((t) => t.column).join(', ')}` });
      continue;
    }
    for (const id of ids) {
      matched.add(id);
      for (const t of values) records.push({ candidateId: id, screenId: req.screenId, target: t.name, value: row.targets[t.name]!, source: req.source, formula: row.formula, file: req.fileName, line: row.line });
    }
  }
  const { added, duplicates } = library.addResults(records);
  return {
    screenId: req.screenId,
    targets: targets.map((t) => t.name),
    ignoredColumns: header.filter((h) => !used.has(h)),
    added,
    duplicates,
    candidates: matched.size,
    problems: problems.sort((a, b) => a.line - b.line),
  };
}
