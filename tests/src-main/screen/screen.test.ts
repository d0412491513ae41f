// Screens through the real services: the committed protocol-r model, a real SQLite file.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { initBackend } from '../../../src-main/engine/backend.js';
import { SMALL_SPACE } from '../spaces.js';
import { Library, MIGRATIONS } from '../../../src-main/library/index.js';
import { runScreen } from '../../../src-main/screen/screen.js';

const root = join(import.meta.dirname, '..', '..', '..');
const modelDir = join(root, 'resources', 'models', 'protocol-r');
const table = loadElementTable();
const space = SMALL_SPACE;
let dir = '';
let whole = '';

beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'pdw-screen-'));
  whole = join(dir, 'whole.sqlite');
  await screen(whole); // the reference: one uninterrupted screen of the space
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Row = { seq: number; formula: string; band_gap: number | null; p_stable: number | null; known: unknown; domain: unknown };
function rows(file: string, screenId = 1): Row[] {
  const lib = Library.openReadonly(file);
  const out = lib.query({ screenId, limit: 5000, exactTotal: true }).rows.map((r) => ({ seq: r.seq, formula: r.formula, band_gap: r.bandGap, p_stable: r.pStable, known: r.known, domain: r.domain }));
  lib.close();
  return out;
}

async function screen(file: string, options: Partial<Parameters<typeof runScreen>[0]> = {}): Promise<number> {
  const library = Library.open(file);
  const r = await runScreen({ table, library, inputs: { options: space, modelDir, shard: null }, workers: 1, backend: 'wasm', batchSize: 16, ...options });
  library.close();
  return r.screenId;
}

describe('screening into the library', () => {
  it('stores every candidate with predictions; schema versioned in user_version', () => {
    const file = whole;
    const lib = Library.open(file);
    expect(lib.schemaVersion).toBe(MIGRATIONS.length);
    expect(lib.screen(1)).toMatchObject({ status: 'done', done: 96, total: 96 });
    lib.close();
    const r = rows(file);
    expect(r).toHaveLength(96);
    expect(r.map((x) => x.seq)).toEqual(r.map((_, i) => i));
  });

  it('gathers batches into transactions of writeRows rows: progress reports what is stored, in those steps', async () => {
    const file = join(dir, 'grouped.sqlite');
    const stored: number[] = [];
    await screen(file, { writeRows: 48, onProgress: (p) => stored.push(p.done) });
    expect(stored).toEqual([48, 96]); // 16-row batches, three to a transaction
    expect(rows(file)).toEqual(rows(whole));
  });

  it('a cancel takes effect at the next batch: batches still being predicted are dropped; resume completes the same rows', async () => {
    const file = join(dir, 'cancelled.sqlite');
    const controller = new AbortController();
    const library = Library.open(file);
    let doneAtCancel = -1;
    const first = await runScreen({
      table, library, inputs: { options: space, modelDir, shard: null }, workers: 2, backend: 'wasm', batchSize: 16, writeRows: 16, signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 32 && doneAtCancel < 0) {
          doneAtCancel = p.done;
          controller.abort();
        }
      },
    });
    expect(first.status).toBe('cancelled');
    expect(library.screen(1).status).toBe('cancelled');
    expect(library.screen(1).done).toBe(doneAtCancel); // nothing written after the cancel
    expect(rows(file)).toHaveLength(doneAtCancel);
    const second = await runScreen({ table, library, resumeId: 1, workers: 1, backend: 'wasm', batchSize: 16 });
    expect(second.status).toBe('done');
    library.close();
    expect(rows(file)).toEqual(rows(whole));
  });

  it('a killed `pdw screen` process resumes with `pdw resume` to the same rows', async () => {
    const file = join(dir, 'killed.sqlite');
    const args = [join(root, 'bin', 'pdw.js'), 'screen', '--a', 'Ca,Sr,Ba', '--b', 'Ti,Zr,Hf,Sn', '--x', 'O,S', '--mix', 'A:0.25', '--model', modelDir, '--library', file, '--batch', '8', '--transaction', '8', '--workers', '1'];
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
    expect(rows(file)).toEqual(rows(whole));
  });

  it('one screen has one runner across processes: a second `pdw resume` is refused while the first lives, and a killed runner holds nothing', async () => {
    const file = join(dir, 'busy.sqlite');
    const args = [join(root, 'bin', 'pdw.js'), 'screen', '--a', 'Ca,Sr,Ba', '--b', 'Ti,Zr,Hf,Sn', '--x', 'O,S', '--mix', 'A:0.01', '--model', modelDir, '--library', file, '--batch', '16', '--transaction', '16', '--workers', '1'];
    const child = spawn(process.execPath, args, { env: { ...process.env, PDW_BACKEND: 'wasm' } });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve) => child.stderr.on('data', (chunk: Buffer) => /screen: \d+\/\d+/.test(chunk.toString()) && resolve()));
    const second = spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), 'resume', '1', '--library', file, '--workers', '1'], { encoding: 'utf8' });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`^pdw: error: screen 1 is already running \\(process ${child.pid} on `));
    child.kill('SIGKILL');
    await exited;
    const library = Library.open(file);
    const token = library.claimRunner(1); // the dead process's claim has lapsed
    expect(() => library.claimRunner(1)).toThrow(/screen 1 is already running \(process \d+/); // and this one holds it now
    library.releaseRunner(1, token);
    library.close();
  });

  it('two prediction workers store the same rows as one', async () => {
    const file = join(dir, 'two-workers.sqlite');
    await screen(file, { workers: 2 });
    expect(rows(file)).toEqual(rows(whole));
  });

  it('refuses a model without a band-gap target before creating a screen', async () => {
    const noGap = join(dir, 'no-gap-model');
    mkdirSync(noGap);
    const card = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(noGap, 'model.json'), JSON.stringify({ ...card, roles: { bandGap: null, stability: 'stable' } }));
    const library = Library.open(join(dir, 'no-gap.sqlite'));
    await expect(runScreen({ table, library, inputs: { options: space, modelDir: noGap, shard: null }, workers: 1, backend: 'wasm' })).rejects.toThrow(/has no band-gap target .* cannot be the screening model/);
    expect(library.screens()).toEqual([]);
    library.close();
  });

  it('shards 0/2 and 1/2 merge into the same rows as one screen', async () => {
    for (const k of [0, 1]) {
      const library = Library.open(join(dir, `shard${k}.sqlite`));
      await runScreen({ table, library, inputs: { options: space, modelDir, shard: { index: k, count: 2 } }, workers: 1, backend: 'wasm' });
      expect(library.screen(1).total).toBe(48);
      library.close();
    }
    const merged = Library.open(join(dir, 'merged.sqlite'));
    const r = merged.merge([join(dir, 'shard0.sqlite'), join(dir, 'shard1.sqlite'), join(dir, 'shard1.sqlite')]);
    expect(r).toEqual({ screens: 1, candidates: 96 });
    expect(merged.screen(1)).toMatchObject({ status: 'done', done: 96 });
    merged.close();
    expect(rows(join(dir, 'merged.sqlite'))).toEqual(rows(whole));
  });
});
