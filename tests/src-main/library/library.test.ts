import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Prediction } from '../../../src-main/engine/model/predictor.js';
import type { Candidate } from '../../../src-main/enumerate/types.js';
import { Library } from '../../../src-main/library/library.js';
import { elementMask, MIGRATIONS } from '../../../src-main/library/migrations.js';
import { COUNT_CAP, queryCandidates } from '../../../src-main/library/query.js';

const dir = mkdtempSync(join(tmpdir(), 'pdw-library-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fake(n: number, from = 0): { candidates: Candidate[]; predictions: Prediction[] } {
  const candidates = Array.from({ length: n }, (_, i): Candidate => ({
    seq: from + i,
    formula: 'CaTiO3',
    sites: [{ site: 'A', species: [{ element: 'Ca', amount: 1 }] }, { site: 'B', species: [{ element: 'Ti', amount: 1 }] }, { site: 'X', species: [{ element: 'O', amount: 3 }] }],
    oxidationStates: { Ca: 2, Ti: 4, O: -2 },
    tolerance: 0.97,
    octahedral: 0.43,
    tau: 3.88,
    radii: [],
  }));
  const predictions = candidates.map((c): Prediction => ({
    regression: { band_gap: { value: (c.seq % 500) / 100, sigma: 0.1 } },
    classification: { target: 'stable', probability: ((c.seq * 7) % 100) / 100, spread: 0.05, decision: true },
  }));
  return { candidates, predictions };
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
    const lib = new Library(file);
    expect(lib.schemaVersion).toBe(MIGRATIONS.length);
    const r = queryCandidates(lib, { screenId: 1 });
    expect(r.rows.map((x) => [x.formula, x.bandGap])).toEqual([['CaTiO3', 2.5]]);
    // element masks were backfilled from the candidates' element lists
    expect(queryCandidates(lib, { screenId: 1, include: ['Ca', 'O'] }).total).toBe(1);
    expect(queryCandidates(lib, { screenId: 1, include: ['Sr'] }).total).toBe(0);
    expect(queryCandidates(lib, { screenId: 1, exclude: ['Ti'] }).total).toBe(0);
    expect(queryCandidates(lib, { screenId: 1, exclude: ['Pb', 'Og', 'H'] }).total).toBe(1);
    lib.close();
  });

  it('refuses a file from a newer workbench', () => {
    const file = join(dir, 'future.sqlite');
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new Library(file)).toThrow(/newer than this workbench/);
  });

  it('stops counting past the cap unless asked for the exact total; pages stay correct', () => {
    const lib = new Library(join(dir, 'many.sqlite'));
    lib.db.prepare("INSERT INTO models (id, name, dir, card_json, created_at) VALUES ('m', 'm', '', '{}', '')").run();
    const id = lib.createScreen({}, 'm', null, null);
    const n = COUNT_CAP + 50;
    const { candidates, predictions } = fake(n);
    lib.writeBatch(id, 'm', candidates, predictions, n);
    const capped = queryCandidates(lib, { screenId: id, limit: 3, sort: { column: 'band_gap', descending: true } });
    expect(capped).toMatchObject({ total: COUNT_CAP + 1, exact: false });
    expect(capped.rows.map((r) => r.bandGap)).toEqual([4.99, 4.99, 4.99]);
    expect(capped.rows.map((r) => r.seq)).toEqual([...capped.rows.map((r) => r.seq)].sort((a, b) => b - a)); // ties: later first when descending
    expect(queryCandidates(lib, { screenId: id, exactTotal: true, limit: 1 })).toMatchObject({ total: n, exact: true });
    const top = candidates.filter((c) => c.seq % 500 === 499).length; // band gap 4.99
    expect(queryCandidates(lib, { screenId: id, gap: [4.99, 5], limit: 1 })).toMatchObject({ total: top, exact: true });
    lib.close();
  });
});
