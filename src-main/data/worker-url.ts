/**
 * Where a worker thread's compiled module is. From the compiled build it sits beside its caller; when
 * the caller runs from TypeScript sources (vitest), the compiled copy under dist/ is used, so tests
 * exercise the same worker threads as users. Null when neither exists (nothing compiled yet).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { projectRoot } from './paths.js';

/** `callerUrl`: the caller's import.meta.url; `folder`: its folder under src-main (e.g. 'screen'). */
export function compiledWorkerUrl(callerUrl: string, folder: string, name: string): URL | null {
  const beside = new URL(`./${name}.js`, callerUrl);
  if (callerUrl.endsWith('.js') && existsSync(fileURLToPath(beside))) return beside;
  const built = join(projectRoot(), 'dist', 'src-main', folder, `${name}.js`);
  return existsSync(built) ? pathToFileURL(built) : null;
}
