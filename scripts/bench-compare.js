// `npm run bench:screen:compare [-- REV]`: runs a benchmark on a checkout of REV (default: the
// commit before HEAD) and then on this working tree, one after the other on the same machine, and
// prints both, so every figure has a baseline measured in the same run. `bench:results` instead runs
// once, measuring the baseline's library code and this tree's side by side (bench/results.ts). PDW_BENCH_SIZES etc. apply
// to both. The checkout is a temporary git worktree sharing this tree's node_modules and resources.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [bench = 'screen', rev = 'HEAD~1'] = process.argv.slice(2);

// the baseline's own setup must find the data bundle, which sits beside this checkout, not beside the worktree
const env = { ...process.env, PDW_DATA_DIR: process.env.PDW_DATA_DIR ?? resolve(root, '..', 'shared', 'data') };

function run(cmd, args, cwd, label) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`bench-compare: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

const resolved = spawnSync('git', ['rev-parse', '--short', rev], { cwd: root, encoding: 'utf8' });
if (resolved.status !== 0) {
  console.error(`bench-compare: '${rev}' is not a commit here`);
  process.exit(2);
}
const commit = resolved.stdout.trim();
const dir = mkdtempSync(join(tmpdir(), 'pdw-baseline-'));
const tree = join(dir, 'tree');
try {
  run('git', ['worktree', 'add', '--detach', tree, commit], root, 'checking out the baseline');
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], tree, 'compiling the baseline');
  // the baseline builds its own generated resources (their format may differ from this tree's)
  run(process.execPath, [join('dist', 'src-main', 'data', 'elements', 'build-cli.js')], tree, "building the baseline's element table");
  if (bench === 'results') {
    // one process measures both: the baseline's library code and this tree's, on copies of one file
    console.log(`\n=== baseline: ${commit} (${rev}), against this working tree ===`);
    env.PDW_BASELINE_DIST = join(tree, 'dist');
    run(process.execPath, [join('dist', 'bench', 'results.js')], root, 'the benchmark');
  } else {
    console.log(`\n=== baseline: ${commit} (${rev}) ===`);
    run(process.execPath, [join('dist', 'bench', `${bench}.js`)], tree, 'the baseline benchmark');
    console.log('\n=== this working tree ===');
    run(process.execPath, [join('dist', 'bench', `${bench}.js`)], root, 'the benchmark');
  }
} finally {
  spawnSync('git', ['worktree', 'remove', '--force', tree], { cwd: root });
  rmSync(dir, { recursive: true, force: true });
}
