// The element picker as a scientist uses it (a card with oxidation states and radii, states fixed by
// hand, arrow keys, a moved element said with Undo) and the candidate view's plots (colour bars,
// PNG export, which gap), in Debian's chromium. Screenshots go to test-artifacts/ (look at them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS as artifacts, suiteSession } from './session.js';

const session = suiteSession();

const focused = (): Promise<string | undefined> => session.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset['symbol']);

describe('the element picker', () => {
  it("shows an element's states and radii in a card, and fixes a state by hand from it", async () => {
    const { page, server } = session;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(server.url);
    await page.waitForSelector('[data-symbol="Sn"]');
    await page.hover('[data-symbol="Sn"]');
    const card = page.locator('[data-testid="element-card"]');
    await page.waitForSelector('[data-testid="element-card"]:has-text("Tin")');
    const text = await card.textContent();
    expect(text).toMatch(/Sn\s*tin/i);
    expect(text).toMatch(/ICSD\s*\+2, \+3, \+4/); // not only Sn4+
    expect(text).toMatch(/\+2 CN6: [\d.]+ Å \((pymatgen|shannon_radii\.csv)\)/);
    expect(await page.textContent('[data-testid="states-used"]')).toMatch(/\(common\)/);
    await page.click('[data-testid="element-card"] button:has-text("Sn+2")');
    expect(await page.inputValue('input[aria-label="oxidation states by hand"]')).toBe('Sn:2');
    expect(await page.textContent('[data-testid="states-used"]')).toBe('+2 (by hand)');
    await page.screenshot({ path: join(artifacts, '10-element-card-1440.png') });
    await page.click('[data-testid="element-card"] button:has-text("Sn+2")'); // and off again
    expect(await page.inputValue('input[aria-label="oxidation states by hand"]')).toBe('');
    // an element without data cannot be picked, but its card says why
    await page.hover('[data-symbol="He"]');
    await page.waitForSelector('[data-testid="element-card"]:has-text("cannot be used")');
    expect(await page.isDisabled('[data-symbol="He"]')).toBe(true);
    await page.click('[data-symbol="He"]', { force: true }); // a click anyway picks nothing
    expect(await page.getAttribute('[data-symbol="He"]', 'aria-pressed')).toBe('false');
  });

  it('moves between cells with the arrow keys, one tab stop for the table, Tab into the card and Escape back', async () => {
    const { page } = session;
    await page.focus('[data-symbol="Ca"]');
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe('Sc');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('Y');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('Ba'); // row 6 has no column 3 (La sits with the lanthanides): the closest cell, leftmost on a tie
    await page.keyboard.press('Home');
    expect(await focused()).toBe('Cs');
    expect(await page.locator('.table [tabindex="0"]').count()).toBe(1); // a roving tab stop
    expect(await page.textContent('[data-testid="element-card"]')).toMatch(/caesium|cesium/i); // focus shows its card
    await page.keyboard.press('Tab'); // into the card: its state buttons
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cs+1');
    await page.keyboard.press('Escape'); // back to the cell
    expect(await focused()).toBe('Cs');
    await page.keyboard.press('Enter'); // picks Cs on the active site (A)
    expect(await page.getAttribute('[data-symbol="Cs"]', 'aria-pressed')).toBe('true');
  });

  it('says when a pick moves an element from another site, and undoes it', async () => {
    const { page } = session;
    await page.click('input[value="A"]');
    await page.click('[data-symbol="Sn"]');
    await page.click('input[value="B"]');
    await page.click('[data-symbol="Sn"]');
    expect(await page.textContent('[data-testid="site-notice"]')).toMatch(/This pick moved Sn from site A to site B\./);
    expect(await page.textContent('[data-testid="selection"]')).toMatch(/B:\s*Sn/);
    await page.click('[data-testid="site-notice"] button:has-text("Undo")');
    expect(await page.textContent('[data-testid="selection"]')).toMatch(/A:\s*Cs\s*Sn/);
    expect(await page.locator('[data-testid="site-notice"]').count()).toBe(0);
    await page.click('button:has-text("Clear")');
    expect(await page.textContent('[data-testid="site-notice"]')).toMatch(/Clear took 2 species off their sites \(Cs, Sn\)/);
    await page.click('[data-testid="site-notice"] button:has-text("Undo")');
    expect(await page.textContent('[data-testid="selection"]')).toMatch(/A:\s*Cs\s*Sn/);
  });
});

