// Empty states and errors show in the UI, never only in a console: no model, a bad CSV, a lost server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadElementTable } from '../../src-main/data/elements/load.js';
import { projectRoot } from '../../src-main/data/paths.js';
import { initBackend } from '../../src-main/engine/backend.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { Workbench } from '../../src-main/services/workbench.js';

let workspace = '';
let server: RunningServer;
let workbench: Workbench;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'pdw-e2e-errors-'));
  const backend = await initBackend('wasm');
  workbench = new Workbench({ table: loadElementTable(), libraryFile: join(workspace, 'library.sqlite'), modelDir: join(workspace, 'no-model'), workspaceDir: workspace, backend: backend.name, workers: 1 });
  server = await startServer(workbench, { staticDir: join(projectRoot(), 'dist-renderer') });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  workbench?.close();
  rmSync(workspace, { recursive: true, force: true });
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

  it('shows a bad CSV as an error in the training view', async () => {
    const file = join(workspace, 'empty.csv');
    writeFileSync(file, '');
    await page.click('nav button:has-text("Training")');
    await page.setInputFiles('input[aria-label="training CSV"]', file);
    await page.waitForSelector('[role="alert"]:has-text("the CSV is empty")');
  });

  it('shows a lost connection in a banner', async () => {
    await server.close();
    await page.waitForSelector('.banner:has-text("Lost the live connection")', { timeout: 10_000 });
    await page.screenshot({ path: join(projectRoot(), 'test-artifacts', '6-lost-connection.png'), fullPage: true });
  });
});
