// Empty states and errors show in the UI, never only in a console: no model, a bad CSV, a lost server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src-main/data/paths.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { ARTIFACTS, openSession, type Session } from './session.js';

let session: Session;
let server: RunningServer;
let page: Page;
let workspace = '';

beforeAll(async () => {
  session = await openSession((ws) => join(ws, 'no-model')); // a workspace without any model
  ({ server, page, workspace } = session);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

describe('errors and empty states in the browser', () => {
  it('says when there is no model, and that there are no screens or shortlist yet', async () => {
    await page.goto(server.url);
    await page.waitForSelector('[data-symbol="Ca"]');
    expect(await page.textContent('main')).toMatch(/No model is available/);
    expect(await page.textContent('header')).toMatch(/no model/);
    await page.click('nav button:has-text("Results")');
    expect(await page.textContent('main')).toMatch(/No screens yet/);
    await page.click('nav button:has-text("Shortlist")');
    expect(await page.textContent('main')).toMatch(/The shortlist is empty/);
  });

  it('a cleared "Max. elements" field is refused where it is typed, with a sentence', async () => {
    await page.click('nav button:has-text("Design")');
    for (const s of ['Ca']) await page.click(`[data-symbol="${s}"]`);
    await page.keyboard.press('b');
    await page.click('[data-symbol="Ti"]');
    await page.click('input[value="X"]');
    await page.click('[data-symbol="O"]');
    await page.fill('input[type="number"][min="3"]', '');
    await page.waitForSelector('[data-testid="live-count"]:has-text("Max. elements must be a whole number from 3 to 8.")');
    await page.fill('input[type="number"][min="3"]', '6');
    await page.waitForFunction(() => /\b1 candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
  });

  it('oxidation states typed by hand change what is enumerated (Dy2+ for CsDyI3)', async () => {
    await page.click('nav button:has-text("Design")');
    await page.click('button:has-text("Clear")');
    await page.click('input[value="A"]');
    await page.click('[data-symbol="Cs"]');
    await page.keyboard.press('b');
    await page.click('[data-symbol="Dy"]');
    await page.click('input[value="X"]');
    await page.click('[data-symbol="I"]');
    await page.waitForFunction(() => /\b0 candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
    await page.fill('input[aria-label="oxidation states by hand"]', 'Dy:two');
    await page.waitForSelector("[data-testid=\"live-count\"]:has-text(\"States by hand: 'Dy:two' is not ELEMENT:STATE\")");
    await page.fill('input[aria-label="oxidation states by hand"]', 'Dy:2');
    await page.waitForFunction(() => /\b1 candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
    expect(await page.textContent('[data-testid="rejections"]')).toMatch(/Dy: oxidation states \+2 \(set by hand\)/);
  });

  it('shows a bad CSV as an error in the training view', async () => {
    const file = join(workspace, 'empty.csv');
    writeFileSync(file, '');
    await page.click('nav button:has-text("Training")');
    await page.setInputFiles('input[aria-label="training CSV"]', file);
    await page.waitForSelector('[role="alert"]:has-text("the CSV is empty")');
  });

  it('a CSV whose every row is rejected lists the rows with their lines (same line twice included), without breaking the view', async () => {
    const file = join(workspace, 'all-bad.csv');
    // a quoted cell spanning lines puts two records' problems on nearby lines; the list must still render
    writeFileSync(file, ['formula,gap', 'Xx2O3,1', '"Yy\nO3",2', 'Zz,3', 'CaTiO3,-4', 'SrTiO3,0x10'].join('\n'));
    await page.setInputFiles('input[aria-label="training CSV"]', file);
    await page.waitForSelector('text=columns formula, gap');
    await page.click('[data-testid="train"]');
    await page.waitForSelector('[data-testid="train-status"]:has-text("failed")', { timeout: 30_000 });
    expect(await page.textContent('[role="alert"]')).toMatch(/no usable rows \(5 rejected; see the list\)/);
    const items = await page.locator('[data-testid="bad-rows"] li').allTextContents();
    expect(items).toHaveLength(5);
    expect(items.join('\n')).toMatch(/line \d+ \[gap\]: -4 is outside the range accepted for gap/);
    expect(items.join('\n')).toMatch(/'0x10' is not a plain decimal number/);
  });

  it('refuses a binary file at once, with a sentence', async () => {
    const file = join(workspace, 'binary.csv');
    writeFileSync(file, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00, 0xff, 0xfe]));
    await page.setInputFiles('input[aria-label="training CSV"]', file);
    await page.waitForSelector('[role="alert"]:has-text("not a UTF-8 text file")');
  });

  it('shows a lost connection in a banner', async () => {
    await server.close();
    await page.waitForSelector('.banner:has-text("not answering")', { timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, '6-lost-connection.png'), fullPage: true });
  });

  it('says so when the server comes back with a new session token, instead of retrying forever', async () => {
    const again = await startServer(session.workbench, { port: server.port, staticDir: join(projectRoot(), 'dist-renderer') });
    try {
      await page.waitForSelector('.banner:has-text("was restarted")', { timeout: 15_000 });
      expect(await page.textContent('.banner')).toMatch(/Open the new address that `pdw serve` printed/);
    } finally {
      await again.close();
    }
  });
});
