// `npm start`: the Electron window when Electron's binary is installed (and a display exists);
// otherwise the same UI served to a browser by `pdw serve`, saying why.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

if (!existsSync(`${root}dist/src-main/cli/bin.js`) || !existsSync(`${root}dist-renderer/index.html`)) {
  console.error("The workbench is not built yet: run 'npm run setup' (or 'npm ci') first.");
  process.exit(1);
}

let electronBinary = null;
let why = '';
try {
  electronBinary = require('electron'); // the path of the binary, or throws when it was never downloaded
  if (typeof electronBinary !== 'string' || !existsSync(electronBinary)) throw new Error('binary missing');
} catch {
  electronBinary = null;
  why = "Electron's binary is not installed (setup skips its download; run 'npm run setup:electron' where it can be fetched).";
}
if (electronBinary && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  why = 'Electron is installed but there is no display (DISPLAY / WAYLAND_DISPLAY unset).';
  electronBinary = null;
}

if (electronBinary) {
  const child = spawn(electronBinary, [`${root}dist/src-main/electron/main.js`, ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`${why}\nStarting the browser version of the workbench instead.\n`);
  const child = spawn(process.execPath, [`${root}bin/pdw.js`, 'serve', ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  process.on('SIGINT', () => child.kill('SIGINT'));
}
