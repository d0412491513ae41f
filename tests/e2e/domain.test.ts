// The applicability domain in the browser: a screen reaching past what the default model learned
// (francium and americium fluorides beside CsPbI3 and CsPbF3; Am as +2 from the full list of states).
// Extrapolations are badged in the table, hollow on the scatter, named in the candidate view and the
// next batch, and hidden by "In the model's domain only".
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, suiteSession } from './session.js';

const session = suiteSession();

describe("a model's extrapolations in the Results and candidate views", () => {
  it('badges, hides and names the compositions far from the training data', async () => {
    const { page, server, workbench } = session;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(server.url);
    await page.waitForSelector('[data-symbol="Cs"]');
    for (const s of ['Fr', 'Cs', 'Tl']) await page.click(`[data-symbol="${s}"]`);
    await page.keyboard.press('b');
    for (const s of ['Pb', 'Am']) await page.click(`[data-symbol="${s}"]`);
    await page.click('input[value="X"]');
    for (const s of ['F', 'I']) await page.click(`[data-symbol="${s}"]`);
    await page.check('text=double perovskites');
    await page.selectOption('label:has-text("Oxidation states") select', 'all');
    await page.waitForFunction(() => /\b\d+ candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
    await page.click('[data-testid="run-screen"]');
    await page.waitForSelector('[data-testid="screen-message"]:has-text("finished")', { timeout: 60_000 });
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');

    const screened = workbench.candidates.query({ screenId: 1, limit: 5000, offset: 0 }).rows;
    const outside = screened.filter((r) => r.domain?.inDomain === false);
    expect(screened.find((r) => r.formula === 'CsPbI3')!.domain).toMatchObject({ inDomain: true, distance: 0 });
    expect(screened.find((r) => r.formula === 'FrAmF3')!.domain).toMatchObject({ inDomain: false });
    expect(outside.length).toBeLessThan(screened.length);
    const badge = page.locator('[data-testid="results-table"] [role="row"]', { has: page.locator('.link', { hasText: /^FrAmF3$/ }) }).locator('[data-testid="extrapolation-badge"]');
    expect(await badge.getAttribute('title')).toMatch(/outside the model's applicability domain: latent distance \d\.\d\d/);
    await page.waitForSelector('[data-testid="extrapolation-legend"]'); // hollow points on the scatter
    await page.check('[data-testid="in-domain-only"]');
    await page.waitForFunction((n) => (document.querySelector('[data-testid="row-count"]')?.textContent ?? '').startsWith(`${n} rows`), screened.length - outside.length);
    expect(await page.locator('[data-testid="extrapolation-badge"]').count()).toBe(0);
    await page.uncheck('[data-testid="in-domain-only"]');
    await page.waitForFunction((n) => (document.querySelector('[data-testid="row-count"]')?.textContent ?? '').startsWith(`${n} rows`), screened.length);
    // a next batch says which picks are extrapolations
    await page.fill('input[aria-label="next batch size"]', '8');
    await page.click('[data-testid="next-batch"]');
    await page.waitForSelector('[data-testid="next-batch-table"]');
    const flags = await page.locator('[data-testid="batch-domain"]').allTextContents();
    const picked = await page.locator('[data-testid="next-batch-table"] tbody .link').allTextContents();
    expect(flags).toEqual(picked.map((f) => (screened.find((r) => r.formula === f)!.domain!.inDomain ? 'in' : 'extr.')));
    await page.locator('[data-testid="results-table"] .link', { hasText: /^FrAmF3$/ }).click();
    expect(await page.textContent('[data-testid="domain"]')).toMatch(/^extrapolation \(distance \d\.\d\d, beyond the threshold\)/);
    await page.screenshot({ path: join(ARTIFACTS, '12-domain-extrapolation-1440.png'), fullPage: true });
  }, 180_000);
});
