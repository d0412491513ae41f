// The workbench's services end to end: a real SQLite file, the committed default model, two
// prediction workers, the same handler table the server and Electron call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_SPACE } from '../spaces.js';
import type { WorkbenchEvent } from '../../../shared/api/types.js';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { initBackend } from '../../../src-main/engine/backend.js';
import { defaultModelDir } from '../../../src-main/services/models.js';
import { Workbench } from '../../../src-main/services/workbench.js';

const space = SMALL_SPACE;
let dir = '';
let workbench: Workbench;
const events: WorkbenchEvent[] = [];

function finished(screenId: number): Promise<WorkbenchEvent> {
  return new Promise((resolve) => {
    const check = (e: WorkbenchEvent): void => {
      if (e.type === 'screen-finished' && e.screenId === screenId) {
        workbench.events.off('event', check);
        resolve(e);
      }
    };
    workbench.events.on('event', check);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pdw-services-'));
  const backend = await initBackend('wasm');
  workbench = new Workbench({ table: loadElementTable(), libraryFile: join(dir, 'library.sqlite'), modelDir: defaultModelDir(), workspaceDir: dir, backend: backend.name, workers: 2 });
  workbench.events.on('event', (e: WorkbenchEvent) => events.push(e));
});
afterAll(async () => {
  await workbench.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('screening service', () => {
  it('counts a space off the main thread', async () => {
    const counts = await workbench.handle('count', space);
    expect(counts).toMatchObject({ candidates: 96, exact: true });
  });

  it('refuses a space that cannot be enumerated before starting anything', async () => {
    await expect(workbench.handle('startScreen', { space: { ...space, sites: { ...space.sites, X: ['Ca'] } } })).rejects.toThrow(/Ca has no negative common oxidation state/);
    expect(await workbench.handle('screens', {})).toEqual([]);
  });

  it('screens in the background with progress events and two workers; a second resume of a running screen is refused', async () => {
    const { screenId } = await workbench.handle('startScreen', { space });
    const done = finished(screenId);
    await expect(workbench.handle('resumeScreen', { screenId })).rejects.toThrow(new RegExp(`screen ${screenId} is already running`));
    expect(await done).toMatchObject({ type: 'screen-finished', status: 'done', error: null });
    const progress = events.filter((e) => e.type === 'screen-progress' && e.screenId === screenId);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ done: 96, total: 96 });
    const [summary] = await workbench.handle('screens', {});
    expect(summary).toMatchObject({ id: screenId, status: 'done', done: 96, total: 96 });
    // resuming a finished screen answers at once
    expect(await workbench.handle('resumeScreen', { screenId })).toEqual({ ok: true });
  });

  it('answers queries, histogram and scatter over the stored candidates', async () => {
    const page = await workbench.handle('query', { screenId: 1, gap: [1, 3], stableMin: 0.2, sort: { column: 'band_gap', descending: true }, limit: 5, offset: 0 });
    const all = (await workbench.handle('query', { screenId: 1, limit: 5000, offset: 0 })).rows;
    const expected = all.filter((r) => r.bandGap! >= 1 && r.bandGap! <= 3 && r.pStable! >= 0.2).sort((a, b) => b.bandGap! - a.bandGap! || b.id - a.id);
    expect(page.total).toBe(expected.length);
    expect(page.rows.map((r) => r.formula)).toEqual(expected.slice(0, 5).map((r) => r.formula));
    const sulfides = await workbench.handle('query', { screenId: 1, include: ['S'], exclude: ['Ba'], limit: 1000, offset: 0 });
    expect(sulfides.rows.every((r) => r.formula.includes('S') && !r.formula.includes('Ba'))).toBe(true);
    const ranked = await workbench.handle('query', { screenId: 1, rank: { mode: 'window', window: [1.2, 1.8] }, limit: 96, offset: 0 });
    const scores = ranked.rows.map((r) => r.score!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const pareto = await workbench.handle('query', { screenId: 1, rank: { mode: 'pareto', window: [1.2, 1.8] }, limit: 96, offset: 0 });
    expect(pareto.rows[0]!.score).toBe(1);
    const h = await workbench.handle('histogram', { screenId: 1, bins: 20 });
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(96);
    const s = await workbench.handle('scatter', { screenId: 1, maxPoints: 50, window: [1.2, 1.8] });
    expect(s.total).toBe(96);
    expect(s.ids.length).toBeLessThanOrEqual(50);
  });

  it("opens a candidate's detail from its stored sites: radii per site, attention, neighbours", async () => {
    const mixed = (await workbench.handle('query', { screenId: 1, limit: 5000, offset: 0 })).rows.find((r) => r.formula.startsWith('(Ca0.25Sr0.75)TiO3') || r.formula.startsWith('(Ca'))!;
    const d = await workbench.handle('detail', { candidateId: mixed.id });
    expect(d.candidate.formula).toBe(mixed.formula);
    expect(d.radii.some((r) => /^Ca\+2 \(site A\): [0-9.]+ Å at CN 12/.test(r))).toBe(true);
    expect(d.radii.some((r) => /^O-2 \(site X\)/.test(r))).toBe(true);
    expect(d.attention.elements.length).toBe(4);
    expect(d.neighbours).toHaveLength(6);
    // the model's own gap beside each neighbour's recorded one: a real prediction, not a copy of the record
    expect(d.neighbours.every((n) => typeof n.predictedGap === 'number' && Number.isFinite(n.predictedGap))).toBe(true);
    expect(d.neighbours.some((n) => n.bandGap !== null && n.predictedGap !== n.bandGap)).toBe(true);
    await expect(workbench.handle('detail', { candidateId: 999_999 })).rejects.toThrow(/no candidate 999999/);
  });

  it('exports the matches as CSV text without a temporary file', async () => {
    const before = new Set((await import('node:fs')).readdirSync(tmpdir()));
    const { csv, rows } = await workbench.handle('exportCsv', { screenId: 1, gap: [0, 10], notes: {} });
    const after = (await import('node:fs')).readdirSync(tmpdir()).filter((f) => !before.has(f) && f.startsWith('pdw-export'));
    expect(after).toEqual([]);
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(rows);
    expect(records[0]).toMatchObject({ formula: 'CaTiO3', site_A: 'Ca:1', oxidation_states: 'Ca+2 Ti+4 O-2', model_name: 'default' });
  });

  it('lists the models and refuses to activate a folder without a model', async () => {
    const models = await workbench.handle('models', {});
    expect(models.map((m) => m.name)).toContain('default');
    await expect(workbench.handle('activateModel', { dir: join(dir, 'nope') })).rejects.toThrow(/no model at/);
    expect((await workbench.handle('model', {}))!.name).toBe('default');
  });

  it("labels a screen's numbers by the model that screened it, after another model is made the active one", async () => {
    const defaultRoles = (await workbench.handle('model', {}))!.roles;
    const candidate = (await workbench.handle('query', { screenId: 1, limit: 1, offset: 0 })).rows[0]!;
    await workbench.handle('activateModel', { dir: join(defaultModelDir(), '..', 'protocol-r') });
    try {
      const active = (await workbench.handle('model', {}))!;
      expect(active.name).toBe('protocol-r');
      expect(active.roles.experimentalGap ?? null).toBeNull(); // a model without the default's heads
      const [screen] = await workbench.handle('screens', {});
      expect(screen!.roles).toEqual(defaultRoles);
      expect(screen!.roles.experimentalGap?.target).toBe('band_gap_expt');
      const d = await workbench.handle('detail', { candidateId: candidate.id });
      expect(d.model.id).toBe(screen!.modelId);
      expect(d.model.roles).toEqual(defaultRoles);
    } finally {
      await workbench.handle('activateModel', { dir: defaultModelDir() });
    }
  });

  it('refuses CSV uploads it cannot read with a sentence: binary, UTF-16, Latin-1, a column named twice', async () => {
    await expect(workbench.handle('previewCsv', { csv: 'formula,gap\u0000\u0001' })).rejects.toThrow(/not a UTF-8 text file \(it holds NUL bytes: binary, or UTF-16\)/);
    await expect(workbench.handle('previewCsv', { csv: 'formula,gap\nCaTiO3,1\nBaTiO3,\ufffd\n' })).rejects.toThrow(/not valid UTF-8 \(first at line 3/);
    await expect(workbench.handle('previewCsv', { csv: 'formula,gap,gap\nCaTiO3,1,2\n' })).rejects.toThrow(/names the column 'gap' twice/);
  });

  it('a training upload whose rows are all rejected lists them, and one bad boolean rejects only its row', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${['CaTiO3', 'SrTiO3', 'BaTiO3', 'KNbO3'][i % 4]}${i % 4 === 0 ? '' : ''},${i % 3 ? 'TRUE' : 'FALSE'}`);
    const done = new Promise<WorkbenchEvent>((resolve) => {
      const on = (e: WorkbenchEvent): void => {
        if (e.type === 'train-finished') {
          workbench.events.off('event', on);
          resolve(e);
        }
      };
      workbench.events.on('event', on);
    });
    const csv = ['formula,stable', ...rows.slice(0, 39), 'NaNbO3,maybe'].join('\n');
    const { jobId } = await workbench.handle('startTraining', { csv: csv.replace(/CaTiO3|SrTiO3|BaTiO3|KNbO3|NaNbO3/g, 'Xx2O3'), formulaColumn: 'formula', targets: ['stable'], protocol: 'rows', epochs: 1, members: 1, dModel: 16, layers: 1, activate: false });
    await done;
    const failed = await workbench.handle('training', { jobId });
    expect(failed.status).toBe('failed');
    expect(failed.message).toMatch(/no usable rows \(40 rejected; see the list\)/);
    expect(failed.problems).toHaveLength(40);
    const { inferTargetKind } = await import('../../../src-main/data/datasets/index.js');
    expect(inferTargetKind([...rows.map((r) => r.split(',')[1]!), 'maybe'])).toBe('boolean');
  });
});
