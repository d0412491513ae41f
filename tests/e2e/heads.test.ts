// The default model's heads in the browser: the PBE and experimental gaps and the energy above hull
// as table columns, an E_hull ceiling, the gap switch that moves the gap range, the rankings and the
// plots to the experimental gap, and the candidate view showing both gaps, E_hull, the domain flag and
// the recorded values. Screenshots go to test-artifacts/ (look at them).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Space } from '../../shared/api/contract.js';
import type { WorkbenchEvent } from '../../shared/api/types.js';
import { ARTIFACTS as artifacts, suiteSession } from './session.js';

const session = suiteSession();

describe('the default model heads in the Results and candidate views', () => {
  it('screens Cs / Pb, Sn, Ag, Bi / I, Br with double perovskites, filters by E_hull and ranks on the experimental gap', async () => {
    const { page, server, workbench } = session;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(server.url);
    await page.waitForSelector('[data-symbol="Cs"]');
    await page.click('[data-symbol="Cs"]');
    await page.keyboard.press('b');
    for (const s of ['Pb', 'Sn', 'Ag', 'Bi']) await page.click(`[data-symbol="${s}"]`);
    await page.click('input[value="X"]');
    for (const s of ['I', 'Br']) await page.click(`[data-symbol="${s}"]`);
    await page.check('label:has-text("double perovskites") input');
    await page.waitForFunction(() => /\b\d+ candidates/.test(document.querySelector('[data-testid="live-count"]')?.textContent ?? ''));
    await page.click('[data-testid="run-screen"]');
    await page.waitForSelector('[data-testid="screen-message"]:has-text("finished")', { timeout: 60_000 });
    await page.click('nav button:has-text("Results")');
    await page.waitForSelector('[data-testid="results-table"] .link');
    const all = workbench.candidates.query({ screenId: 1, limit: 5000, offset: 0, exactTotal: true });
    expect(all.rows.every((r) => r.gapExpt != null && r.eHull != null)).toBe(true); // every row has both heads
    const header = await page.textContent('[data-testid="results-table"] .head');
    expect(header).toMatch(/PBE gap \(eV\) ± σ/);
    expect(header).toMatch(/expt\. gap \(eV\) ± σ/);
    expect(header).toMatch(/E_hull \(meV\/atom\) ± σ/);

    // an E_hull ceiling of 20 meV/atom: the count is the library's
    const metastable = workbench.candidates.query({ screenId: 1, eHullMax: 0.02, limit: 1, offset: 0, exactTotal: true }).total;
    expect(metastable).toBeGreaterThan(0);
    expect(metastable).toBeLessThan(all.total);
    await page.fill('[data-testid="e-hull-max"]', '20');
    await page.waitForFunction((n) => (document.querySelector('[data-testid="row-count"]')?.textContent ?? '').startsWith(`${n} rows`), metastable);
    await page.fill('[data-testid="e-hull-max"]', '');

    // the experimental gap: the gap range, the scatter's title and the ranking read it
    await page.selectOption('[data-testid="gap-kind"]', 'expt');
    await page.fill('input[aria-label="band gap range"]', '1.5:2.5');
    const ids = (gapKind?: 'expt') => workbench.candidates.query({ screenId: 1, ...(gapKind ? { gapKind } : {}), gap: [1.5, 2.5], limit: 5000, offset: 0 }).rows.map((r) => r.id);
    const inRange = ids('expt').length;
    expect(ids('expt')).not.toEqual(ids()); // the experimental head puts other candidates in the range
    expect(inRange).toBeGreaterThan(0);
    await page.waitForFunction((n) => (document.querySelector('[data-testid="row-count"]')?.textContent ?? '').startsWith(`${n} rows`), inRange);
    expect(await page.textContent('main')).toMatch(/Experimental gap vs P\(stable\)/);
    await page.selectOption('select[aria-label="ranking"]', 'window');
    expect(await page.textContent('[data-testid="rank-definition"]')).toMatch(/P\(1\.2 eV ≤ experimental gap ≤ 1\.8 eV\)/);
    const best = workbench.candidates.query({ screenId: 1, gapKind: 'expt', gap: [1.5, 2.5], rank: { mode: 'window', window: [1.2, 1.8] }, limit: 1, offset: 0 }).rows[0]!;
    await page.waitForFunction((f) => document.querySelector('[data-testid="results-table"] .link')?.textContent === f, best.formula);
    await page.screenshot({ path: join(artifacts, '9-heads-results-1440.png'), fullPage: true });

    // the candidate view: both gaps, E_hull, the domain flag and what the bundle records
    await page.click('[data-testid="results-table"] .link >> nth=0');
    await page.waitForSelector('[data-testid="candidate-formula"]');
    expect(await page.textContent('[data-testid="gap-expt"]')).toMatch(/experimental gap, predicted\s*\d\.\d\d ± \d\.\d\d eV/);
    expect(await page.textContent('[data-testid="e-hull"]')).toMatch(/energy above hull, predicted\s*\d+ ± \d+ meV\/atom/);
    expect(await page.textContent('[data-testid="domain"]')).toMatch(/in the domain|extrapolation/);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.screenshot({ path: join(artifacts, '10-heads-candidate-1280.png'), fullPage: true });
  }, 180_000);

  it('shows the recorded values of a known double perovskite beside both predicted gaps', async () => {
    const { page, workbench } = session;
    const row = workbench.candidates.query({ screenId: 1, limit: 5000, offset: 0 }).rows.find((r) => r.formula === 'Cs2AgBiBr6')!;
    expect(row.known).toEqual(['mp_gap', 'expt_gap']);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('nav button:has-text("Results")');
    await page.selectOption('[data-testid="gap-kind"]', 'pbe');
    await page.fill('input[aria-label="band gap range"]', '');
    await page.fill('input[placeholder="Sn, I"]', 'Ag, Bi, Br');
    await page.click('[data-testid="results-table"] .link:text-is("Cs2AgBiBr6")');
    await page.waitForSelector('[data-testid="candidate-formula"]:text-is("Cs2AgBiBr6")');
    const text = await page.textContent('main');
    expect(text).toMatch(/measured gap|expt_gap/);
    expect(text).toMatch(/1\.359/); // mp_gap's PBE gap, recorded
    expect(text).toMatch(/2\.19/); // expt_gap's measured gap, recorded
    // both predicted gaps beside the records, as the library has them
    expect(await page.textContent('main')).toContain(`${row.bandGap!.toFixed(2)} ± ${row.bandGapSigma!.toFixed(2)} eV`);
    expect(await page.textContent('[data-testid="gap-expt"]')).toContain(`${row.gapExpt!.toFixed(2)} ± ${row.gapExptSigma!.toFixed(2)} eV`);
    // the shortlist carries every head and the marks too
    await page.click('button:has-text("Add to shortlist")');
    await page.click('nav button:has-text("Shortlist")');
    const shortlist = page.locator('[data-testid="shortlist"]');
    expect(await shortlist.locator('thead').textContent()).toMatch(/PBE gap \(eV\) ± σ.*expt\. gap \(eV\) ± σ.*P\(stable\) ± spread.*E_hull \(meV\/atom\) ± σ/);
    const line = await shortlist.locator('tbody tr', { hasText: 'Cs2AgBiBr6' }).textContent();
    expect(line).toContain(`${row.gapExpt!.toFixed(2)} ± ${row.gapExptSigma!.toFixed(2)}`);
    expect(line).toContain(`${Math.round(row.eHull! * 1000)} ± ${Math.round(row.eHullSigma! * 1000)}`);
    expect(await shortlist.locator('tbody tr', { hasText: 'Cs2AgBiBr6' }).locator('[data-testid="known-badge"]').count()).toBe(1);
    await page.screenshot({ path: join(artifacts, '10b-heads-shortlist-1280.png'), fullPage: true });
  }, 60_000);

  it('says that a gap of exactly 0 is a predicted metal, with the zero gate it fell under', async () => {
    const { page, workbench } = session;
    const cut = workbench.models.activeSummary()!.zeroGates!['band_gap']!;
    // the halides above all have gaps; metallic oxides do not (SrVO3, CaVO3, LaNiO3: MP's PBE gap is 0; V4+ and Ni3+ are ICSD states)
    const oxides: Space = { sites: { A: ['Ca', 'Sr', 'La'], B: ['V', 'Ni'], X: ['O'] }, mixing: {}, double: false, maxElements: 6, oxidationStates: 'icsd', filters: { tolerance: null, octahedral: null, tauMax: null } };
    const finished = new Promise<void>((resolve) => workbench.events.on('event', (e: WorkbenchEvent) => e.type === 'screen-finished' && resolve()));
    const { screenId } = await workbench.handle('startScreen', { space: oxides });
    await finished;
    const metal = workbench.candidates.query({ screenId, limit: 5000, offset: 0 }).rows.find((r) => r.bandGap === 0);
    expect(metal, 'a candidate of this screen the default model calls a metal').toBeDefined();
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.evaluate((id) => (location.hash = `#/candidate/${id}`), metal!.id); // every view has an address
    await page.waitForSelector(`[data-testid="candidate-formula"]:text-is("${metal!.formula}")`);
    expect(await page.textContent('main')).toContain(`0.00 ± ${metal!.bandGapSigma!.toFixed(2)} eV (± σ; 0 = predicted metal: the mean prediction is at or below the model's zero gate, ${cut.toFixed(2)} eV)`);
    expect(await page.textContent('[data-testid="gap-meaning"]')).toMatch(/predicted as 0 \(a metal\) where the corrected mean is at or below 0\.\d+ eV/);
    await page.screenshot({ path: join(artifacts, '11-heads-metal-1440.png'), fullPage: true });
  }, 60_000);
});
