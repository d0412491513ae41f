#!/usr/bin/env node
// Entry point of the `pdw` command: runs the compiled CLI (built by `npm run setup`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/src-main/cli/bin.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  console.error("pdw: the workbench is not built yet; run 'npm run setup' in the project folder");
  process.exit(1);
}
await import(compiled.href);
