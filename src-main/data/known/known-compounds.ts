/**
 * Known compounds: the bundled datasets' records by reduced composition (mp_abx3 with its mp_ids and
 * polymorphs, Matbench mp_gap, Matbench expt_gap). Built at setup from the data bundle into a
 * git-ignored file (the bundle itself is never copied into the project); the screen marks each
 * candidate with the sources that record it, and the candidate view lists the records.
 *
 * Compositions are matched by `compositionKey` (elements with atomic fractions to 4 decimals), so
 * K4Mn4O8 and KMnO2 are one composition, and a hybrid's molecular cation counts as its atoms
 * (MAPbI3 = CH6NPbI3): a record is a statement about a composition, never about a structure.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { KNOWN_SOURCES, type KnownRecord, type KnownSource } from '../../../shared/api/types.js';
import type { Composition } from '../../../shared/index.js';
import { compositionKey } from '../../../shared/composition/key.js';
import { loadNamedDataset, namedDatasetPath } from '../datasets/named.js';
import { resourcesDir } from '../paths.js';

export const KNOWN_FORMAT = 'pdw-known/1';

interface KnownFile {
  readonly format: string;
  readonly createdAt: string;
  /** Rows read per source. */
  readonly rows: Readonly<Record<KnownSource, number>>;
  /** Records by composition key. */
  readonly compounds: Readonly<Record<string, readonly KnownRecord[]>>;
}

export function knownCompoundsPath(): string {
  return join(resourcesDir(), 'known', 'known-compounds.json');
}

/** The sources' mask by composition key alone (about a tenth of the records' size): what the screen's enumeration workers load. */
export function knownMasksPath(): string {
  return join(resourcesDir(), 'known', 'known-masks.json');
}

/** Each source as one bit of the mask stored per candidate (mp_abx3 = 1, mp_gap = 2, expt_gap = 4). */
export function sourceMask(sources: Iterable<KnownSource>): number {
  let mask = 0;
  for (const s of sources) mask |= 1 << KNOWN_SOURCES.indexOf(s);
  return mask;
}

/** The mask of the sources of a composition's records. */
function maskOfRecords(records: readonly KnownRecord[]): number {
  return sourceMask(records.map((r) => r.source));
}

/** A generated file of this format; null where setup did not write it. */
function readGenerated<T extends { readonly format: string }>(path: string): T | null {
  if (!existsSync(path)) return null;
  const file = JSON.parse(readFileSync(path, 'utf8')) as T;
  if (file.format !== KNOWN_FORMAT) throw new Error(`${path} has format '${String(file.format)}', expected '${KNOWN_FORMAT}'; run 'npm run setup'`);
  return file;
}

export function sourcesOfMask(mask: number): KnownSource[] {
  return KNOWN_SOURCES.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** mp_id -> "crystal system space group", from mp_abx3's text columns (the dataset reader keeps numbers only). */
function mpStructures(root: string | undefined): Map<string, string> {
  const file = namedDatasetPath('mp_abx3', root);
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return new Map(rows.map((r) => [r['mp_id'] ?? '', [r['crystal_system'], r['space_group']].filter(Boolean).join(' ')]));
}

/** Builds the index from the data bundle (`root`: the bundle folder; default $PDW_DATA_DIR or ../shared/data). */
export function buildKnownCompounds(root?: string): KnownFile {
  const compounds: Record<string, KnownRecord[]> = {};
  const add = (composition: Composition, record: KnownRecord): void => void (compounds[compositionKey(composition)] ??= []).push(record);
  const rows = { mp_abx3: 0, mp_gap: 0, expt_gap: 0 };
  const structures = mpStructures(root);
  for (const source of KNOWN_SOURCES) {
    const dataset = loadNamedDataset(source, root);
    rows[source] = dataset.rows.length;
    for (const row of dataset.rows) {
      const stable = row.targets['stable'];
      add(row.composition, {
        source,
        formula: row.formula,
        id: row.id,
        structure: row.id ? (structures.get(row.id) ?? null) : null,
        bandGap: row.targets['band_gap'] ?? null,
        energyAboveHull: row.targets['energy_above_hull'] ?? null,
        stable: stable === undefined || stable === null ? null : stable === 1,
      });
    }
  }
  // lowest energy above hull first within mp_abx3, then the other sources in their order
  for (const list of Object.values(compounds)) {
    list.sort((a, b) => KNOWN_SOURCES.indexOf(a.source) - KNOWN_SOURCES.indexOf(b.source) || (a.energyAboveHull ?? Infinity) - (b.energyAboveHull ?? Infinity));
  }
  return { format: KNOWN_FORMAT, createdAt: new Date().toISOString(), rows, compounds };
}

export function writeKnownCompounds(file: KnownFile, out = knownCompoundsPath(), masksOut = knownMasksPath()): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(file)}\n`);
  const masks = Object.fromEntries(Object.entries(file.compounds).map(([key, records]) => [key, maskOfRecords(records)]));
  writeFileSync(masksOut, `${JSON.stringify({ format: KNOWN_FORMAT, createdAt: file.createdAt, masks })}\n`);
}

/** Sources by composition: the masks only (the enumeration workers need no records). */
export interface KnownMasks {
  maskOf(composition: Composition): number;
}

let cachedMasks: { path: string; masks: KnownMasks | null } | undefined;

/** The masks written at setup; null where setup did not make them (candidates are then stored as not checked). */
export function loadKnownMasks(path = knownMasksPath()): KnownMasks | null {
  if (cachedMasks?.path === path) return cachedMasks.masks;
  const file = readGenerated<{ format: string; masks: Record<string, number> }>(path);
  const byKey = file && new Map(Object.entries(file.masks));
  const masks: KnownMasks | null = byKey && { maskOf: (composition) => byKey.get(compositionKey(composition)) ?? 0 };
  cachedMasks = { path, masks };
  return masks;
}

/** The index, answering by composition. */
export class KnownCompounds implements KnownMasks {
  readonly #masks = new Map<string, number>();

  constructor(private readonly file: KnownFile) {
    for (const [key, records] of Object.entries(file.compounds)) this.#masks.set(key, maskOfRecords(records));
  }

  get size(): number {
    return this.#masks.size;
  }

  /** The mask of sources recording `composition` (0: novel to every bundled dataset). */
  maskOf(composition: Composition): number {
    return this.#masks.get(compositionKey(composition)) ?? 0;
  }

  records(composition: Composition): readonly KnownRecord[] {
    return this.file.compounds[compositionKey(composition)] ?? [];
  }
}

let cached: { path: string; index: KnownCompounds | null } | undefined;

/**
 * The index generated at setup; null where setup did not make it (no data bundle), so callers say
 * "not checked" instead of calling everything novel. Cached after the first call.
 */
export function loadKnownCompounds(path = knownCompoundsPath()): KnownCompounds | null {
  if (cached?.path === path) return cached.index;
  const file = readGenerated<KnownFile>(path);
  const index = file && new KnownCompounds(file);
  cached = { path, index };
  return index;
}
