// Electron security audit with @doyensec/electronegativity (a devDependency), offline: its release
// check (which downloads Electron's release list) is left out and its translations fall back to English. Scans the Electron main, preload and
// engine sources and the renderer's page (for its CSP), and fails on any finding above LOW that is
// not in REVIEWED below. Usage: npm run audit:electron [-- --json] [-- --electron-dir DIR] (another
// copy of the Electron sources: the test plants a misconfiguration in one).
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ELECTRON_VERSION = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;

/** Findings a person has reviewed, with why they stand. */
const REVIEWED = {
  PRELOAD_JS_CHECK:
    'the preload (src-main/electron/preload.cts) runs sandboxed with context isolation and exposes, through contextBridge, one invoke per contract channel and an event listener; never ipcRenderer itself, and the main process checks every call\'s sender and validates its request',
};

const dirFlag = process.argv.indexOf('--electron-dir');
const electronDir = dirFlag > 0 ? process.argv[dirFlag + 1] : join(root, 'src-main', 'electron');
const stage = mkdtempSync(join(tmpdir(), 'pdw-electron-audit-'));
try {
  for (const f of readdirSync(electronDir)) if (/\.(c?ts)$/.test(f)) copyFileSync(join(electronDir, f), join(stage, f));
  copyFileSync(join(root, 'src-renderer', 'index.html'), join(stage, 'index.html'));
  // the programmatic runner (the CLI needs commander 5, which the tool does not declare); the one check
  // that downloads Electron's release list is left out: nothing here may depend on the network
  // (Electron's version is pinned in the lockfile and updated by hand)
  const run = createRequire(import.meta.url)('@doyensec/electronegativity/dist/runner.js');
  const result = await run(
    { input: stage, isRelative: true, isVerbose: false, customScan: [], excludeFromScan: ['availablesecurityfixesglobalcheck'], parserPlugins: [], electronVersionOverride: ELECTRON_VERSION },
    false,
  );
  if (result.errors.length) throw new Error(`electronegativity could not read: ${result.errors.map((e) => e.file).join(', ')}`);
  const findings = result.issues.map((i) => ({ check: i.id, severity: i.severity.name, confidence: i.confidence.name, file: i.file, location: `${i.location.line}:${i.location.column}`, description: i.description }));
  const aboveLow = findings.filter((f) => !['LOW', 'INFORMATIONAL'].includes(f.severity));
  const reviewed = aboveLow.filter((f) => f.check in REVIEWED);
  const open = aboveLow.filter((f) => !(f.check in REVIEWED));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ electron: ELECTRON_VERSION, findings, reviewed: reviewed.map((f) => ({ ...f, why: REVIEWED[f.check] })), open }));
  } else {
    console.log(`electronegativity on src-main/electron and the renderer page (Electron ${ELECTRON_VERSION}): ${findings.length} findings`);
    for (const f of findings) console.log(`  ${f.severity.padEnd(6)} ${f.check} ${f.file}:${f.location}${f.check in REVIEWED ? ' (reviewed)' : ''}`);
    for (const f of reviewed) console.log(`  reviewed ${f.check}: ${REVIEWED[f.check]}`);
    console.log(open.length === 0 ? 'no open finding above LOW' : `${open.length} open finding(s) above LOW`);
  }
  process.exitCode = open.length === 0 ? 0 : 1;
} finally {
  rmSync(stage, { recursive: true, force: true });
}
