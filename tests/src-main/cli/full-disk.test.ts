// A full disk in the middle of a screen, for real: the library sits on a 2 MB tmpfs. `pdw screen`
// stops with one "pdw: error:" line that names the file and says how to resume (exit 1, no stack
// trace); after the disk grows, `pdw resume` finishes it, and the stored candidates equal a screen that
// never failed. Mounting needs root (CI runs as root); without it the suite shows as skipped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src-main/data/paths.js';

const root = projectRoot();
const work = mkdtempSync(join(tmpdir(), 'pdw-full-disk-'));
const disk = join(work, 'disk');
const mounted = (() => {
  spawnSync('mkdir', ['-p', disk]);
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]).status === 0;
})();

afterAll(() => {
  if (mounted) spawnSync('umount', [disk]);
  rmSync(work, { recursive: true, force: true });
});

function pdw(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), ...args], { encoding: 'utf8', env: { ...process.env, PDW_BACKEND: 'wasm' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// 5,836 candidates: about 4 MB of library, twice what the disk holds
const SPACE = ['--a', 'Ca,Sr,Ba,K,Na,Rb', '--b', 'Ti,Zr,Nb,Ta,Sn,Hf,Mo', '--x', 'O,S', '--mix', 'A:0.125,B:0.125', '--workers', '1', '--batch', '512', '--transaction', '512', '--quiet'];
const stored = (file: string): string[] => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT c.formula, p.band_gap FROM candidates c JOIN predictions p ON p.candidate_id = c.id ORDER BY c.seq').all() as { formula: string; band_gap: number }[]).map((r) => `${r.formula} ${r.band_gap}`);
  } finally {
    db.close();
  }
};

describe.runIf(mounted)('a screen on a disk that fills up (a real 2 MB tmpfs; skipped, and counted as skipped, where mounting is not allowed)', () => {
  it('stops with a sentence naming the file and how to resume, then resumes to the same candidates', () => {
    const library = join(disk, 'library.sqlite');
    const full = pdw('screen', '--library', library, ...SPACE);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(new RegExp(`^pdw: error: database or disk is full \\(library ${library.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\); screen 1 keeps its \\d+ stored candidates: free some space, then resume with: pdw resume 1 --library `));
    expect(full.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(full.stderr.trim().split('\n')).toHaveLength(1);
    const kept = Number(/keeps its (\d+) stored/.exec(full.stderr)![1]);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(5836);
    expect(pdw('screens', '--library', library).stdout).toMatch(/\n1\s+failed\s+\d+\s+5836/);

    expect(spawnSync('mount', ['-o', 'remount,size=64m', disk]).status).toBe(0);
    const resumed = pdw('resume', '1', '--library', library, '--quiet');
    expect(resumed.stderr).toBe('');
    expect(resumed.stdout).toMatch(/screen 1: 5836\/5836 candidates stored/);

    const reference = join(work, 'reference.sqlite');
    expect(pdw('screen', '--library', reference, ...SPACE).code).toBe(0);
    expect(stored(library)).toEqual(stored(reference));
  }, 240_000);
});
