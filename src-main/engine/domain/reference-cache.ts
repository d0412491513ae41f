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
const CACHE_FORMAT = 'pdw-domain-references/1';

/** Training compositions (as their datasets write them) and their embeddings, row-major [rows, dim]. */
export interface EmbeddedReferences {
  readonly formulas: readonly string[];
  readonly dim: number;
  readonly embeddings: Float32Array;
}

interface CacheFile {
  readonly format: typeof CACHE_FORMAT;
  readonly key: string;
  readonly formulas: readonly string[];
  readonly dim: number;
  /** base64 of the little-endian float32 embeddings. */
  readonly embeddings: string;
}

/**
 * The modules whose logic decides which compositions are the references: the compiled ones wherever they
 * exist (a test runner executing the sources then keys the cache as the CLI and the server do), else the
 * sources.
 */
const REFERENCE_CODE = ['engine/train/bundled', 'engine/train/joint', 'engine/train/protocols', 'data/datasets/read-csv'].map((m) => {
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

/** The cached references for `key`; null when there is none, it is unreadable or it was made from something else. */
export function readReferenceCache(modelDir: string, key: string): EmbeddedReferences | null {
  const file = join(modelDir, REFERENCE_CACHE_FILE);
  if (!existsSync(file)) return null;
  try {
    const cache = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (cache.format !== CACHE_FORMAT || cache.key !== key) return null;
    const bytes = Buffer.from(cache.embeddings, 'base64');
    if (bytes.length !== cache.formulas.length * cache.dim * 4) return null;
    const embeddings = new Float32Array(bytes.length / 4);
    new Uint8Array(embeddings.buffer).set(bytes);
    return { formulas: cache.formulas, dim: cache.dim, embeddings };
  } catch {
    return null;
  }
}

/** Writes the cache (atomically: a temporary file renamed); false where the folder is not writable. */
export function writeReferenceCache(modelDir: string, key: string, references: EmbeddedReferences): boolean {
  const file = join(modelDir, REFERENCE_CACHE_FILE);
  const bytes = Buffer.from(references.embeddings.buffer, references.embeddings.byteOffset, references.embeddings.byteLength);
  const cache: CacheFile = { format: CACHE_FORMAT, key, formulas: references.formulas, dim: references.dim, embeddings: bytes.toString('base64') };
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
