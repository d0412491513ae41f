/** The data bundle's datasets and split files, loaded by name. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { dataDir } from '../paths.js';
import { DatasetError, readDatasetFile } from './read-csv.js';
import type { Dataset, DatasetSpec } from './types.js';

interface NamedDataset {
  readonly file: string;
  readonly description: string;
  readonly spec: DatasetSpec;
}

const MATBENCH_GAP: DatasetSpec = {
  formulaColumn: 'formula',
  targets: [{ name: 'band_gap', column: 'target', kind: 'number' }],
};

export const NAMED_DATASETS: Readonly<Record<string, NamedDataset>> = {
  mp_abx3: {
    file: 'perovskites/mp_abx3.csv',
    description: 'Materials Project ABX3 entries (polymorphs included), the seed set of SEED_MODEL.md',
    spec: {
      formulaColumn: 'formula',
      idColumn: 'mp_id',
      targets: [
        { name: 'band_gap', column: 'band_gap (eV)', kind: 'number' },
        { name: 'stable', column: 'stable', kind: 'boolean' },
        { name: 'formation_energy', column: 'formation_energy (eV/atom)', kind: 'number' },
        { name: 'energy_above_hull', column: 'energy_above_hull (eV/atom)', kind: 'number' },
        { name: 'density', column: 'density (g/cc)', kind: 'number' },
        { name: 'volume', column: 'volume (cubic-angstrom)', kind: 'number' },
      ],
    },
  },
  expt_gap: { file: 'benchmarks/matbench/expt_gap.csv', description: 'Matbench experimental band gaps', spec: MATBENCH_GAP },
  mp_gap: { file: 'benchmarks/matbench/mp_gap.csv', description: 'Matbench Materials Project PBE band gaps', spec: MATBENCH_GAP },
};

interface NamedSplit {
  readonly file: string;
  readonly key: string;
  readonly value: string;
  readonly description: string;
}

export const NAMED_SPLITS: Readonly<Record<string, NamedSplit>> = {
  mp_abx3_random: {
    file: 'perovskites/splits_mp_abx3_random.csv',
    key: 'mp_id',
    value: 'split',
    description: 'protocol R: mp_id -> train / val / test (3,645 / 456 / 456)',
  },
  mp_abx3_by_formula: {
    file: 'perovskites/folds_mp_abx3_by_formula.csv',
    key: 'formula',
    value: 'fold',
    description: 'protocol G: formula -> fold 0..4',
  },
};

export function isNamedDataset(name: string): boolean {
  return Object.hasOwn(NAMED_DATASETS, name);
}

export function namedDatasetPath(name: string, root = dataDir()): string {
  const entry = NAMED_DATASETS[name];
  if (!entry) throw new DatasetError(`no dataset named '${name}' (known: ${Object.keys(NAMED_DATASETS).join(', ')})`);
  return join(root, entry.file);
}

export function loadNamedDataset(name: string, root = dataDir()): Dataset {
  const entry = NAMED_DATASETS[name];
  if (!entry) throw new DatasetError(`no dataset named '${name}' (known: ${Object.keys(NAMED_DATASETS).join(', ')})`);
  return readDatasetFile(join(root, entry.file), entry.spec);
}

/** A split file as key -> assignment (mp_id -> 'train' | 'val' | 'test', or formula -> '0'..'4'). */
export function loadNamedSplit(name: string, root = dataDir()): ReadonlyMap<string, string> {
  const entry = NAMED_SPLITS[name];
  if (!entry) throw new DatasetError(`no split named '${name}' (known: ${Object.keys(NAMED_SPLITS).join(', ')})`);
  const file = join(root, entry.file);
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const out = new Map<string, string>();
  rows.forEach((r, i) => {
    const key = r[entry.key];
    const value = r[entry.value];
    if (key === undefined || value === undefined) throw new DatasetError(`${file}: line ${i + 2} lacks '${entry.key}' or '${entry.value}'`);
    out.set(key, value);
  });
  return out;
}
