/**
 * The domain's references embedded once per machine: a model's training compositions rebuilt from the
 * data bundle and run through its trunk take seconds (4.6 s for the joint default model: 2.9 s to read
 * and merge the bundle's sources, the rest to embed 14,951 compositions), and every process that loads
 * the model paid them: each screening worker, `pdw predict`, the server. The result is kept beside the
 * model as `domain-references.json` (git-ignored, like every file generated from the bundle), keyed by
 * what it was made from: the model's card and weights, the bundle's dataset files (size and mtime) and
 * the code that rebuilds the reference set (its content: every build rewrites the compiled files). A
 * cache that cannot be written (a read-only install) costs nothing but the rebuild; one that does not
 * match is rebuilt.
 *
 * The key cannot see a change to the featurizer, the element table or the encoder's code, so a hit is
 * also checked: a spread sample of the cached compositions is embedded again and must agree.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NAMED_DATASETS, namedDatasetPath } from '../../data/datasets/named.js';
import { projectRoot } from '../../data/paths.js';

export const REFERENCE_CACHE_FILE = 'domain-references.json';
/** The neighbour correction's memory (model/neighbour-correction.ts): the training rows embedded, with the ensemble's residuals. */
export const MEMORY_CACHE_FILE = 'neighbour-memory.json';
const CACHE_FORMAT = 'pdw-domain-references/1';

/** Training compositions (as their datasets write them) and their embeddings, row-major [rows, dim]; optionally a row-major [rows, width] of values per row. */
export interface EmbeddedReferences {
  readonly formulas: readonly string[];
  readonly dim: number;
  readonly embeddings: Float32Array;
  readonly values?: { readonly width: number; readonly data: Float32Array };
}

interface CacheFile {
  readonly format: typeof CACHE_FORMAT;
  readonly key: string;
  readonly formulas: readonly string[];
  readonly dim: number;
  /** base64 of the little-endian float32 embeddings. */
  readonly embeddings: string;
  readonly values?: { readonly width: number; readonly data: string };
}

function decodeFloats(base64: string, count: number): Float32Array | null {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== count * 4) return null;
  const floats = new Float32Array(count);
  new Uint8Array(floats.buffer).set(bytes);
  return floats;
}

function encodeFloats(floats: Float32Array): string {
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

/**
 * The modules whose logic decides which compositions are the references: the compiled ones wherever they
 * exist (a test runner executing the sources then keys the cache as the CLI and the server do), else the
 * sources.
 */
const REFERENCE_CODE = ['engine/train/bundled', 'engine/train/joint', 'engine/train/protocols', 'engine/train/sources', 'data/datasets/read-csv'].map((m) => {
  const compiled = join(projectRoot(), 'dist', 'src-main', `${m}.js`);
  return existsSync(compiled) ? compiled : join(projectRoot(), 'src-main', `${m}.ts`);
});

function statKey(file: string): string {
  if (!existsSync(file)) return `${file}:absent`;
  const s = statSync(file);
  return `${file}:${s.size}:${s.mtimeMs}`;
}

/** What the cached references of the model in `modelDir` were made from. */
export function referenceCacheKey(modelDir: string): string {
  const hash = createHash('sha256').update(CACHE_FORMAT);
  for (const file of ['model.json', 'weights.bin']) hash.update(readFileSync(join(modelDir, file)));
  for (const name of Object.keys(NAMED_DATASETS).sort()) hash.update(statKey(namedDatasetPath(name)));
  for (const file of REFERENCE_CODE) hash.update(existsSync(file) ? readFileSync(file) : `${file}:absent`);
  return hash.digest('hex');
}

/** The cached references for `key` in `name` beside the model; null when there is none, it is unreadable or it was made from something else. */
export function readReferenceCache(modelDir: string, key: string, name: string = REFERENCE_CACHE_FILE): EmbeddedReferences | null {
  const file = join(modelDir, name);
  if (!existsSync(file)) return null;
  try {
    const cache = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (cache.format !== CACHE_FORMAT || cache.key !== key) return null;
    const embeddings = decodeFloats(cache.embeddings, cache.formulas.length * cache.dim);
    if (!embeddings) return null;
    if (!cache.values) return { formulas: cache.formulas, dim: cache.dim, embeddings };
    const values = decodeFloats(cache.values.data, cache.formulas.length * cache.values.width);
    if (!values) return null;
    return { formulas: cache.formulas, dim: cache.dim, embeddings, values: { width: cache.values.width, data: values } };
  } catch {
    return null;
  }
}

/** Writes the cache (atomically: a temporary file renamed); false where the folder is not writable. */
export function writeReferenceCache(modelDir: string, key: string, references: EmbeddedReferences, name: string = REFERENCE_CACHE_FILE): boolean {
  const file = join(modelDir, name);
  const cache: CacheFile = {
    format: CACHE_FORMAT,
    key,
    formulas: references.formulas,
    dim: references.dim,
    embeddings: encodeFloats(references.embeddings),
    ...(references.values ? { values: { width: references.values.width, data: encodeFloats(references.values.data) } } : {}),
  };
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(tmp, JSON.stringify(cache));
    renameSync(tmp, file);
    return true;
  } catch {
    return false;
  }
}

/** Row indices of an evenly spread sample of `count` rows out of `rows` (all of them when fewer). */
export function spreadSample(rows: number, count: number): number[] {
  if (rows <= count) return Array.from({ length: rows }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor((i * rows) / count));
}
