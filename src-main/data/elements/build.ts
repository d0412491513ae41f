/**
 * Builds the element table (resources/elements/elements.json) from the data bundle:
 * pymatgen's periodic_table.json, mat2vec.csv and ptable.csv (layout). Run at setup; the output is
 * git-ignored because it is derived from the bundle.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { ELEMENT_SYMBOLS, isElementSymbol } from '../../../shared/index.js';
import { groupOf, isMetal, isMetalloid, isTransitionMetal, periodOf } from './classify.js';
import { ELEMENT_TABLE_FORMAT, type ElementRecord, type ElementTableFile, type ShannonRadius } from './types.js';

export const MAT2VEC_WIDTH = 200;

interface PymatgenShannonEntry {
  crystal_radius?: unknown;
  ionic_radius?: unknown;
}
type PymatgenShannon = Record<string, Record<string, Record<string, PymatgenShannonEntry>>>;
type PymatgenElement = Record<string, unknown>;

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function intList(v: unknown): number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isInteger(x)) : [];
}

const ROMAN: Readonly<Record<string, number>> = { I: 1, V: 5, X: 10 };

/** "VI" -> 6, "XII" -> 12, "IVSQ" (square planar) -> 4, "IIIPY" (pyramidal) -> 3. */
export function coordinationNumber(label: string): number {
  const roman = /^[IVX]+/.exec(label)?.[0];
  if (!roman) throw new Error(`cannot read coordination '${label}'`);
  let total = 0;
  for (let i = 0; i < roman.length; i += 1) {
    const v = ROMAN[roman[i]!]!;
    const next = ROMAN[roman[i + 1] ?? ''] ?? 0;
    total += v < next ? -v : v;
  }
  return total;
}

function shannonRadii(raw: unknown): ShannonRadius[] {
  if (raw === null || typeof raw !== 'object') return [];
  const out: ShannonRadius[] = [];
  for (const [state, byCoordination] of Object.entries(raw as PymatgenShannon)) {
    for (const [label, bySpin] of Object.entries(byCoordination)) {
      for (const [spin, entry] of Object.entries(bySpin)) {
        const ionic = numberOrNull(entry.ionic_radius);
        const crystal = numberOrNull(entry.crystal_radius);
        if (ionic === null || crystal === null) continue;
        out.push({
          oxidationState: Number(state),
          coordination: coordinationNumber(label),
          coordinationLabel: label,
          spin: spin === '' ? null : spin,
          ionicRadius: ionic,
          crystalRadius: crystal,
          source: 'pymatgen',
        });
      }
    }
  }
  return out.sort((a, b) => a.oxidationState - b.oxidationState || a.coordination - b.coordination);
}

const ROMAN_LABEL: Readonly<Record<number, string>> = { 1: 'I', 2: 'II', 3: 'III', 4: 'IV', 5: 'V', 6: 'VI', 7: 'VII', 8: 'VIII', 9: 'IX', 10: 'X', 11: 'XI', 12: 'XII', 14: 'XIV' };

/** A row of the bundle's shannon_radii.csv: an element's ion, or (name in the first column) a molecular ion. */
export interface CsvRadius {
  readonly ion: string;
  readonly symbol: string;
  readonly oxidationState: number;
  readonly coordination: number;
  readonly spin: string | null;
  readonly ionicRadius: number;
  readonly crystalRadius: number;
  /** The record number, or a molecular ion's name (e.g. methylammonium). */
  readonly record: string;
}

export function readShannonCsv(file: string): CsvRadius[] {
  const rows = parseCsv(readFileSync(file, 'utf8'), { skip_empty_lines: true, from_line: 2, relax_column_count: true }) as string[][];
  return rows.map((r, i) => {
    const ion = (r[1] ?? '').replace(/\s+/g, '');
    const symbol = /^[A-Z][a-z]?/.exec(ion)?.[0] ?? '';
    const out = {
      ion,
      symbol,
      oxidationState: Number(r[2]),
      coordination: Number(r[4]),
      spin: r[5] === 'HS' ? 'High Spin' : r[5] === 'LS' ? 'Low Spin' : null,
      crystalRadius: Number(r[6]),
      ionicRadius: Number(r[7]),
      record: (r[0] ?? '').trim(),
    };
    if (!symbol || ![out.oxidationState, out.coordination, out.ionicRadius, out.crystalRadius].every(Number.isFinite)) {
      throw new Error(`${file}: line ${i + 2} ('${r.join(',')}') is not ion, state, coordination and radii`);
    }
    return out;
  });
}

/**
 * Shannon radii of one element: pymatgen's entries first; the CSV adds the (state, coordination, spin)
 * entries pymatgen lacks (Sn2+, Dy2+, Tm2+, ...), each marked with its source.
 */
