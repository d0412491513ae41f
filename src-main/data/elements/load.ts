/** Loads the generated element table and answers look-ups by symbol or atomic number. */
import { existsSync, readFileSync } from 'node:fs';
import type { ElementSymbol } from '../../../shared/index.js';
import { elementTablePath } from '../paths.js';
import { loadMolecularIons, type MolecularIon } from './molecules.js';
import { ELEMENT_TABLE_FORMAT, type ElementRecord, type ElementTableFile } from './types.js';

export class ElementTable {
  private readonly bySymbol: ReadonlyMap<string, ElementRecord>;

  /** Molecular ions (MA, FA, ...) by abbreviation: species that sit on a site like an element. */
  readonly molecules: ReadonlyMap<string, MolecularIon>;

  constructor(
    readonly file: ElementTableFile,
    molecules: readonly MolecularIon[] = [],
  ) {
    this.bySymbol = new Map(file.elements.map((e) => [e.symbol, e]));
    this.molecules = new Map(molecules.map((m) => [m.abbreviation, m]));
  }

  get elements(): readonly ElementRecord[] {
    return this.file.elements;
  }

  /** The record for `symbol`; throws if the table lacks it. */
  get(symbol: ElementSymbol | string): ElementRecord {
    const record = this.bySymbol.get(symbol);
    if (!record) throw new Error(`element table has no entry for '${symbol}'`);
    return record;
  }

  /** Pauling electronegativity by symbol, for ordering formulas (cations first). */
  electronegativities(): ReadonlyMap<ElementSymbol, number | null> {
    return new Map(this.file.elements.map((e) => [e.symbol, e.electronegativity]));
  }
}

let cached: ElementTable | undefined;

/** The table generated at setup (`npm run setup`); cached after the first call. */
export function loadElementTable(path: string = elementTablePath()): ElementTable {
  if (cached && path === elementTablePath()) return cached;
  if (!existsSync(path)) {
    throw new Error(`element table not found at ${path}; run 'npm run setup' (it reads the data bundle from $PDW_DATA_DIR or ../shared/data)`);
  }
  const file = JSON.parse(readFileSync(path, 'utf8')) as ElementTableFile;
  if (file.format !== ELEMENT_TABLE_FORMAT) throw new Error(`${path} has format '${String(file.format)}', expected '${ELEMENT_TABLE_FORMAT}'; run 'npm run setup'`);
  const table = new ElementTable(file, path === elementTablePath() ? loadMolecularIons() : []);
  if (path === elementTablePath()) cached = table;
  return table;
}
