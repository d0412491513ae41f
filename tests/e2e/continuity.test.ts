// Nothing a user did is lost: the design and the shortlist with notes live in the library, every view
// has an address, and reload, Back and a second tab find the same work. Screenshots in test-artifacts/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, suiteSession } from './session.js';

const session = suiteSession();

describe('continuity', () => {
  it('keeps the design and the shortlist with notes across a reload and in a second tab; Back and Forward move between views', async () => {
    const { page, server } = session;
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(server.url);
    await page.waitForSelector('[data-symbol="Ca"]');
    expect(new URL(page.url()).hash).toBe('#/design'); // the token left the address bar
    for (const s of ['Ca', 'Sr']) await page.click(`[data-symbol="${s}"]`);
    await page.keyboard.press('b');
    await page.click('[data-symbol="Ti"]');
    await page.click('input[value="X"]');
    await page.click('[data-symbol="O"]');
    await page.selectOption('select[aria-label="mixing on A"]', '0.5');
    await page.waitForFunction(() => /\b3 candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
    await page.click('[data-testid="run-screen"]');
    await page.waitForSelector('[data-testid="screen-message"]:has-text("finished")', { timeout: 60_000 });
    await page.click('nav button:has-text("Results")');
    expect(new URL(page.url()).hash).toBe('#/results');
    await page.waitForSelector('[data-testid="results-table"] .link');
    await page.click('[data-testid="results-table"] .link >> nth=0');
    await page.waitForSelector('[data-testid="candidate-formula"]');
    const formula = await page.textContent('[data-testid="candidate-formula"]');
    expect(new URL(page.url()).hash).toMatch(/^#\/candidate\/\d+$/);
    await page.click('button:has-text("Add to shortlist")');
    await page.click('nav button:has-text("Shortlist")');
    await page.fill('input[aria-label^="note for"]', 'make this one first');
    await page.waitForTimeout(400); // the note and the design are saved as they change

    // Back returns to the candidate, then the results; Forward goes on again
    await page.goBack();
    await page.waitForSelector('[data-testid="candidate-formula"]');
    expect(await page.textContent('[data-testid="candidate-formula"]')).toBe(formula);
    await page.goBack();
    await page.waitForSelector('[data-testid="results-table"]');
    await page.goForward();
    await page.waitForSelector('[data-testid="candidate-formula"]');

    // a reload (same tab: the token is in session storage) finds the design and the shortlist
    await page.reload();
    await page.waitForSelector('[data-testid="candidate-formula"]');
    await page.click('nav button:has-text("Design")');
    expect(await page.textContent('[data-testid="selection"]')).toMatch(/A:\s*Ca\s*Sr\s*B:\s*Ti\s*X:\s*O/);
    expect(await page.inputValue('select[aria-label="mixing on A"]')).toBe('0.5');
    await page.click('nav button:has-text("Shortlist")');
    expect(await page.inputValue('input[aria-label^="note for"]')).toBe('make this one first');
    await page.screenshot({ path: join(ARTIFACTS, '9-shortlist-after-reload-1280.png'), fullPage: true });
    // DFT starting structures for the shortlist: a zip with a POSCAR and a CIF per candidate and a README
    const [zip] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-structures"]')]);
    const file = join(session.workspace, 'structures.zip');
    await zip.saveAs(file);
    const entries = Object.keys(unzipSync(readFileSync(file)));
    expect(entries.sort()).toEqual(['CaTiO3.cif', 'CaTiO3.vasp', 'README.txt']);
    expect(await page.textContent('main')).toMatch(/Structures for 1 candidates/);
    // a removal can be undone
    await page.click('[data-testid="shortlist"] button:has-text("Remove")');
    await page.waitForSelector('.empty:has-text("The shortlist is empty")');
    await page.click('[data-testid="undo"] button:has-text("Undo")');
    expect(await page.inputValue('input[aria-label^="note for"]')).toBe('make this one first'); // back, with its note
    await page.reload();
    await page.waitForSelector('[data-testid="shortlist"]'); // and kept in the library

    // a second tab opened with the address `pdw serve` printed sees the same work
    const other = await page.context().newPage();
    await other.goto(server.url);
    await other.waitForSelector('[data-symbol="Ca"]');
    expect(await other.textContent('[data-testid="selection"]')).toMatch(/A:\s*Ca\s*Sr/);
    await other.close();
    // and so does a tab opened on the address bar's address, which the token has left: the origin kept it
    const third = await page.context().newPage();
    await third.goto(page.url());
    await third.waitForSelector('[data-testid="shortlist"]');
    expect(await third.inputValue('input[aria-label^="note for"]')).toBe('make this one first');
    expect(await third.$('.banner')).toBeNull();
    await third.close();
  }, 120_000);

  it('keeps the Results view\'s screen, filters and ranking across a reload, per tab', async () => {
    const { page, server } = session;
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');
    await page.fill('input[aria-label="band gap range"]', '0:9');
    await page.check('[data-testid="novel-only"]');
    await page.selectOption('select[aria-label="ranking"]', 'ucb');
    await page.waitForTimeout(300);
    await page.reload();
    await page.waitForSelector('[data-testid="results-table"]');
    expect(await page.inputValue('input[aria-label="band gap range"]')).toBe('0:9');
    expect(await page.isChecked('[data-testid="novel-only"]')).toBe(true);
    expect(await page.inputValue('select[aria-label="ranking"]')).toBe('ucb');
    // a new tab starts from the defaults
    const other = await page.context().newPage();
    await other.goto(server.url.replace(/#.*/, '#/results'));
    await other.waitForSelector('[data-testid="results-table"]');
    expect(await other.inputValue('input[aria-label="band gap range"]')).toBe('');
    expect(await other.isChecked('[data-testid="novel-only"]')).toBe(false);
    await other.close();
    // leave the view as the next test expects it
    await page.fill('input[aria-label="band gap range"]', '');
    await page.uncheck('[data-testid="novel-only"]');
    await page.selectOption('select[aria-label="ranking"]', 'none');
  });

  it('puts the table under the plots, and beside them, down the window, on a wide screen', async () => {
    const { page } = session;
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');
    const boxes = async (): Promise<{ plots: { x: number; y: number; width: number; height: number }; table: { x: number; y: number; width: number; height: number } }> => ({
      plots: (await page.locator('.results-main .plots').boundingBox())!,
      table: (await page.locator('[data-testid="results-table"]').boundingBox())!,
    });
    const narrow = await boxes();
    expect(narrow.table.y).toBeGreaterThan(narrow.plots.y + narrow.plots.height - 1); // under the plots
    await page.setViewportSize({ width: 2560, height: 1440 });
    await page.waitForFunction(() => document.querySelector('.results-main')?.classList.contains('wide'));
    const wide = await boxes();
    expect(wide.table.x).toBeGreaterThan(wide.plots.x + wide.plots.width - 1); // beside them
    expect(wide.table.height).toBeGreaterThan(1000); // and down the window
    await page.screenshot({ path: join(ARTIFACTS, '16-results-2560.png') });
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('names a screen in the Results view and shows its name in the list', async () => {
    const { page } = session;
    await page.click('nav button:has-text("Results")');
    await page.fill('input[aria-label="screen name"]', 'titanates, A mixed');
    await page.press('input[aria-label="screen name"]', 'Enter');
    await page.waitForFunction(() => /titanates, A mixed · #1/.test(document.querySelector('select')?.textContent ?? ''));
    expect((await session.workbench.handle('screens', {}))[0]!.name).toBe('titanates, A mixed');
    const [screen] = await session.workbench.handle('screens', {});
    const named = await session.workbench.handle('describeScreen', { screenId: screen!.id, name: 'alkaline-earth titanates', note: 'first try' });
    expect(named).toMatchObject({ name: 'alkaline-earth titanates', note: 'first try' });
    expect((await session.workbench.handle('screens', {}))[0]!.name).toBe('alkaline-earth titanates');
    const cleared = await session.workbench.handle('describeScreen', { screenId: screen!.id, name: '' });
    expect(cleared.name).toBeNull();
    await expect(session.workbench.handle('describeScreen', { screenId: 999, name: 'x' })).rejects.toThrow(/no screen 999/);
  });
});
