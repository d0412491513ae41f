// Screens through the real services: the committed protocol-r model, a real SQLite file.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { initBackend } from '../../../src-main/engine/backend.js';
import type { EnumerationOptions } from '../../../src-main/enumerate/types.js';
import { exportCsv, neutralizeCell } from '../../../src-main/library/export.js';
import { Library } from '../../../src-main/library/library.js';
import { MIGRATIONS } from '../../../src-main/library/migrations.js';
import { mergeLibraries } from '../../../src-main/library/merge.js';
import { queryCandidates } from '../../../src-main/library/query.js';
import { runScreen } from '../../../src-main/screen/screen.js';

const root = join(import.meta.dirname, '..', '..', '..');
const modelDir = join(root, 'resources', 'models', 'protocol-r');
const table = loadElementTable();
const space: EnumerationOptions = {
  sites: { A: ['Ca', 'Sr', 'Ba'], B: ['Ti', 'Zr', 'Hf', 'Sn'], X: ['O', 'S'] },
  mixing: { A: 0.25 },
  double: false,
  maxElements: 6,
  oxidationStates: 'common',
  filters: { tolerance: [0.8, 1.1], octahedral: null, tauMax: null },
};
let dir = '';

beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'pdw-screen-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Row = { seq: number; formula: string; band_gap: number; p_stable: number };
function rows(file: string, screenId = 1): Row[] {
  const lib = new Library(file, { readonly: true });
  const out = lib.db.prepare('SELECT c.seq, c.formula, p.band_gap, p.p_stable FROM candidates c JOIN predictions p ON p.candidate_id = c.id WHERE c.screen_id = ? ORDER BY c.seq').all(screenId) as Row[];
  lib.close();
  return out;
}

async function screen(file: string, options: Partial<Parameters<typeof runScreen>[0]> = {}): Promise<number> {
  const library = new Library(file);
  const r = await runScreen({ table, library, inputs: { options: space, modelDir, shard: null }, workers: 1, backend: 'wasm', batchSize: 16, ...options });
  library.close();
  return r.screenId;
}

describe('screening into the library', () => {
  it('stores every candidate with predictions; schema versioned in user_version', async () => {
    const file = join(dir, 'whole.sqlite');
    await screen(file);
    const lib = new Library(file);
    expect(lib.schemaVersion).toBe(MIGRATIONS.length);
    expect(lib.screen(1)).toMatchObject({ status: 'done', done: 96, total: 96 });
    lib.close();
    const r = rows(file);
    expect(r).toHaveLength(96);
    expect(r.map((x) => x.seq)).toEqual(r.map((_, i) => i));
  });

  it('a cancelled screen resumes to the same rows as an uninterrupted one, nothing duplicated', async () => {
    const file = join(dir, 'cancelled.sqlite');
    const controller = new AbortController();
    const library = new Library(file);
    const first = await runScreen({ table, library, inputs: { options: space, modelDir, shard: null }, workers: 1, backend: 'wasm', batchSize: 16, signal: controller.signal, onProgress: (p) => p.done >= 32 && controller.abort() });
    expect(first.status).toBe('cancelled');
    expect(library.screen(1).status).toBe('cancelled');
    expect(library.screen(1).done).toBeLessThan(96);
    const second = await runScreen({ table, library, resumeId: 1, workers: 1, backend: 'wasm', batchSize: 16 });
    expect(second.status).toBe('done');
    library.close();
    expect(rows(file)).toEqual(rows(join(dir, 'whole.sqlite')));
  });

  it('a killed `pdw screen` process resumes with `pdw resume` to the same rows', async () => {
    const file = join(dir, 'killed.sqlite');
    const args = [join(root, 'bin', 'pdw.js'), 'screen', '--a', 'Ca,Sr,Ba', '--b', 'Ti,Zr,Hf,Sn', '--x', 'O,S', '--mix', 'A:0.25', '--model', modelDir, '--library', file, '--batch', '8', '--workers', '1'];
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, args, { env: { ...process.env, PDW_BACKEND: 'wasm' } });
      let killed = false;
      child.stderr.on('data', (chunk: Buffer) => {
        if (!killed && /screen: (1[6-9]|[2-9]\d)\/96/.test(chunk.toString())) {
          killed = true;
          child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolve());
    });
    const partial = rows(file);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(96);
    const resumed = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), 'resume', '1', '--library', file, '--workers', '1'], { encoding: 'utf8' });
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/96\/96 candidates stored/);
    expect(rows(file)).toEqual(rows(join(dir, 'whole.sqlite')));
  });

  it('shards 0/2 and 1/2 merge into the same rows as one screen', async () => {
    for (const k of [0, 1]) {
      const library = new Library(join(dir, `shard${k}.sqlite`));
      await runScreen({ table, library, inputs: { options: space, modelDir, shard: { index: k, count: 2 } }, workers: 1, backend: 'wasm' });
      expect(library.screen(1).total).toBe(48);
      library.close();
    }
    const merged = new Library(join(dir, 'merged.sqlite'));
    const r = mergeLibraries(merged, [join(dir, 'shard0.sqlite'), join(dir, 'shard1.sqlite'), join(dir, 'shard1.sqlite')]);
    expect(r).toEqual({ screens: 1, candidates: 96 });
    expect(merged.screen(1)).toMatchObject({ status: 'done', done: 96 });
    merged.close();
    expect(rows(join(dir, 'merged.sqlite'))).toEqual(rows(join(dir, 'whole.sqlite')));
  });
});