export function mergeRadii(fromPymatgen: readonly ShannonRadius[], fromCsv: readonly CsvRadius[]): ShannonRadius[] {
  const key = (state: number, cn: number, spin: string | null): string => `${state}/${cn}/${spin ?? ''}`;
  const have = new Set(fromPymatgen.map((r) => key(r.oxidationState, r.coordination, r.spin)));
  const added = fromCsv
    .filter((r) => !have.has(key(r.oxidationState, r.coordination, r.spin)))
    .map((r): ShannonRadius => ({ oxidationState: r.oxidationState, coordination: r.coordination, coordinationLabel: ROMAN_LABEL[r.coordination] ?? String(r.coordination), spin: r.spin, ionicRadius: r.ionicRadius, crystalRadius: r.crystalRadius, source: 'shannon_radii.csv' }));
  return [...fromPymatgen, ...added].sort((a, b) => a.oxidationState - b.oxidationState || a.coordination - b.coordination);
}

function averageIonicRadius(raw: unknown): number | null {
  if (raw === null || typeof raw !== 'object') return null;
  const radii = Object.values(raw).map(numberOrNull).filter((r): r is number => r !== null);
  return radii.length === 0 ? null : radii.reduce((a, b) => a + b, 0) / radii.length;
}

function readMat2vec(file: string): Map<string, number[]> {
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const out = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const symbol = row['element'] ?? '';
    const vector = Array.from({ length: MAT2VEC_WIDTH }, (_, k) => Number(row[String(k)]));
    if (vector.some((x) => !Number.isFinite(x))) {
      throw new Error(`${file}: line ${i + 2} (${symbol}) does not have ${MAT2VEC_WIDTH} numeric columns`);
    }
    out.set(symbol, vector);
  });
  return out;
}

function readLayout(file: string): Map<string, { row: number; column: number }> {
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return new Map(rows.map((r) => [r['symbol'] ?? '', { row: Number(r['row']), column: Number(r['column']) }]));
}

/** Reads the bundle's element files and returns the table (all 118 elements, missing values null). */
export function buildElementTable(dataDir: string): ElementTableFile {
  const dir = join(dataDir, 'elements');
  const tablePath = join(dir, 'periodic_table.json');
  let pymatgen: Record<string, PymatgenElement>;
  try {
    pymatgen = JSON.parse(readFileSync(tablePath, 'utf8')) as Record<string, PymatgenElement>;
  } catch (e) {
    throw new Error(`cannot read ${tablePath}: ${(e as Error).message}. Set PDW_DATA_DIR to the data bundle folder.`);
  }
  const mat2vec = readMat2vec(join(dir, 'mat2vec.csv'));
  const layout = readLayout(join(dir, 'ptable.csv'));
  const csvRadii = readShannonCsv(join(dir, 'shannon_radii.csv')).filter((r) => isElementSymbol(r.symbol) && /^\d+$/.test(r.record));
  const elements: ElementRecord[] = ELEMENT_SYMBOLS.map((symbol, i) => {
    const z = i + 1;
    const src = pymatgen[symbol];
    if (!src) throw new Error(`${tablePath} has no entry for ${symbol}`);
    if (src['Atomic no'] !== z) throw new Error(`${tablePath}: ${symbol} has atomic number ${String(src['Atomic no'])}, expected ${z}`);
    return {
      symbol,
      z,
      name: typeof src['Name'] === 'string' ? src['Name'] : symbol,
      atomicMass: numberOrNull(src['Atomic mass']),
      electronegativity: numberOrNull(src['X']),
      atomicRadius: numberOrNull(src['Atomic radius']),
      averageIonicRadius: averageIonicRadius(src['Ionic radii']),
      group: groupOf(z),
      row: periodOf(z),
      isMetal: isMetal(z),
      isTransitionMetal: isTransitionMetal(z),
      isMetalloid: isMetalloid(z),
      mendeleevNumber: numberOrNull(src['Mendeleev no']),
      commonOxidationStates: intList(src['Common oxidation states']),
      icsdOxidationStates: intList(src['ICSD oxidation states']),
      allOxidationStates: intList(src['Oxidation states']),
      shannonRadii: mergeRadii(shannonRadii(src['Shannon radii']), csvRadii.filter((r) => r.symbol === symbol)),
      mat2vec: mat2vec.get(symbol) ?? null,
      layout: layout.get(symbol) ?? null,
    };
  });
  for (const symbol of mat2vec.keys()) {
    if (!isElementSymbol(symbol)) throw new Error(`mat2vec.csv names '${symbol}', which is not an element`);
  }
  return {
    format: ELEMENT_TABLE_FORMAT,
    sources: {
      'periodic_table.json': 'pymatgen v2022.11.7, MIT',
      'mat2vec.csv': 'Tshitoyan et al., Nature 571, 95 (2019), via CrabNet, MIT',
      'ptable.csv': 'CrabNet repository, MIT',
      'shannon_radii.csv': 'Shannon (1976) with Sn2+ and molecular ions added, CJBartel/perovskite-stability, MIT; fills the ions pymatgen lacks',
    },
    elements,
  };
}

export function writeElementTable(table: ElementTableFile, outFile: string): void {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(table));
}
