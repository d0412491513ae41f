// The next batch: acquisition with diversity by local penalization (hand-checked on small pools), and
// through the CLI on a real screen: the batch is the ranking's best, minus near-copies of earlier picks.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src-main/data/paths.js';
import { compositionDistance, selectBatch } from '../../../src-main/services/next-batch.js';

const f = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));

describe('composition distance', () => {
  it('is half the L1 distance between atomic fractions: 0 for equal, 1 for disjoint', () => {
    const catio3 = f({ Ca: 0.2, Ti: 0.2, O: 0.6 });
    expect(compositionDistance(catio3, catio3)).toBe(0);
    expect(compositionDistance(catio3, f({ Cs: 0.2, Pb: 0.2, I: 0.6 }))).toBeCloseTo(1, 12);
    // (Ca0.5Sr0.5)TiO3 against CaTiO3: 0.1 of the atoms changed element
    expect(compositionDistance(catio3, f({ Ca: 0.1, Sr: 0.1, Ti: 0.2, O: 0.6 }))).toBeCloseTo(0.1, 12);
  });
});

describe('batch selection with local penalization', () => {
  const a = f({ Ca: 0.2, Ti: 0.2, O: 0.6 });
  const aTwin = f({ Ca: 0.19, Sr: 0.01, Ti: 0.2, O: 0.6 }); // 0.01 from a
  const b = f({ Cs: 0.2, Pb: 0.2, I: 0.6 });
  const c = f({ Ba: 0.2, Zr: 0.2, S: 0.6 });

  it('skips a near-copy of an earlier pick for a slightly worse, different candidate', () => {
    const pool = [{ score: 0.9, fractions: a }, { score: 0.89, fractions: aTwin }, { score: 0.8, fractions: b }, { score: 0.7, fractions: c }];
    const picks = selectBatch(pool, 3, 0.1);
    expect(picks.map((p) => p.index)).toEqual([0, 2, 3]);
    expect(picks[0]).toEqual({ index: 0, penalized: 0.9, nearest: null });
    expect(picks[1]!.nearest).toBeCloseTo(1, 12);
    // the twin's score after the first pick: 0.89 x (1 - exp(-0.01^2 / (2 x 0.1^2))) = 0.89 x 0.004988
    expect(selectBatch(pool, 4, 0.1)[3]).toMatchObject({ index: 1 });
    expect(selectBatch(pool, 4, 0.1)[3]!.penalized).toBeCloseTo(0.89 * (1 - Math.exp(-0.0001 / 0.02)) * (1 - Math.exp(-1 / 0.02)) ** 2, 10);
  });

  it('is plain ranking by acquisition when the length scale is tiny, and never picks more than the pool', () => {
    const pool = [{ score: 0.9, fractions: a }, { score: 0.89, fractions: aTwin }, { score: 0.8, fractions: b }];
    expect(selectBatch(pool, 3, 1e-6).map((p) => p.index)).toEqual([0, 1, 2]);
    expect(selectBatch(pool, 10, 0.1)).toHaveLength(3);
  });
});

describe('pdw next-batch on a real screen', () => {
  const root = projectRoot();
  const dir = mkdtempSync(join(tmpdir(), 'pdw-next-batch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pdw = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'pdw.js'), ...args], { encoding: 'utf8', env: { ...process.env, PDW_BACKEND: 'wasm' } });

  it('returns k diverse candidates from the top of the UCB ranking, each with its scores', () => {
    const library = join(dir, 'library.sqlite');
    expect(pdw('screen', '--library', library, '--a', 'Ca,Sr,Ba,K,Na', '--b', 'Ti,Zr,Nb,Ta,Sn', '--x', 'O,S', '--mix', 'A:0.125,B:0.125', '--quiet', '--workers', '1').status).toBe(0);
    const r = pdw('next-batch', '--screen', '1', '--library', library, '--target', '1.2:1.8', '--k', '10', '--json');
    expect(r.stderr).toBe('');
    const batch = JSON.parse(r.stdout) as { rows: { id: number; acquisition: number; penalized: number; nearestPick: number | null; poolRank: number }[]; pool: number; method: string };
    expect(batch.rows).toHaveLength(10);
    expect(batch.method).toMatch(/UCB acquisition .* local penalization/);
    expect(new Set(batch.rows.map((x) => x.id)).size).toBe(10);
    expect(batch.rows[0]!.poolRank).toBe(1); // the best by acquisition comes first
    for (const x of batch.rows) expect(x.penalized).toBeLessThanOrEqual(x.acquisition + 1e-12);
    // every pick after the first keeps some distance from the earlier ones
    expect(batch.rows.slice(1).every((x) => x.nearestPick !== null && x.nearestPick > 0)).toBe(true);
    const plain = JSON.parse(pdw('query', '--screen', '1', '--library', library, '--rank', 'ucb', '--target', '1.2:1.8', '--limit', '10', '--json').stdout) as { rows: { id: number }[] };
    expect(batch.rows.map((x) => x.id)).not.toEqual(plain.rows.map((x) => x.id)); // diversity changed the batch
    // the printed tables say which gap: the default model's is PBE (Materials Project)
    const table = pdw('next-batch', '--screen', '1', '--library', library, '--target', '1.2:1.8', '--k', '3');
    expect(table.stdout).toMatch(/gap: PBE band gap \(eV; Materials Project/);
    expect(table.stdout).toMatch(/PBE gap \(eV\) ± σ/);
    expect(pdw('query', '--screen', '1', '--library', library, '--limit', '2').stdout).toMatch(/PBE gap \(eV\) ± σ/);
    const bad = pdw('next-batch', '--screen', '9', '--library', library, '--target', '1.2:1.8');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^pdw: error: no screen 9/);
  }, 120_000);
});
