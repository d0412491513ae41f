/** domain.json in a model folder: read and written here (the format is in index.ts). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMAIN_FORMAT, type DomainFile } from './index.js';

export function domainFilePath(modelDir: string): string {
  return join(modelDir, 'domain.json');
}

/** The model's domain file; null when it has none. A file of another format is an error that says so. */
export function readDomainFile(modelDir: string): DomainFile | null {
  const path = domainFilePath(modelDir);
  if (!existsSync(path)) return null;
  const file = JSON.parse(readFileSync(path, 'utf8')) as DomainFile;
  if (file.format !== DOMAIN_FORMAT) throw new Error(`${path} has format '${String(file.format)}', expected '${DOMAIN_FORMAT}'`);
  return file;
}

export function writeDomainFile(modelDir: string, file: DomainFile): void {
  writeFileSync(domainFilePath(modelDir), `${JSON.stringify(file, null, 1)}\n`);
}
