// An accessibility pass with axe-core on every view, in Debian's chromium: no serious or critical
// violation. The views are filled as a user would fill them first (a small screen, a candidate open).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, defaultModel, openSession, type Session } from './session.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let session: Session;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function seriousViolations(): Promise<string[]> {
  const { page } = session;
  // evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays as it is
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document)).violations;
  })) as Violation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

beforeAll(async () => {
  session = await openSession(defaultModel);
  const { page, server } = session;
  await page.goto(server.url);
  await page.waitForSelector('[data-symbol="Ca"]');
  await page.click('[data-symbol="Ca"]');
  await page.keyboard.press('b');
  await page.click('[data-symbol="Ti"]');
  await page.click('input[value="X"]');
  await page.click('[data-symbol="O"]');
  await page.waitForFunction(() => /\b1 candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
  await page.click('[data-testid="run-screen"]');
  await page.waitForSelector('[data-testid="screen-message"]:has-text("finished")', { timeout: 60_000 });
}, 120_000);
afterAll(async () => {
  await session?.close();
});

describe('accessibility (axe-core)', () => {
  it.each([
    ['design', 'Design'],
    ['results', 'Results'],
    ['candidate', 'Candidate'],
    ['training', 'Training'],
    ['shortlist', 'Shortlist'],
  ] as const)('the %s view has no serious violation', async (view, button) => {
    const { page } = session;
    if (view === 'candidate') {
      await page.click('nav button:has-text("Results")');
      await page.waitForSelector('[data-testid="results-table"] .link');
      await page.click('[data-testid="results-table"] .link >> nth=0');
      await page.waitForSelector('[data-testid="attention"] canvas');
    } else {
      await page.click(`nav button:has-text("${button}")`);
      await page.waitForTimeout(300);
    }
    expect(await seriousViolations()).toEqual([]);
  });
});

describe('layout', () => {
  it.each([
    [1440, 900],
    [1280, 720],
    [800, 900],
  ] as const)('at %i x %i px no view scrolls sideways', async (width, height) => {
    const { page } = session;
    await page.setViewportSize({ width, height });
    const overflowing: string[] = [];
    for (const button of ['Design', 'Results', 'Compare', 'Candidate', 'Training', 'Shortlist']) {
      await page.click(`nav button:has-text("${button}")`);
      await page.waitForTimeout(300);
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      if (scrollWidth > width) overflowing.push(`${button}: ${scrollWidth} px`);
      await page.screenshot({ path: join(ARTIFACTS, `layout-${width}-${button.toLowerCase()}.png`), fullPage: true });
    }
    expect(overflowing).toEqual([]);
  });
});
