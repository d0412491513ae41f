// End to end, as a person would: the real server and services, Debian's chromium driven by
// playwright-core, the committed default model, a real SQLite file. Screenshots of every view go to
// test-artifacts/ (look at them).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gapName } from '../../shared/api/labels.js';
import { projectRoot } from '../../src-main/data/paths.js';
import type { RunningServer } from '../../src-main/server/server.js';
import { seedExamples } from '../src-main/engine/train/helpers.js';
import { ARTIFACTS as artifacts, defaultModel, openSession, type Session } from './session.js';

let session: Session;
let server: RunningServer;
let page: Page;
let workspace = '';

beforeAll(async () => {
  session = await openSession(defaultModel);
  ({ server, page, workspace } = session);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

describe('the local server', () => {
  const count = { sites: { A: ['Ca'], B: ['Ti'], X: ['O'] }, mixing: {}, double: false, maxElements: 6, oxidationStates: 'common', filters: { tolerance: null, octahedral: null, tauMax: null } };
  const post = (path: string, body: unknown, headers: Record<string, string>): Promise<Response> =>
    fetch(`http://127.0.0.1:${server.port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('answers 401 without the token, 403 to another origin, 400 to a bad payload', async () => {
    expect((await post('/api/count', count, {})).status).toBe(401);
    expect((await post('/api/count', count, { 'x-pdw-token': 'wrong' })).status).toBe(401);
    expect((await post('/api/count', count, { 'x-pdw-token': server.token, origin: 'http://evil.example' })).status).toBe(403);
    const bad = await post('/api/count', { ...count, maxElements: 99 }, { 'x-pdw-token': server.token });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/invalid request for 'count': maxElements/);
    const ok = await post('/api/count', count, { 'x-pdw-token': server.token });
    expect(((await ok.json()) as { result: { candidates: number } }).result.candidates).toBe(1);
  });

  it('refuses a WebSocket without the token', async () => {
    const refused = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=nope`);
      ws.on('open', () => resolve(false));
      ws.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe('the workbench in a browser', () => {
  it('picks Ca, Sr / Ti, Zr / O with a live count, and screens with progress', async () => {
    await page.goto(server.url);
    await page.waitForSelector('[data-symbol="Ca"]');
    for (const s of ['Ca', 'Sr']) await page.click(`[data-symbol="${s}"]`);
    await page.keyboard.press('b'); // keyboard switches the active site
    expect(await page.isChecked('input[value="B"]')).toBe(true);
    for (const s of ['Ti', 'Zr']) await page.click(`[data-symbol="${s}"]`);
    await page.click('input[value="X"]');
    await page.click('[data-symbol="O"]');
    expect(await page.isDisabled('[data-symbol="He"]')).toBe(true);
    await page.waitForFunction(() => /\b4 candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
    await page.selectOption('select[aria-label="mixing on A"]', '0.25');
    await page.waitForFunction(() => /\b10 candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
    await page.click('[data-testid="run-screen"]');
    await page.waitForSelector('[data-testid="screen-message"]:has-text("finished")', { timeout: 60_000 });
    await page.waitForFunction(() => /10 \/ 10/.test(document.querySelector('[data-testid="progress"]')?.textContent ?? ''));
    await page.screenshot({ path: join(artifacts, '1-design.png'), fullPage: true });
  });

  it('filters the results and opens a candidate with its attention', async () => {
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');
    expect(await page.locator('[data-testid="results-table"] .link').count()).toBe(10);
    await page.fill('input[aria-label="band gap range"]', '2:10');
    // settled: fewer rows than before, and every one of them rendered
    await page.waitForFunction(() => {
      const n = Number((document.querySelector('[data-testid="row-count"]')?.textContent ?? '').split(' ')[0]);
      return n < 10 && document.querySelectorAll('[data-testid="results-table"] .link').length === n;
    });
    const shown = await page.locator('[data-testid="results-table"] .link').allTextContents();
    const gaps = await page.locator('[data-testid="results-table"] .td.band_gap').allTextContents();
    expect(gaps.map((g) => Number(g.split('±')[0])).filter((g) => g < 2)).toEqual([]);
    await page.screenshot({ path: join(artifacts, '2-results.png'), fullPage: true });
    await page.click('[data-testid="results-table"] .link >> nth=0');
    await page.waitForSelector('[data-testid="candidate-formula"]');
    expect(await page.textContent('[data-testid="candidate-formula"]')).toBe(shown[0]);
    await page.waitForSelector('[data-testid="attention"] canvas');
    expect(await page.locator('[data-testid="attention"] figure').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-testid="neighbours"] tbody tr').count()).toBe(6);
    await page.screenshot({ path: join(artifacts, '3-candidate.png'), fullPage: true });
  });

  it('moving a filter quickly never leaves replies of an older filter on screen', async () => {
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');
    for (const text of ['0:1', '0:5', '1:2', '3:10', '0:0.5', '2:10']) await page.fill('input[aria-label="band gap range"]', text); // no waiting between
    const expected = session.workbench.candidates.query({ screenId: 1, gap: [2, 10], limit: 5000, offset: 0 }).total;
    await page.waitForFunction((n) => Number((document.querySelector('[data-testid="row-count"]')?.textContent ?? '').split(' ')[0]) === n && document.querySelectorAll('[data-testid="results-table"] .link').length === n, expected);
    await page.waitForTimeout(500); // any late reply of an older filter would land now
    expect(Number((await page.textContent('[data-testid="row-count"]'))!.split(' ')[0])).toBe(expected);
    const gaps = await page.locator('[data-testid="results-table"] .td.band_gap').allTextContents();
    const values = gaps.filter((g) => /^\d/.test(g)); // the header cell shares the class
    expect(values).toHaveLength(expected);
    expect(values.filter((g) => !(Number(g.split('±')[0]) >= 2))).toEqual([]);
    await page.click('[data-testid="results-table"] .link >> nth=0');
    await page.waitForSelector('[data-testid="candidate-formula"]');
  });

  it('refuses bad filters where they are typed, explains the ranking score, and keeps the filters across views', async () => {
    await page.click('nav button:has-text("Results")');
    await page.fill('input[placeholder="Sn, I"]', 'sn');
    await page.waitForSelector("[role=alert]:has-text(\"Include: 'sn' is not an element symbol; did you mean Sn?\")");
    await page.fill('input[placeholder="Sn, I"]', '');
    await page.fill('input[placeholder="eV"]', 'x');
    await page.waitForSelector("[role=alert]:has-text(\"σ(gap): 'x' must be a positive number in eV.\")");
    await page.fill('input[placeholder="eV"]', '');
    await page.selectOption('select[aria-label="ranking"]', 'window');
    await page.waitForSelector('[data-testid="rank-definition"]:has-text("score = P(1.2 eV ≤ PBE gap ≤ 1.8 eV)")');
    await page.waitForSelector('[data-testid="results-table"] .td.score >> nth=1');
    const scores = (await page.locator('[data-testid="results-table"] .td.score').allTextContents()).slice(1).map(Number);
    expect(scores.length).toBeGreaterThan(0);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    await page.screenshot({ path: join(artifacts, '2b-ranked.png'), fullPage: true });
    await page.click('nav button:has-text("Design")');
    await page.click('nav button:has-text("Results")');
    expect(await page.inputValue('input[aria-label="band gap range"]')).toBe('2:10');
    expect(await page.inputValue('select[aria-label="ranking"]')).toBe('window');
    await page.selectOption('select[aria-label="ranking"]', 'none');
    await page.click('[data-testid="results-table"] .link >> nth=0');
    await page.waitForSelector('[data-testid="candidate-formula"]');
  });

  it('brushes the scatter: the points are selected and ringed, hover names the nearest point, tau has a colour bar', async () => {
    await page.click('nav button:has-text("Results")');
    const box = (await page.locator('[data-testid="scatter"]').boundingBox())!;
    await page.mouse.move(box.x + 41, box.y + 11);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 11, box.y + box.height - 31, { steps: 5 });
    await page.mouse.up();
    const shown = Number(/\((\d+) of \d+ shown\)/.exec((await page.textContent('main'))!)![1]);
    await page.waitForFunction((n) => document.querySelector('main')?.textContent?.includes(`${n} selected`), shown);
    await page.screenshot({ path: join(artifacts, '2c-brushed.png'), fullPage: true });
    expect(await page.textContent('[data-testid="tau-legend"]')).toMatch(/4\.18 \(perovskite limit\)/);
    // hover: the tooltip names a candidate of this screen
    const data = await session.workbench.handle('scatter', { screenId: 1, gap: [2, 10], maxPoints: 20000, window: [1.2, 1.8] });
    const formulas = new Set(data.formulas);
    let named = false;
    for (let fx = 0.1; fx < 1 && !named; fx += 0.02) {
      for (let fy = 0.05; fy < 1 && !named; fy += 0.05) {
        await page.mouse.move(box.x + 40 + fx * (box.width - 50), box.y + 10 + fy * (box.height - 40));
        const tip = (await page.locator('.tip').count()) ? await page.locator('.tip').textContent() : null;
        if (tip && formulas.has(tip.split(':')[0]!)) named = true;
      }
    }
    expect(named).toBe(true);
    await page.click('[data-testid="results-table"] .link >> nth=0'); // back to a candidate for the next step
    await page.waitForSelector('[data-testid="candidate-formula"]');
  });

  it('adds it to the shortlist, annotates it, exports a CSV and reads it back', async () => {
    const formula = await page.textContent('[data-testid="candidate-formula"]');
    await page.click('button:has-text("Add to shortlist")');
    await page.click('nav button:has-text("Shortlist")');
    await page.fill('input[aria-label^="note for"]', '=HYPERLINK("x") check');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export"]')]);
    const file = join(workspace, 'shortlist.csv');
    await download.saveAs(file);
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ formula, model_name: 'default', note: '\'=HYPERLINK("x") check' });
    expect(Number(rows[0]!['band_gap_eV'])).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(artifacts, '4-shortlist.png'), fullPage: true });
  });

  it('trains a tiny model from a CSV in the dashboard, listing the bad rows', async () => {
    const csv = join(workspace, 'tiny.csv');
    const lines = seedExamples(120).map((e) => `${e.formula},${e.targets['band_gap']},${e.targets['stable'] === 1 ? 'TRUE' : 'FALSE'}`);
    writeFileSync(csv, ['composition,gap,stable', ...lines, 'Xx2O3,1.0,TRUE'].join('\n'));
    await page.click('nav button:has-text("Training")');
    await page.setInputFiles('input[aria-label="training CSV"]', csv);
    await page.waitForSelector('text=columns composition, gap, stable');
    expect(await page.inputValue('[data-testid="start-from"]')).toBe('screening-model'); // fine-tuning is the default
    await page.selectOption('[data-testid="start-from"]', 'scratch');
    await page.fill('input[type="number"] >> nth=0', '3'); // epochs
    await page.fill('input[type="number"] >> nth=1', '1'); // members
    await page.fill('input[type="number"] >> nth=2', '16'); // d_model
    await page.fill('input[type="number"] >> nth=3', '1'); // layers
    expect(await page.inputValue('[data-testid="gap-target"]')).toBe('gap'); // the column named 'gap' is the band gap
    await page.check('text=make it the screening model when done');
    await page.click('[data-testid="train"]');
    await page.click('nav button:has-text("Design")'); // the running job is not lost by switching views
    await page.click('nav button:has-text("Training")');
    await page.waitForSelector('[data-testid="train-status"]:has-text("done")', { timeout: 250_000 });
    expect(await page.textContent('[data-testid="bad-rows"]')).toMatch(/unknown element symbol 'Xx'/);
    expect(await page.textContent('[data-testid="train-metrics"]')).toMatch(/gap: mean absolute error \(eV\)/);
    expect(await page.textContent('[data-testid="train-metrics"]')).toMatch(/stable: ROC AUC/);
    expect(await page.locator('[data-testid="confusion"] td').count()).toBe(4);
    // the plots say what they show, mark early stopping, and save as standalone SVG
    const summary = await session.workbench.handle('training', { jobId: 1 });
    expect(summary.bestEpochs).toHaveLength(1);
    expect(await page.locator('[data-testid="best-epoch"]').count()).toBe(1);
    expect(await page.textContent('[data-testid="learning-curves"]')).toMatch(/validation MAE of gap \(eV\).*best epoch/s);
    const parity = await page.textContent('[data-testid="parity"]');
    expect(parity).toMatch(/gap in the data \(eV\)/);
    expect(parity).toMatch(/gap predicted \(eV\)/);
    expect(parity).toMatch(/test rows: n = \d+, MAE [\d.]+ eV/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('figure:has([data-testid="parity"]) button:has-text("Save SVG")')]);
    expect(download.suggestedFilename()).toBe('parity-gap.svg');
    const svg = readFileSync((await download.path())!, 'utf8');
    expect(svg).toMatch(/^<\?xml[^>]*>\s*<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('gap predicted (eV)');
    expect((svg.match(/<circle/g) ?? []).length).toBe(summary.parity!.truth.length);
    await page.screenshot({ path: join(artifacts, '5-training.png'), fullPage: true });
  }, 300_000);

  it('fine-tuning the screening model on the same 120 rows beats training from scratch, and the view compares them', async () => {
    const scratch = await session.workbench.handle('training', { jobId: 1 });
    // the scratch model became the screening model; switch back to the bundled default in the model list
    // the distilled screening model is offered beside it, saying what it is
    expect(await page.textContent('[data-testid="models"] tr:has-text("default-screening") [data-testid="distilled-note"]')).toMatch(/distilled from default: its 4 members share one encoder/);
    // a gated model says where its gaps read 0 (the bundled default's cut, from its card)
    const cut = (JSON.parse(readFileSync(join(projectRoot(), 'resources', 'models', 'default', 'model.json'), 'utf8')) as { ensemble: { zeroBelow: Record<string, number> } }).ensemble.zeroBelow['band_gap']!;
    expect(await page.textContent('[data-testid="models"] td[title$="/models/default"] ~ td [data-testid="zero-gate-note"]')).toContain(`0 (predicted metal) at or below ${cut.toFixed(2)} eV`);
    // every head is listed with its unit: the PBE gap named as such, the experimental gap and E_hull beside
    expect(await page.textContent('[data-testid="models"] td[title$="/models/default"] + td')).toMatch(/^PBE gap: band_gap \(eV\)/);
    expect(await page.textContent('[data-testid="models"] td[title$="/models/default"] ~ td[data-testid="other-heads"]')).toBe('band_gap_expt (eV)energy_above_hull (eV/atom)');
    expect(await page.textContent('[data-testid="models"] tr:has-text("pretrained-mp-gap-d32-long") [data-testid="other-heads"]')).toBe('none');
    // a pretrained encoder says which sets it never saw
    expect(await page.textContent('[data-testid="models"] tr:has-text("pretrained-mp-gap-d32-long") [data-testid="left-out-note"]')).toMatch(/trained without the compositions of mp_abx3, expt_gap/);
    await page.click('[data-testid="models"] tr:has-text("default") button:has-text("Use for screening")');
    await page.waitForSelector('[data-testid="models"] td:has-text("default (screening)")');
    expect(await page.textContent('header')).toMatch(/model: default/);
    await page.selectOption('[data-testid="start-from"]', 'screening-model');
    await page.fill('input[type="number"] >> nth=0', '3'); // epochs
    await page.fill('input[type="number"] >> nth=1', '1'); // members
    await page.uncheck('text=make it the screening model when done');
    await page.click('[data-testid="train"]');
    await page.waitForFunction(() => /fine-tuned from/.test(document.querySelector('main')?.textContent ?? ''), undefined, { timeout: 250_000 });
    const tuned = await session.workbench.handle('training', { jobId: 2 });
    expect(tuned).toMatchObject({ status: 'done', startedFrom: expect.any(String) });
    expect(tuned.comparison!.newMae).toBeLessThan(scratch.comparison!.newMae);
    expect(tuned.startedFrom).toBe('default');
    expect(await page.textContent('[data-testid="comparison"]')).toMatch(/the new model[\d.\s]+the screening model \(default\)[\d.\s]+predicting the training mean/);
    await page.screenshot({ path: join(artifacts, '5b-fine-tuned.png'), fullPage: true });
    await session.workbench.handle('activateModel', { dir: scratch.modelDir! });
  }, 300_000);

  it("screens with the model trained on a column named 'gap': band gaps are stored", async () => {
    await page.click('nav button:has-text("Design")');
    await page.click('[data-testid="run-screen"]');
    const deadline = Date.now() + 60_000;
    while (!(session.workbench.screening.list().length === 2 && session.workbench.screening.list()[1]!.status === 'done') && Date.now() < deadline) await page.waitForTimeout(200);
    const latest = session.workbench.screening.list().at(-1)!;
    expect(latest.status).toBe('done');
    expect(latest.modelId).toMatch(/^trained-1/); // the scratch model was made the screening model; the fine-tuned one was not
    const page1 = session.workbench.candidates.query({ screenId: latest.id, limit: 100, offset: 0 });
    expect(page1.rows.length).toBe(10);
    expect(page1.rows.every((r) => r.bandGap !== null && Number.isFinite(r.bandGap))).toBe(true);
  }, 120_000);

  it('compares the two screens side by side: distributions and the best candidates for a window', async () => {
    await page.click('nav button:has-text("Compare")');
    await page.waitForSelector('[data-testid="compare-top-0"] tbody tr');
    await page.waitForSelector('[data-testid="compare-top-1"] tbody tr');
    expect(new URL(page.url()).hash).toBe('#/compare');
    const scores = (await page.locator('[data-testid="compare-top-0"] tbody tr td:first-child').allTextContents()).map(Number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // each panel's numbers are labelled by the model that screened it, not by the active one
    const [first, second] = session.workbench.screening.list();
    expect(first!.roles.bandGap!.meaning).toMatch(/PBE/);
    expect(second!.roles.bandGap!.meaning).not.toMatch(/PBE/);
    expect(await page.textContent('[data-testid="compare-top-0"] thead')).toContain('PBE gap (eV) ± σ');
    expect(await page.textContent('[data-testid="compare-top-1"] thead')).toContain(`${gapName(second!.roles.bandGap!.meaning)} (eV) ± σ`);
    expect(await page.getAttribute('[data-testid="compare-top-1"] thead th:nth-child(3)', 'title')).toBe(second!.roles.bandGap!.meaning);
    await page.fill('input[aria-label="target gap window"]', '3:x');
    await page.waitForSelector("[role=alert]:has-text(\"Target window: '3:x' is not a range like 1.2:1.8 (eV).\")");
    await page.fill('input[aria-label="target gap window"]', '3:4');
    await page.screenshot({ path: join(artifacts, '10-compare.png'), fullPage: true });
  });
});