describe("a candidate's plots", () => {
  it('name their colour scales and which gap, and save as PNG', async () => {
    const { page } = session;
    await page.click('input[value="A"]');
    await page.click('[data-symbol="Sn"]'); // take Sn off A
    await page.click('input[value="B"]');
    await page.click('[data-symbol="Pb"]');
    await page.click('input[value="X"]');
    await page.click('[data-symbol="I"]');
    await page.waitForFunction(() => /\b1 candidates?/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
    await page.click('[data-testid="run-screen"]');
    await page.waitForSelector('[data-testid="screen-message"]:has-text("finished")', { timeout: 60_000 });
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');
    expect(await page.textContent('[data-testid="results-table"] [role="columnheader"].band_gap')).toMatch(/PBE gap \(eV\) ± σ/);
    expect(await page.getAttribute('[data-testid="results-table"] [role="columnheader"].band_gap', 'title')).toMatch(/PBE band gap \(eV; Materials Project/);
    expect(await page.textContent('[data-testid="histogram"]')).toMatch(/predicted PBE gap \(eV\)/);
    await page.click('[data-testid="results-table"] .link');
    await page.waitForSelector('[data-testid="attention"] canvas');
    expect(await page.textContent('main')).toMatch(/PBE gap, predicted/);
    expect(await page.textContent('[data-testid="gap-meaning"]')).toMatch(/lowest-energy polymorph/);
    const scales = await page.locator('canvas[data-scale]').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-scale')));
    expect(scales).toContain('attention weight (each row sums to 1)');
    expect(scales.some((s) => /^descriptor value/.test(s ?? ''))).toBe(true);
    // the colour bar is drawn under the cells: its left end is white (0) and its right end dark blue (max)
    const bar = await page.locator('[data-testid="attention"] canvas').first().evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const dpr = c.width / c.clientWidth;
      const y = Math.round((c.clientHeight - 36 + 12) * dpr);
      const px = (x: number): number[] => Array.from(ctx.getImageData(Math.round(x * dpr), y, 1, 1).data);
      return { left: px(58), right: px(56 + 118) };
    });
    expect(bar.left.slice(0, 3).every((v) => v > 230)).toBe(true);
    expect(bar.right[2]! - bar.right[0]!).toBeGreaterThan(40);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="attention"] figure').first().locator('button:has-text("Save PNG")').click()]);
    expect(download.suggestedFilename()).toBe('attention-layer0-average.png');
    const png = readFileSync((await download.path())!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    await page.screenshot({ path: join(artifacts, '11-candidate-plots-1440.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.screenshot({ path: join(artifacts, '11b-candidate-plots-1280.png'), fullPage: true });
    await page.click('nav button:has-text("Design")');
    await page.hover('[data-symbol="Bi"]');
    await page.waitForSelector('[data-testid="element-card"]:has-text("Bismuth")');
    await page.screenshot({ path: join(artifacts, '10b-element-card-1280.png') });
  }, 120_000);
});

describe('the results table, scrolled', () => {
  it('pages on past the first page by seeking after its last row, in order', async () => {
    const { page, server } = session;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(server.url);
    await page.click('nav button:has-text("Design")');
    await page.waitForSelector('[data-symbol="Ca"]');
    await page.click('button:has-text("Clear")');
    await page.click('input[value="A"]');
    for (const s of ['Ca', 'Sr', 'Ba', 'K']) await page.click(`[data-symbol="${s}"]`);
    await page.click('input[value="B"]');
    for (const s of ['Ti', 'Zr', 'Nb', 'Sn']) await page.click(`[data-symbol="${s}"]`);
    await page.click('input[value="X"]');
    await page.click('[data-symbol="O"]');
    await page.selectOption('select[aria-label="mixing on A"]', '0.125');
    await page.selectOption('select[aria-label="mixing on B"]', '0.125');
    await page.waitForFunction(() => /\b[\d,]{3,} candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
    await page.click('[data-testid="run-screen"]');
    await page.waitForSelector('[data-testid="screen-message"]:has-text("finished")', { timeout: 90_000 });
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');
    const screenId = session.workbench.screening.list().at(-1)!.id;
    const total = session.workbench.candidates.query({ screenId, limit: 1, offset: 0, exactTotal: true }).total;
    expect(total).toBeGreaterThan(400);
    const bodies: string[] = [];
    page.on('request', (r) => r.url().endsWith('/api/query') && bodies.push(r.postData() ?? ''));
    await page.click('[data-testid="results-table"] button.sort:has-text("PBE gap")');
    await page.waitForSelector('[data-testid="results-table"] button.sort:has-text("PBE gap"):has-text("▼")'); // a first click sorts high to low
    // scroll a page and a half down in steps, as a person would
    for (const row of [60, 120, 180, 240, 320]) {
      await page.locator('[data-testid="results-table"]').evaluate((el, top) => (el.scrollTop = top), row * 26);
      await page.waitForTimeout(120);
    }
    await page.waitForSelector('[data-testid="results-table"] [role="row"][aria-rowindex="330"]');
    const seeks = bodies.map((b) => JSON.parse(b) as { after?: { id: number }; offset: number }).filter((b) => b.after);
    expect(seeks.length).toBeGreaterThan(0); // page 2 was asked for after page 1's last row
    expect(seeks.every((b) => b.offset === 0)).toBe(true);
    const expected = session.workbench.candidates.query({ screenId, sort: { column: 'band_gap', descending: true }, limit: 400, offset: 0 }).rows.map((r) => r.formula);
    const shown = await page.locator('[data-testid="results-table"] [role="row"][aria-rowindex]').evaluateAll((rows) =>
      rows.map((r) => [Number(r.getAttribute('aria-rowindex')), r.querySelector('.link')?.textContent ?? ''] as const).filter(([i, f]) => i > 1 && f));
    expect(shown.length).toBeGreaterThan(20);
    for (const [i, formula] of shown) expect(formula).toBe(expected[i - 2]);

    // the next batch: chosen for the target window, listed with its scores, selected in the table
    await page.fill('input[aria-label="next batch size"]', '8');
    await page.click('[data-testid="next-batch"]');
    await page.waitForSelector('[data-testid="next-batch-table"] tbody tr >> nth=7');
    expect(await page.textContent('[data-testid="batch-method"]')).toMatch(/8 chosen .* UCB acquisition .* local penalization/);
    expect(await page.textContent('main')).toMatch(/8 selected/);
    const batch = session.workbench.candidates.nextBatch({ screenId, window: [1.2, 1.8], k: 8 });
    const listed = await page.locator('[data-testid="next-batch-table"] tbody tr td:nth-child(2)').allTextContents();
    expect(listed).toEqual(batch.rows.map((r) => r.formula));
    await page.screenshot({ path: join(artifacts, '12-next-batch-1440.png'), fullPage: true });
  }, 150_000);
});
