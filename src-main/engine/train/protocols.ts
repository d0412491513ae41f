/**
 * Evaluation protocols on the seed data (issue: Engine):
 * - R: rows split by splits_mp_abx3_random.csv (the report's protocol; polymorphs of one formula
 *   can sit on both sides);
 * - G: one row per formula (lowest energy above hull; stable if any polymorph is), 5 folds by
 *   folds_mp_abx3_by_formula.csv;
 * - expt_gap: Matbench experimental band gaps, the CrabNet authors' 5-fold files.
 */
import { join } from 'node:path';
import { readDatasetFile, type Dataset, type DatasetRow } from '../../data/datasets/index.js';
import { Rng } from '../random.js';
import type { Example } from './data.js';

export type ProtocolName = 'R' | 'G' | 'expt_gap';
export const PROTOCOL_NAMES: readonly ProtocolName[] = ['R', 'G', 'expt_gap'];

export interface Split {
  readonly name: string;
  readonly train: readonly Example[];
  readonly val: readonly Example[];
  readonly test: readonly Example[];
}

function toExample(row: DatasetRow): Example {
  return { formula: row.formula, composition: row.composition, targets: row.targets };
}

/** Protocol R: rows by the random split file (train / val / test). */
export function protocolR(dataset: Dataset, split: ReadonlyMap<string, string>): Split {
  const parts: Record<string, Example[]> = { train: [], val: [], test: [] };
  for (const row of dataset.rows) {
    const which = row.id === null ? undefined : split.get(row.id);
    if (which === undefined || !parts[which]) throw new Error(`row ${row.id ?? row.formula} (line ${row.line}) has no train/val/test assignment`);
    parts[which]!.push(toExample(row));
  }
  return { name: 'R', train: parts['train']!, val: parts['val']!, test: parts['test']! };
}

/**
 * One example per formula: the targets of the polymorph with the lowest energy above hull (ties:
 * first in the file); `stable` is 1 if any polymorph is stable. Rows without energy_above_hull rank last.
 */
export function onePerFormula(dataset: { readonly rows: readonly Example[] }): Example[] {
  const groups = new Map<string, Example[]>();
  for (const row of dataset.rows) {
    const list = groups.get(row.formula);
    if (list) list.push(row);
    else groups.set(row.formula, [row]);
  }
  return [...groups.values()].map((rows) => {
    const ehull = (r: Example): number => r.targets['energy_above_hull'] ?? Number.POSITIVE_INFINITY;
    const best = rows.reduce((a, b) => (ehull(b) < ehull(a) ? b : a));
    const targets: Record<string, number | null> = { ...best.targets };
    if ('stable' in best.targets) targets['stable'] = rows.some((r) => r.targets['stable'] === 1) ? 1 : 0;
    return { formula: best.formula, composition: best.composition, targets };
  });
}

/** Takes a seeded `fraction` of `examples` out as validation. */
export function holdOut(examples: readonly Example[], fraction: number, seed: number): { train: Example[]; val: Example[] } {
  const order = new Rng(seed).shuffle(examples.map((_, i) => i));
  const nVal = Math.round(examples.length * fraction);
  const valSet = new Set(order.slice(0, nVal));
  return { train: examples.filter((_, i) => !valSet.has(i)), val: examples.filter((_, i) => valSet.has(i)) };
}

/** Protocol G, fold k: test = formulas of fold k; a seeded 10% of the rest validates. */
export function protocolG(dataset: Dataset, folds: ReadonlyMap<string, string>, fold: number, seed: number): Split {
  const examples = onePerFormula(dataset);
  const test: Example[] = [];
  const rest: Example[] = [];
  for (const e of examples) {
    const f = folds.get(e.formula);
    if (f === undefined) throw new Error(`formula ${e.formula} has no fold`);
    (Number(f) === fold ? test : rest).push(e);
  }
  const { train, val } = holdOut(rest, 0.1, seed + fold);
  return { name: `G/fold${fold}`, train, val, test };
}

/** expt_gap fold k from matbench_cv/expt_gap/{train,val,test}k.csv. */
export function protocolExptGap(dataDir: string, fold: number): Split {
  const spec = { formulaColumn: 'formula', targets: [{ name: 'band_gap', column: 'target', kind: 'number' as const }] };
  const read = (part: string): Example[] => {
    const ds = readDatasetFile(join(dataDir, 'benchmarks', 'matbench_cv', 'expt_gap', `${part}${fold}.csv`), spec);
    if (ds.problems.length > 0) throw new Error(`${ds.source}: ${ds.problems.length} bad rows, first: line ${ds.problems[0]!.line} ${ds.problems[0]!.reason}`);
    return ds.rows.map(toExample);
  };
  return { name: `expt_gap/fold${fold}`, train: read('train'), val: read('val'), test: read('test') };
}
