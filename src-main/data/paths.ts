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

/**
 * Generated, git-ignored resources (element table) and the committed default model. In a packaged
 * Electron app they sit beside the app archive (electron-builder's extraResources: the archive holds
 * code, the folder holds data that workers and SQLite read as plain files), found through
 * `process.resourcesPath`; from a checkout they sit under the project root.
 */
export function resourcesDir(resourcesPath: string | undefined = (process as { resourcesPath?: string }).resourcesPath): string {
  if (resourcesPath && existsSync(join(resourcesPath, 'resources', 'models'))) return join(resourcesPath, 'resources');
  return join(projectRoot(), 'resources');
}

/** The built renderer (index.html and assets), packed with the code. */
export function rendererDir(): string {
  return join(projectRoot(), 'dist-renderer');
}

export function elementTablePath(): string {
  return join(resourcesDir(), 'elements', 'elements.json');
}
