// A hybrid halide screen in the browser: pick MA, FA, Cs / Pb, Sn / I, Br, screen with A and X mixing,
// open a hybrid candidate, export it. Screenshots go to test-artifacts/ (look at them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS as artifacts, suiteSession } from './session.js';

const session = suiteSession();

describe('a hybrid perovskite screen', () => {
  it('picks MA, FA, Cs / Pb, Sn / I, Br, screens with A and X mixing, opens a hybrid and exports it', async () => {
    const { page, server, workspace } = session;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(server.url);
    await page.waitForSelector('[data-symbol="MA"]');
    expect(await page.getAttribute('[data-symbol="MA"]', 'title')).toMatch(/methylammonium \(MA = CH3NH3, charge \+1\)\natoms the model sees: C H6 N\neffective radius 2\.17 Å/);
    await page.click('[data-symbol="MA"]');
    await page.focus('[data-symbol="FA"]');
    await page.keyboard.press('Enter'); // the keyboard works too
    await page.keyboard.press('x'); // and switches the site from an ion as from an element
    expect(await page.isChecked('input[value="X"]')).toBe(true);
    await page.keyboard.press('a');
    expect(await page.isChecked('input[value="A"]')).toBe(true);
    await page.click('[data-symbol="Cs"]');
    await page.keyboard.press('b');
    for (const s of ['Pb', 'Sn']) await page.click(`[data-symbol="${s}"]`);
    await page.click('input[value="X"]');
    for (const s of ['I', 'Br']) await page.click(`[data-symbol="${s}"]`);
    expect(await page.textContent('[data-testid="selection"]')).toMatch(/A:\s*MA\s*FA\s*Cs/);
    await page.selectOption('select[aria-label="mixing on A"]', '0.25');
    await page.selectOption('select[aria-label="mixing on X"]', '0.25');
    // 84 with the 6-element cap and the t window (see the enumeration test); the rejections are listed
    await page.waitForFunction(() => /\b84 candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
    await page.screenshot({ path: join(artifacts, '7-hybrid-design-1440.png'), fullPage: true });
    await page.click('[data-testid="run-screen"]');
    await page.waitForSelector('[data-testid="screen-message"]:has-text("finished")', { timeout: 60_000 });
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');
    const stored = session.workbench.candidates.query({ screenId: 1, limit: 5000, offset: 0 }).rows.map((r) => r.formula);
    expect(stored).toContain('(MA0.5FA0.5)Pb(I0.5Br0.5)3'); // both sites mixed, a molecule pair on A
    const hybrid = page.locator('[data-testid="results-table"] .link', { hasText: /MA/ }).first();
    const formula = await hybrid.textContent();
    await hybrid.click();
    await page.waitForSelector('[data-testid="candidate-formula"]');
    expect(await page.textContent('[data-testid="candidate-formula"]')).toBe(formula);
    expect(await page.textContent('main')).toMatch(/MA = methylammonium, CH3NH3\+1 \(site A\): effective radius 2\.17 Å/);
    await page.waitForSelector('[data-testid="attention"] canvas');
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.screenshot({ path: join(artifacts, '8-hybrid-candidate-1280.png'), fullPage: true });
    await page.click('button:has-text("Add to shortlist")');
    await page.click('nav button:has-text("Shortlist")');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export"]')]);
    const file = join(workspace, 'hybrid.csv');
    await download.saveAs(file);
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ formula: formula!, oxidation_states: expect.stringMatching(/^MA\+1 /) });
    expect(rows[0]!['site_A']).toMatch(/^MA:/);
    expect(rows[0]!['band_gap_meaning']).toMatch(/^PBE band gap \(eV; Materials Project/); // the export says which gap
    expect(rows[0]!['stable_meaning']).toMatch(/Materials Project convex hull/);
    const storedRow = session.workbench.candidates.query({ screenId: 1, limit: 5000, offset: 0 }).rows.find((r) => r.formula === formula)!;
    expect(rows[0]!['known_in']).toBe(storedRow.known!.join(';')); // checked: a list of sources, empty when novel
  }, 120_000);

  it('marks known compositions in the table, hides them with Novel only, and shows their recorded values', async () => {
    const { page } = session;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');
    const all = session.workbench.candidates.query({ screenId: 1, limit: 5000, offset: 0, exactTotal: true }).rows;
    const knownCount = all.filter((r) => r.known?.length).length;
    expect(all.every((r) => Array.isArray(r.known))).toBe(true); // every candidate was checked when screened
    expect(all.find((r) => r.formula === 'CsPbI3')?.known).toEqual(['mp_abx3', 'mp_gap']);
    expect(knownCount).toBeGreaterThan(0);
    expect(knownCount).toBeLessThan(all.length);
    const row = page.locator('[data-testid="results-table"] [role="row"]', { has: page.locator('.link', { hasText: /^CsPbI3$/ }) });
    await row.waitFor();
    expect(await row.locator('[data-testid="known-badge"]').getAttribute('title')).toMatch(/Materials Project ABX3 entry.*Matbench mp_gap/);
    // novel only: the count drops by the known ones and no badge is left
    await page.check('[data-testid="novel-only"]');
    await page.waitForFunction((n) => (document.querySelector('[data-testid="row-count"]')?.textContent ?? '').startsWith(`${n} rows`), all.length - knownCount);
    expect(await page.locator('[data-testid="known-badge"]').count()).toBe(0);
    await page.uncheck('[data-testid="novel-only"]');
    await page.waitForFunction((n) => (document.querySelector('[data-testid="row-count"]')?.textContent ?? '').startsWith(`${n} rows`), all.length);
    await page.locator('[data-testid="results-table"] .link', { hasText: /^CsPbI3$/ }).click();
    await page.waitForSelector('[data-testid="known-records"]');
    expect(await page.textContent('[data-testid="known-status"]')).toMatch(/Known composition: recorded in MP ABX3, MP gap/);
    const records = await page.locator('[data-testid="known-records"] tbody tr').allTextContents();
    expect(records[0]).toMatch(/MP ABX3\s*mp-540839\s*ortho Pnma\s*2\.518 \(PBE\)\s*0\.0000\s*on hull/); // lowest E_hull first
    expect(records.some((r) => /MP gap/.test(r))).toBe(true);
    await page.screenshot({ path: join(artifacts, '8b-known-candidate-1440.png'), fullPage: true });
    // a novel one says so
    const novel = all.find((r) => r.known?.length === 0)!;
    await page.click('nav button:has-text("Results")');
    await page.check('[data-testid="novel-only"]');
    await page.locator('[data-testid="results-table"] .link', { hasText: novel.formula }).first().click();
    await page.waitForSelector('[data-testid="candidate-formula"]');
    expect(await page.textContent('[data-testid="known-status"]')).toMatch(/Novel: no bundled dataset/);
    await page.click('nav button:has-text("Results")');
    await page.uncheck('[data-testid="novel-only"]');
  }, 60_000);

  it('imports computed gaps from a CSV: listed problems, a badge in the table, diamonds on the scatter, a card in the candidate view', async () => {
    const { page } = session;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');
    const csv = 'formula,band_gap,comment\nCsPbI3,1.73,converged\nCsSnBr3,1.20,\nKTaO3,3.5,\nCsPbBr3,n/a,\n';
    await page.setInputFiles('[data-testid="results-file"]', { name: 'my-dft.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    expect(await page.isDisabled('[data-testid="import-results"]')).toBe(true); // a source is asked for first
    await page.fill('input[aria-label="results source"]', 'PBE, my group');
    await page.click('[data-testid="import-results"]');
    await page.waitForSelector('[data-testid="import-summary"]');
    const summary = (await page.textContent('[data-testid="import-summary"]'))!;
    expect(summary).toMatch(/2 values of band_gap imported for 2 candidates\. Not a target of the model, left out: comment\./);
    expect(summary).toMatch(/line 4 \(formula\): no candidate of screen 1 has the composition of 'KTaO3'/);
    expect(summary).toMatch(/line 5 \(band_gap\): 'n\/a' is not a plain decimal number/);
    const row = page.locator('[data-testid="results-table"] [role="row"]', { has: page.locator('.link', { hasText: /^CsPbI3$/ }) });
    await row.locator('[data-testid="imported-badge"]').waitFor();
    expect(await row.locator('[data-testid="imported-badge"]').textContent()).toBe('1.73 eV imported');
    expect(await row.locator('[data-testid="imported-badge"]').getAttribute('title')).toMatch(/band_gap = 1\.73 eV \(PBE, my group; my-dft\.csv line 2\)/);
    await page.waitForSelector('[data-testid="imported-legend"]');
    await page.screenshot({ path: join(artifacts, '8c-imported-results-1440.png'), fullPage: true });
    await row.locator('.link').click();
    await page.waitForSelector('[data-testid="imported-results"]');
    expect(await page.textContent('[data-testid="imported-results"]')).toMatch(/band_gap\s*1\.73 eV\s*PBE, my group\s*my-dft\.csv line 2/);
    await page.click('nav button:has-text("Results")');
  }, 60_000);

  it('updates the model with the imported gaps (rehearsal), shows before and after, and screens again with it: the ranking moves', async () => {
    const { page } = session;
    await page.click('nav button:has-text("Results")');
    await page.click('[data-testid="update-model"]');
    await page.waitForSelector('[data-testid="update-progress"]');
    await page.waitForSelector('[data-testid="update-result"]', { timeout: 400_000 }); // a slow 2-core machine took 159 s
    const rows = await page.locator('[data-testid="update-result"] tbody tr').allTextContents();
    const maes = rows.map((r) => [...r.matchAll(/(\d+\.\d{3}) \((\d+)\)/g)].map((m) => Number(m[1])));
    expect(maes[0]![1]!).toBeLessThan(maes[0]![0]!); // the imported gaps are fitted better
    // the reference set: the default's validation rows (1,495, held out of its training), those with a PBE gap scored, the same before and after
    const reference = /reference \(validation rows\)\s*\d\.\d{3} \((\d+)\)\s*→ \d\.\d{3} \((\d+)\)/.exec(rows[1]!)!;
    expect(reference[1]).toBe(reference[2]);
    expect(Number(reference[1])).toBeGreaterThan(1000);
    expect(Number(reference[1])).toBeLessThanOrEqual(1495);
    expect(await page.textContent('header')).toMatch(/default-updated/); // it is the screening model now
    await page.screenshot({ path: join(artifacts, '8d-model-updated-1440.png'), fullPage: true });
    await page.click('[data-testid="screen-again"]');
    await page.waitForFunction(() => (document.querySelector('select')?.textContent ?? '').includes('with default-updated'), undefined, { timeout: 60_000 });
    const screens = session.workbench.screening.list();
    const again = screens.at(-1)!;
    expect(again.name).toBe('screen 1 with default-updated');
    await expect.poll(() => session.workbench.screening.list().at(-1)!.status, { timeout: 60_000 }).toBe('done');
    const gapOf = (id: number, formula: string): number => session.workbench.candidates.query({ screenId: id, limit: 5000, offset: 0 }).rows.find((r) => r.formula === formula)!.bandGap!;
    // CsPbI3 was imported at 1.73 eV: the updated model predicts it closer to that than the first did
    expect(Math.abs(gapOf(again.id, 'CsPbI3') - 1.73)).toBeLessThan(Math.abs(gapOf(1, 'CsPbI3') - 1.73));
  }, 600_000);
});
