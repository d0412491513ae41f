/**
 * The experimental-gap and energy-above-hull heads in the library (migration 13): stored as columns,
 * filtered (E_hull ceiling), sorted, and read by the gap window, the rankings, the histogram and the
 * scatter when a query asks for the experimental gap; exported with their meaning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import type { Candidate } from '../../../src-main/enumerate/types.js';
import { candidateRecord, Library, type StoredPrediction } from '../../../src-main/library/index.js';
import { readModelCard } from '../../../src-main/engine/model/bundle.js';
import { caTiO3, inputs, modelDir } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'pdw-heads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 1000;
/** PBE gap rises with seq, the experimental gap falls with it, E_hull cycles 0-99 meV/atom. */
function rows(): { candidates: ReturnType<typeof candidateRecord>[]; predictions: StoredPrediction[] } {
  const candidates = Array.from({ length: N }, (_, seq): Candidate => caTiO3(seq));
  const predictions = candidates.map((c): StoredPrediction => {
    const gapExpt = { value: (N - c.seq) / 250, sigma: 0.05 };
    const eHull = { value: (c.seq % 100) / 1000, sigma: 0.01 };
    return {
      bandGap: { value: c.seq / 250, sigma: 0.05 },
      stability: { probability: 0.5, spread: 0.05, decision: true },
      other: { band_gap_expt: gapExpt, energy_above_hull: eHull },
      experimentalGap: gapExpt,
      energyAboveHull: eHull,
    };
  });
  return { candidates: candidates.map(candidateRecord), predictions };
}

describe('experimental-gap and energy-above-hull heads in the library', () => {
  const lib = Library.open(join(dir, 'heads.sqlite'));
  lib.upsertModel({ ...readModelCard(modelDir), id: 'm' }, modelDir);
  const id = lib.createScreen(inputs, 'm', null, null);
  const { candidates, predictions } = rows();
  lib.writeBatch(id, 'm', candidates, predictions, N);
  afterAll(() => lib.close());

  it('reads the heads back with each row, and filters by an E_hull ceiling', () => {
    const first = lib.query({ screenId: id, limit: 1 }).rows[0]!;
    expect(first).toMatchObject({ seq: 0, gapExpt: 4, gapExptSigma: 0.05, eHull: 0, eHullSigma: 0.01 });
    const metastable = lib.query({ screenId: id, eHullMax: 0.0495, limit: 1, exactTotal: true });
    expect(metastable.total).toBe(predictions.filter((p) => p.energyAboveHull!.value <= 0.0495).length);
    expect(metastable.total).toBe(500);
  });

  it('sorts by either head', () => {
    const byHull = lib.query({ screenId: id, sort: { column: 'e_hull', descending: true }, limit: 3 }).rows;
    expect(byHull.map((r) => r.eHull)).toEqual([0.099, 0.099, 0.099]);
    const byExpt = lib.query({ screenId: id, sort: { column: 'gap_expt', descending: false }, limit: 2 }).rows;
    expect(byExpt.map((r) => r.seq)).toEqual([999, 998]);
  });

  it('reads the experimental gap in the gap window, the rankings, the histogram and the scatter when asked', () => {
    // gap 1.0-1.2 eV: PBE seq 250-300, experimental seq 700-750
    const pbe = lib.query({ screenId: id, gap: [1, 1.2], sort: { column: 'seq', descending: false }, limit: 100 }).rows;
    const expt = lib.query({ screenId: id, gapKind: 'expt', gap: [1, 1.2], sort: { column: 'seq', descending: false }, limit: 100 }).rows;
    expect([pbe[0]!.seq, pbe.at(-1)!.seq]).toEqual([250, 300]);
    expect([expt[0]!.seq, expt.at(-1)!.seq]).toEqual([700, 750]);
    for (const mode of ['window', 'ucb', 'pareto'] as const) {
      const top = lib.query({ screenId: id, gapKind: 'expt', rank: { mode, window: [1.05, 1.15] }, limit: 1 }).rows[0]!;
      expect(top.gapExpt!).toBeGreaterThan(1.0);
      expect(top.gapExpt!).toBeLessThan(1.2);
      const topPbe = lib.query({ screenId: id, rank: { mode, window: [1.05, 1.15] }, limit: 1 }).rows[0]!;
      expect(topPbe.bandGap!).toBeGreaterThan(1.0);
      expect(topPbe.bandGap!).toBeLessThan(1.2);
    }
    const h = lib.histogram({ screenId: id, gapKind: 'expt', gap: [3, 4] }, 4);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(251);
    const s = lib.scatter({ screenId: id, gapKind: 'expt', eHullMax: 0 }, 1000, [1, 2]);
    expect(s.total).toBe(10);
    expect(s.gap).toEqual(predictions.filter((p) => p.energyAboveHull!.value === 0).map((p) => p.experimentalGap!.value));
  });

  it('exports both heads with their units', async () => {
    const out = new PassThrough();
    const written = lib.exportCsv({ screenId: id, ids: [lib.query({ screenId: id, limit: 1 }).rows[0]!.id] }, out);
    const csv = parse(await text(out), { columns: true }) as Record<string, string>[];
    await written;
    expect(csv).toHaveLength(1);
    expect(csv[0]).toMatchObject({ band_gap_expt_eV: '4', band_gap_expt_sigma_eV: '0.05', energy_above_hull_eV_per_atom: '0', energy_above_hull_sigma_eV_per_atom: '0.01' });
  });
});
