/**
 * Molecular ions (methylammonium, formamidinium, ...): name, abbreviation, atoms, charge and effective
 * radius. The project's own list (resources/molecular-ions.csv: names, atoms, charges, sources) is
 * joined at setup with the effective radii in the bundle's shannon_radii.csv (Kieslich et al.) into
 * resources/elements/molecules.json; nothing here is hard-coded chemistry.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { isElementSymbol, type ElementSymbol, type MolecularIons } from '../../../shared/index.js';
import { resourcesDir } from '../paths.js';
import { readShannonCsv } from './build.js';

export interface MolecularIon {
  readonly abbreviation: string;
  readonly name: string;
  /** As chemists write it, e.g. CH3NH3. */
  readonly formula: string;
  readonly atoms: readonly (readonly [ElementSymbol, number])[];
  readonly charge: number;
  /** The site it takes in a perovskite (A for the cations, X for formate). */
  readonly site: 'A' | 'X';
  /** Effective ionic radius (angstrom). */
  readonly radius: number;
  readonly radiusSource: string;
}

export interface MoleculeTableFile {
  readonly format: 'pdw-molecules/1';
  readonly ions: readonly MolecularIon[];
}

export function moleculeTablePath(): string {
  return join(resourcesDir(), 'elements', 'molecules.json');
}

/** Joins the project's list with the bundle's radii; every listed ion must find its radius. */
export function buildMoleculeTable(listFile: string, shannonCsv: string): MoleculeTableFile {
  const radii = new Map(readShannonCsv(shannonCsv).filter((r) => !/^\d+$/.test(r.record)).map((r) => [r.ion, r]));
  const rows = parseCsv(readFileSync(listFile, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const ions = rows.map((row, i): MolecularIon => {
    const where = `${listFile}: line ${i + 2}`;
    const atoms = (row['atoms'] ?? '').split(/\s+/).map((part) => {
      const m = /^([A-Z][a-z]?)(\d+)$/.exec(part);
      if (!m || !isElementSymbol(m[1]!)) throw new Error(`${where}: '${part}' is not ELEMENT+COUNT`);
      return [m[1] as ElementSymbol, Number(m[2])] as const;
    });
    const r = radii.get(row['radius_ion'] ?? '');
    if (!r) throw new Error(`${where}: ${shannonCsv} has no radius for '${row['radius_ion']}'`);
    const charge = Number(row['charge']);
    if (r.oxidationState !== charge) throw new Error(`${where}: charge ${charge} but ${row['radius_ion']} has ${r.oxidationState}`);
    const abbreviation = row['abbreviation'] ?? '';
    if (!/^[A-Z][A-Z0-9]+$/.test(abbreviation)) throw new Error(`${where}: abbreviation '${abbreviation}' must be capitals (two or more), so it cannot be read as an element`);
    return { abbreviation, name: row['name'] ?? '', formula: row['formula'] ?? '', atoms, charge, site: row['site'] === 'X' ? 'X' : 'A', radius: r.ionicRadius, radiusSource: row['source'] ?? '' };
  });
  return { format: 'pdw-molecules/1', ions };
}

export function writeMoleculeTable(table: MoleculeTableFile, outFile = moleculeTablePath()): void {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(table, null, 1)}\n`);
}

let cached: readonly MolecularIon[] | undefined;

/** The molecular ions generated at setup (an empty list, not an error, where setup has not made them). */
export function loadMolecularIons(path = moleculeTablePath()): readonly MolecularIon[] {
  if (cached) return cached;
  if (!existsSync(path)) return [];
  const file = JSON.parse(readFileSync(path, 'utf8')) as MoleculeTableFile;
  if (file.format !== 'pdw-molecules/1') throw new Error(`${path} has format '${String(file.format)}'; run 'npm run setup'`);
  cached = file.ions;
  return cached;
}

/** The abbreviations the formula parser expands into atoms (MAPbI3 = CH6NPbI3). */
export function moleculeAbbreviations(ions: readonly MolecularIon[] = loadMolecularIons()): MolecularIons {
  return new Map(ions.map((m) => [m.abbreviation, m.atoms]));
}
