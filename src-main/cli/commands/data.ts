/** `pdw data info FILE|NAME`: what a dataset holds and which rows are bad. */
import type { Command } from 'commander';
import { ELEMENT_SYMBOLS } from '../../../shared/index.js';
import {
  isNamedDataset,
  loadNamedDataset,
  readCsvColumns,
  readDatasetFile,
  targetSpecsFor,
  DatasetError,
  type Dataset,
} from '../../data/datasets/index.js';
import { CliError } from '../errors.js';
import { formatTable, num, printJson } from '../output.js';
import { positiveInt } from './featurize.js';

interface InfoOptions {
  formula: string;
  targets?: string;
  id?: string;
  json?: boolean;
  problems: number;
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

export function summarizeTargets(dataset: Dataset): TargetSummary[] {
  return dataset.spec.targets.map((t) => {
    const values = dataset.rows.map((r) => r.targets[t.name]).filter((v): v is number => v !== null && v !== undefined);
    const present = values.length;
    return {
      name: t.name,
      kind: t.kind,
      present,
      missing: dataset.rows.length - present,
      mean: present ? values.reduce((a, b) => a + b, 0) / present : null,
      min: present ? Math.min(...values) : null,
      max: present ? Math.max(...values) : null,
    };
  });
}

function load(source: string, opts: InfoOptions): Dataset {
  if (isNamedDataset(source) && !opts.targets) return loadNamedDataset(source);
  const columns = readCsvColumns(source);
  const requested = opts.targets
    ? opts.targets.split(',').filter((s) => s.trim() !== '')
    : columns.header.filter((h) => h !== opts.formula && h !== opts.id);
  const spec = {
    formulaColumn: opts.formula,
    targets: targetSpecsFor(columns, requested),
    ...(opts.id ? { idColumn: opts.id } : {}),
  };
  return readDatasetFile(source, spec);
}

export function registerData(program: Command): void {
  const data = program.command('data').description('inspect datasets');
  data
    .command('info')
    .description('summarize a dataset CSV (or a bundled dataset by name: mp_abx3, expt_gap, mp_gap) and list its bad rows')
    .argument('<file-or-name>')
    .option('--formula <column>', 'formula column', 'formula')
    .option('--targets <columns>', 'comma-separated target columns, each optionally :number or :boolean (default: every other column)')
    .option('--id <column>', 'row identifier column')
    .option('--problems <n>', 'how many bad rows to list', positiveInt, 20)
    .option('--json', 'print JSON')
    .action((source: string, opts: InfoOptions) => {
      let dataset: Dataset;
      try {
        dataset = load(source, opts);
      } catch (e) {
        if (e instanceof DatasetError) throw new CliError(e.message);
        throw e;
      }
      const formulas = new Set(dataset.rows.map((r) => r.formula));
      const elementCounts = new Map<string, number>();
      for (const row of dataset.rows) {
        for (const e of row.composition.elements) elementCounts.set(e.element, (elementCounts.get(e.element) ?? 0) + 1);
      }
      const targets = summarizeTargets(dataset);
      if (opts.json) {
        printJson({
          source: dataset.source,
          rowsRead: dataset.rowsRead,
          rowsLoaded: dataset.rows.length,
          rowsRejected: dataset.problems.length,
          distinctFormulas: formulas.size,
          distinctElements: elementCounts.size,
          targets,
          problems: dataset.problems,
        });
        return;
      }
      console.log(`source     ${dataset.source}`);
      console.log(`rows       ${dataset.rowsRead} read, ${dataset.rows.length} loaded, ${dataset.problems.length} rejected`);
      console.log(`formulas   ${formulas.size} distinct, ${elementCounts.size} elements`);
      console.log(
        formatTable(
          ['target', 'kind', 'present', 'missing', 'mean', 'min', 'max'],
          targets.map((t) => [t.name, t.kind, t.present, t.missing, t.mean === null ? '-' : num(t.mean, 4), t.min === null ? '-' : num(t.min, 4), t.max === null ? '-' : num(t.max, 4)]),
        ),
      );
      const common = [...elementCounts].sort((a, b) => b[1] - a[1] || ELEMENT_SYMBOLS.indexOf(a[0] as never) - ELEMENT_SYMBOLS.indexOf(b[0] as never));
      console.log(`most common elements: ${common.slice(0, 12).map(([el, n]) => `${el} ${n}`).join(', ')}`);
      if (dataset.problems.length > 0) {
        console.log(`\nrejected rows (${Math.min(opts.problems, dataset.problems.length)} of ${dataset.problems.length}):`);
        for (const p of dataset.problems.slice(0, opts.problems)) {
          console.log(`  line ${p.line}${p.column ? ` [${p.column}]` : ''}: ${p.reason}`);
        }
      }
    });
}
