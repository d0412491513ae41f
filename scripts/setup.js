// `npm run setup` (also run by `npm install` / `npm ci` as the prepare step):
// compiles the TypeScript and generates resources/ from the data bundle.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function step(label, command, args) {
  console.log(`setup: ${label}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`setup: '${label}' failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

const tsc = `${root}node_modules/typescript/bin/tsc`;
if (!existsSync(tsc)) {
  console.error('setup: TypeScript is not installed; run `npm ci` (or `npm install`) first');
  process.exit(1);
}
step('compile TypeScript', process.execPath, [tsc, '-p', 'tsconfig.json']);
step('build the element table', process.execPath, ['dist/src-main/data/elements/build-cli.js']);
step('index the known compounds', process.execPath, ['dist/src-main/data/known/build-cli.js']);
step("cache the bundled models' domain references", process.execPath, ['dist/src-main/engine/domain/cache-cli.js']);
step('build the renderer', process.execPath, [`${root}node_modules/vite/bin/vite.js`, 'build', '--logLevel', 'error']);
console.log('setup: done');
