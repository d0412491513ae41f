// Empty states and errors show in the UI, never only in a console: no model, a bad CSV, a lost server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src-main/data/paths.js';
import type { RunningServer } from '../../src-main/server/server.js';
import { openSession, type Session } from './session.js';

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
