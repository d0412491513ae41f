/** Where the data bundle and the generated resources live. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable that points at the data bundle (the folder holding elements/, perovskites/, benchmarks/). */
export const DATA_DIR_ENV = 'PDW_DATA_DIR';

/** The project root: the nearest folder above this module that holds package.json. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (no package.json above this module)');
    dir = up;
  }
}

/** The data bundle: $PDW_DATA_DIR, else ../shared/data beside the project. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[DATA_DIR_ENV];
  return fromEnv ? resolve(fromEnv) : resolve(projectRoot(), '..', 'shared', 'data');
}

/** Generated, git-ignored resources (element table) and the committed default model. */
export function resourcesDir(): string {
  return join(projectRoot(), 'resources');
}

export function elementTablePath(): string {
  return join(resourcesDir(), 'elements', 'elements.json');
}
