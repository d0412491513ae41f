import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Candidate } from '../../../src-main/enumerate/types.js';
import { candidateRecord, COUNT_CAP, elementMask, Library, MIGRATIONS, type CandidateRecord, type StoredPrediction } from '../../../src-main/library/index.js';
import { readModelCard } from '../../../src-main/engine/model/bundle.js';
import { caTiO3, inputs, modelDir } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'pdw-library-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fake(n: number, from = 0): { candidates: CandidateRecord[]; predictions: StoredPrediction[] } {
  const candidates = Array.from({ length: n }, (_, i): Candidate => caTiO3(from + i));
  const predictions = candidates.map((c): StoredPrediction => ({
    bandGap: { value: (c.seq % 500) / 100, sigma: 0.1 },
    stability: { probability: ((c.seq * 7) % 100) / 100, spread: 0.05, decision: true },
    other: {},
  }));
  return { candidates: candidates.map(candidateRecord), predictions };
}

describe('element masks', () => {
  it('put Z 1-40, 41-80 and 81-118 in three columns of 40 bits', () => {
    expect(elementMask(['H'])).toEqual([1, 0, 0]);
    expect(elementMask(['Zr'])).toEqual([2 ** 39, 0, 0]); // Z 40
    expect(elementMask(['Nb', 'Hg'])).toEqual([0, 1 + 2 ** 39, 0]); // Z 41 and 80
    expect(elementMask(['Og'])).toEqual([0, 0, 2 ** 37]); // Z 118
    expect(() => elementMask(['Xx'])).toThrow(/not an element/);
  });
});