describe('query and export', () => {
  it('filters, sorts, ranks and pages', () => {
    const lib = new Library(join(dir, 'whole.sqlite'), { readonly: true });
    const all = rows(join(dir, 'whole.sqlite'));
    const q = queryCandidates(lib, { screenId: 1, gap: [1, 3], stableMin: 0.2, sort: { column: 'band_gap', descending: true }, limit: 5 });
    const expected = all.filter((r) => r.band_gap >= 1 && r.band_gap <= 3 && r.p_stable >= 0.2).sort((a, b) => b.band_gap - a.band_gap);
    expect(q.total).toBe(expected.length);
    expect(q.rows.map((r) => r.formula)).toEqual(expected.slice(0, 5).map((r) => r.formula));
    const page2 = queryCandidates(lib, { screenId: 1, gap: [1, 3], stableMin: 0.2, sort: { column: 'band_gap', descending: true }, limit: 5, offset: 5 });
    expect(page2.rows.map((r) => r.formula)).toEqual(expected.slice(5, 10).map((r) => r.formula));
    const sulfides = queryCandidates(lib, { screenId: 1, include: ['S'], exclude: ['Ba'], limit: 1000 });
    expect(sulfides.rows.every((r) => r.formula.includes('S') && !r.formula.includes('Ba'))).toBe(true);
    expect(sulfides.total).toBe(all.filter((r) => /S3$/.test(r.formula) && !r.formula.includes('Ba')).length);
    const ranked = queryCandidates(lib, { screenId: 1, rank: { mode: 'window', window: [1.2, 1.8] }, limit: 96 });
    const scores = ranked.rows.map((r) => r.score!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const pareto = queryCandidates(lib, { screenId: 1, rank: { mode: 'pareto', window: [1.2, 1.8] }, limit: 96 });
    expect(pareto.rows[0]!.score).toBe(1);
    lib.close();
  });

  it('export round-trips through a CSV parser, with spreadsheet formulas neutralised', async () => {
    const lib = new Library(join(dir, 'whole.sqlite'), { readonly: true });
    const out = join(dir, 'shortlist.csv');
    const n = await exportCsv(lib, { screenId: 1, gap: [0, 10] }, out);
    lib.close();
    const records = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(n);
    const all = rows(join(dir, 'whole.sqlite'));
    records.forEach((rec, i) => {
      expect(rec['formula']).toBe(all[i]!.formula);
      expect(Number(rec['band_gap_eV'])).toBe(all[i]!.band_gap);
      expect(Number(rec['p_stable'])).toBe(all[i]!.p_stable);
      expect(rec['model_name']).toBe('protocol-r');
      expect(['true', 'false']).toContain(rec['stable']);
    });
    expect(records[0]).toMatchObject({ formula: 'CaTiO3', site_A: 'Ca:1', oxidation_states: 'Ca+2 Ti+4 O-2' });
    expect(neutralizeCell('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(neutralizeCell('+1')).toBe("'+1");
    expect(neutralizeCell('CaTiO3')).toBe('CaTiO3');
  });
});
