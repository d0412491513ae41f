/**
 * A model's split written beside its weights (`training-split.json`), for a model whose rows the data
 * bundle cannot give again: an update's rehearsal sample of its base's data and the results imported
 * for a screen (services/model-update.ts). The card records the file and its checksum
 * (`data.ownSplit`); a file that is missing or no longer matches is refused, never half-used, since the
 * neighbour correction's memory and the domain's references read from it.
 *
 * Compositions are stored as parsed (molecular ions included), not as formulas to parse again: an
 * imported candidate's composition comes from its sites, which a formula does not always give back.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Example } from './data.js';
import type { Split } from './protocols.js';

export const SPLIT_FILE = 'training-split.json';
const SPLIT_FORMAT = 'pdw-training-split/1';

/** What a card records of its own split: the file in the model folder and its SHA-256. */
export interface OwnSplitRecord {
  readonly file: string;
  readonly sha256: string;
}

interface SplitFile {
  readonly format: typeof SPLIT_FORMAT;
  readonly name: string;
  readonly train: readonly Example[];
  readonly val: readonly Example[];
  readonly test: readonly Example[];
  /** The neighbour correction's memory where it is not `train` (an update's: every row it has learned, less its validation rows). */
  readonly memory?: readonly Example[];
}

/** A split read back, with the rows of the neighbour correction's memory (`split.train` unless the file names others). */
export interface OwnSplit {
  readonly split: Split;
  readonly memoryRows: readonly Example[];
}

/** Writes `split` (and a memory other than its training rows) into `dir`, atomically (a temporary file renamed); returns what the card records. */
export function writeSplitFile(dir: string, split: Split, memory?: readonly Example[]): OwnSplitRecord {
  const file: SplitFile = { format: SPLIT_FORMAT, name: split.name, train: split.train, val: split.val, test: split.test, ...(memory ? { memory } : {}) };
  const text = JSON.stringify(file);
  const path = join(dir, SPLIT_FILE);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return { file: SPLIT_FILE, sha256: createHash('sha256').update(text).digest('hex') };
}

/** The split recorded on a card, read from its model folder; a problem instead when the file is missing or changed. */
export function readSplitFile(dir: string, record: OwnSplitRecord): OwnSplit | { readonly problem: string } {
  const path = join(dir, record.file);
  if (!existsSync(path)) return { problem: `its split file ${path} is missing` };
  const text = readFileSync(path, 'utf8');
  if (createHash('sha256').update(text).digest('hex') !== record.sha256) return { problem: `its split file ${path} does not match the checksum on its card` };
  const file = JSON.parse(text) as SplitFile; // our own file, checked against the card's checksum
  if (file.format !== SPLIT_FORMAT) return { problem: `its split file ${path} has format ${String(file.format)}, not ${SPLIT_FORMAT}` };
  return { split: { name: file.name, train: file.train, val: file.val, test: file.test }, memoryRows: file.memory ?? file.train };
}