describe('library', () => {
  it('migrates a version-1 file to the current schema, keeping its rows', () => {
    const file = join(dir, 'v1.sqlite');
    const db = new Database(file);
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    db.exec(`INSERT INTO models VALUES ('m', 'm', '', '{}', '');
      INSERT INTO screens (id, created_at, updated_at, status, inputs_json, model_id) VALUES (1, '', '', 'done', '{}', 'm');
      INSERT INTO candidates (id, screen_id, seq, formula, elements, sites_json, oxidation_json, t, mu, tau) VALUES (1, 1, 0, 'CaTiO3', ',Ca,Ti,O,', '[]', '{}', 0.97, 0.43, 3.88);
      INSERT INTO predictions (candidate_id, model_id, band_gap, band_gap_sigma, p_stable, p_stable_spread, stable) VALUES (1, 'm', 2.5, 0.1, 0.8, 0.05, 1);`);
    db.close();
    const lib = Library.open(file);
    expect(lib.schemaVersion).toBe(MIGRATIONS.length);
    const r = lib.query({ screenId: 1 });
    expect(r.rows.map((x) => [x.formula, x.bandGap])).toEqual([['CaTiO3', 2.5]]);
    // element masks were backfilled from the candidates' element lists
    expect(lib.query({ screenId: 1, include: ['Ca', 'O'] }).total).toBe(1);
    expect(lib.query({ screenId: 1, include: ['Sr'] }).total).toBe(0);
    expect(lib.query({ screenId: 1, exclude: ['Ti'] }).total).toBe(0);
    expect(lib.query({ screenId: 1, exclude: ['Pb', 'Og', 'H'] }).total).toBe(1);
    lib.close();
  });

  it('refuses a file from a newer workbench', () => {
    const file = join(dir, 'future.sqlite');
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => Library.open(file)).toThrow(/newer than this workbench/);
  });

  it('stops counting past the cap unless asked for the exact total; pages stay correct', () => {
    const lib = Library.open(join(dir, 'many.sqlite'));
    lib.upsertModel({ ...readModelCard(modelDir), id: 'm' }, modelDir);
    const id = lib.createScreen(inputs, 'm', null, null);
    const n = COUNT_CAP + 50;
    const { candidates, predictions } = fake(n);
    lib.writeBatch(id, 'm', candidates, predictions, n);
    const capped = lib.query({ screenId: id, limit: 3, sort: { column: 'band_gap', descending: true } });
    expect(capped).toMatchObject({ total: COUNT_CAP + 1, exact: false });
    expect(capped.rows.map((r) => r.bandGap)).toEqual([4.99, 4.99, 4.99]);
    expect(capped.rows.map((r) => r.seq)).toEqual([...capped.rows.map((r) => r.seq)].sort((a, b) => b - a)); // ties: later first when descending
    expect(lib.query({ screenId: id, exactTotal: true, limit: 1 })).toMatchObject({ total: n, exact: true });
    const top = candidates.filter((c) => c.seq % 500 === 499).length; // band gap 4.99
    expect(lib.query({ screenId: id, gap: [4.99, 5], limit: 1 })).toMatchObject({ total: top, exact: true });
    lib.close();
  });

  it("validates a screen's inputs when reading them back, naming the file and the screen", () => {
    const file = join(dir, 'bad-inputs.sqlite');
    const lib = Library.open(file);
    lib.upsertModel({ ...readModelCard(modelDir), id: 'm' }, modelDir);
    const id = lib.createScreen(inputs, 'm', null, 1);
    expect(lib.screen(id).inputs).toEqual(inputs);
    lib.close();
    const db = new Database(file);
    db.prepare('UPDATE screens SET inputs_json = ? WHERE id = ?').run(JSON.stringify({ options: { sites: 'Ca' } }), id);
    db.close();
    const again = Library.open(file);
    expect(() => again.screen(id)).toThrow(new RegExp(`bad-inputs.sqlite: the inputs of screen ${id} are not valid`));
    again.close();
  });

  it('refuses a file that is not a database, naming it', () => {
    const file = join(dir, 'not-a-db.sqlite');
    writeFileSync(file, 'this is not SQLite '.repeat(100));
    expect(() => Library.open(file)).toThrow(/cannot open library .*not-a-db\.sqlite: file is not a database/);
  });

  it('histogram and scatter come from SQL over every match; a candidate reads back by id with its screen', () => {
    const lib = Library.open(join(dir, 'stats.sqlite'));
    lib.upsertModel({ ...readModelCard(modelDir), id: 'm' }, modelDir);
    const id = lib.createScreen(inputs, 'm', null, null);
    const n = 3000;
    const { candidates, predictions } = fake(n);
    lib.writeBatch(id, 'm', candidates, predictions, n);
    const h = lib.histogram({ screenId: id }, 10);
    expect(h.edges).toHaveLength(11);
    expect(h.edges.at(-1)).toBe(5); // largest gap 4.99, rounded up
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(n);
    const expected = new Array<number>(10).fill(0);
    for (const p of predictions) expected[Math.min(9, Math.floor((p.bandGap!.value / 5) * 10))]! += 1;
    expect(h.counts).toEqual(expected);
    const s = lib.scatter({ screenId: id, gap: [1, 2] }, 100, [1.2, 1.8]);
    expect(s.total).toBe(predictions.filter((p) => p.bandGap!.value >= 1 && p.bandGap!.value <= 2).length);
    expect(s.ids.length).toBeLessThanOrEqual(100);
    expect(s.gap.every((g) => g >= 1 && g <= 2)).toBe(true);
    expect(s.pareto.length).toBeGreaterThan(0);
    const first = lib.query({ screenId: id, limit: 1 }).rows[0]!;
    expect(lib.candidate(first.id)).toMatchObject({ screenId: id, row: { formula: 'CaTiO3', seq: 0 } });
    expect(lib.candidate(10_000_000)).toBeNull();
    lib.close();
  });

  it('refuses a library with damaged pages when opening it, naming the file', () => {
    const file = join(dir, 'damaged.sqlite');
    const lib = Library.open(file);
    lib.upsertModel({ ...readModelCard(modelDir), id: 'm' }, modelDir);
    const id = lib.createScreen(inputs, 'm', null, null);
    const { candidates, predictions } = fake(4000);
    lib.writeBatch(id, 'm', candidates, predictions, 4000);
    lib.close();
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    for (let p = 3; p * pageSize < bytes.length; p += 7) bytes.fill(0x5a, p * pageSize + 8, p * pageSize + 64); // scribble over page headers
    writeFileSync(file, bytes);
    expect(() => Library.open(file)).toThrow(/damaged\.sqlite (is damaged|.*malformed)/);
    expect(() => Library.openReadonly(file)).toThrow(/damaged\.sqlite/);
  });
});
