/** Known compounds: the index built from the data bundle, and unchecked library rows marked after opening. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../shared/index.js';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { moleculeAbbreviations } from '../../../src-main/data/elements/molecules.js';
import { buildKnownCompounds, KnownCompounds, sourceMask, sourcesOfMask } from '../../../src-main/data/known/known-compounds.js';
import { Library, MIGRATIONS } from '../../../src-main/library/index.js';
import { markKnownCandidates } from '../../../src-main/services/candidates.js';

let known: KnownCompounds;
beforeAll(() => {
  known = new KnownCompounds(buildKnownCompounds());
}, 60_000);

const dir = mkdtempSync(join(tmpdir(), 'pdw-known-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (f: string) => parseFormulaOrThrow(f, { molecules: moleculeAbbreviations() });

describe('the known-compound index', () => {
  it('finds CsPbI3 in mp_abx3 with its polymorphs, lowest energy above hull first, and in mp_gap', () => {
    const records = known.records(parse('CsPbI3'));
    const mp = records.filter((r) => r.source === 'mp_abx3');
    expect(mp.length).toBeGreaterThanOrEqual(3);
    expect(mp[0]).toMatchObject({ id: 'mp-540839', structure: 'ortho Pnma', energyAboveHull: 0, stable: true });
    expect(mp.every((r) => /^mp-\d+$/.test(r.id ?? ''))).toBe(true);
    const hulls = mp.map((r) => r.energyAboveHull ?? Infinity);
    expect(hulls).toEqual([...hulls].sort((a, b) => a - b));
    expect(sourcesOfMask(known.maskOf(parse('CsPbI3')))).toEqual(['mp_abx3', 'mp_gap']);
  });

  it('matches reduced compositions however the source writes them (Ag1Bi1Br6Cs2 is Cs2AgBiBr6)', () => {
    const records = known.records(parse('Cs2AgBiBr6'));
    expect(records.find((r) => r.source === 'mp_gap')).toMatchObject({ formula: 'Ag1Bi1Br6Cs2', bandGap: 1.3586, id: null });
    expect(records.find((r) => r.source === 'expt_gap')).toMatchObject({ formula: 'Cs2AgBiBr6', bandGap: 2.19 });
    expect(known.records(parse('Cs4Ag2Bi2Br12'))).toEqual(records);
  });

  it('counts a molecular cation as its atoms (MAPbI3 = CH6NPbI3, recorded in mp_gap)', () => {
    expect(sourcesOfMask(known.maskOf(parse('MAPbI3')))).toEqual(['mp_gap']);
  });

  it('calls a composition no dataset records novel', () => {
    expect(known.maskOf(parse('(Ba0.625K0.375)(Nb0.375Sn0.625)O3'))).toBe(0);
    expect(known.records(parse('(Ba0.625K0.375)(Nb0.375Sn0.625)O3'))).toEqual([]);
  });

  it('round-trips masks', () => {
    expect(sourcesOfMask(sourceMask(['expt_gap', 'mp_abx3']))).toEqual(['mp_abx3', 'expt_gap']);
    expect(sourceMask([])).toBe(0);
  });
});

describe('a library from before known-compound marks', () => {
  it('marks its candidates after migrating; novel-only then filters, and nothing is called novel before', () => {
    const file = join(dir, 'v8.sqlite');
    const db = new Database(file);
    for (const m of MIGRATIONS.slice(0, 8)) db.exec(m);
    db.pragma('user_version = 8');
    const sites = (a: string, b: string, x: string) => JSON.stringify([{ site: 'A', species: [{ element: a, amount: 1 }] }, { site: 'B', species: [{ element: b, amount: 1 }] }, { site: 'X', species: [{ element: x, amount: 3 }] }]);
    db.exec(`INSERT INTO models VALUES ('m', 'm', '', '{}', '');
      INSERT INTO screens (id, created_at, updated_at, status, inputs_json, model_id) VALUES (1, '', '', 'done', '{}', 'm');`);
    const candidate = db.prepare("INSERT INTO candidates (id, screen_id, seq, formula, elements, sites_json, oxidation_json, t, mu, tau) VALUES (?, 1, ?, ?, '', ?, '{}', 0.9, 0.4, 3)");
    const prediction = db.prepare("INSERT INTO predictions (candidate_id, model_id, screen_id, band_gap, band_gap_sigma, p_stable, p_stable_spread, stable) VALUES (?, 'm', 1, 1.5, 0.1, 0.5, 0.1, 1)");
    [['Cs', 'Pb', 'I'], ['Sr', 'Ti', 'O'], ['Rb', 'Hf', 'I']].forEach(([a, b, x], i) => {
      candidate.run(i + 1, i, `${a}${b}${x}3`, sites(a!, b!, x!));
      prediction.run(i + 1);
    });
    db.close();

    const lib = Library.open(file);
    expect(lib.query({ screenId: 1 }).rows.map((r) => r.known)).toEqual([null, null, null]);
    expect(lib.query({ screenId: 1, novelOnly: true }).total).toBe(0); // unchecked is not novel
    expect(markKnownCandidates(lib, loadElementTable(), known)).toBe(3);
    const rows = lib.query({ screenId: 1 }).rows;
    expect(rows.map((r) => [r.formula, r.known])).toEqual([['CsPbI3', ['mp_abx3', 'mp_gap']], ['SrTiO3', ['mp_abx3', 'mp_gap']], ['RbHfI3', []]]);
    expect(lib.query({ screenId: 1, novelOnly: true }).rows.map((r) => r.formula)).toEqual(['RbHfI3']);
    expect(markKnownCandidates(lib, loadElementTable(), known)).toBe(0); // checked once
    expect(markKnownCandidates(lib, loadElementTable(), null)).toBe(0); // no index: nothing to do
    lib.close();
  });
});
