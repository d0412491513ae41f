// `npm run structures:lattice-check`: how well the starting structures' lattice parameter matches the
// seed data's cubic perovskites. For every Pm-3m ABX3 entry of mp_abx3 (5 sites), the charge-balanced
// assignment with the lowest tau (as in screening) gives the radii; the estimate a = 2 (rB + rX) is
// compared with Materials Project's (PBE-relaxed) a, beside sqrt(2) (rA + rX). Writes
// reports/structures/lattice.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(join(root, 'dist', p));
const { parse } = await import('csv-parse/sync');
const { loadElementTable } = await dist('src-main/data/elements/load.js');
const { enumerateCandidates } = await dist('src-main/enumerate/enumerate.js');
const { parseFormula } = await dist('shared/index.js');
const { dataDir } = await dist('src-main/data/paths.js');

const table = loadElementTable();
const rows = parse(readFileSync(join(dataDir(), 'perovskites', 'mp_abx3.csv'), 'utf8'), { columns: true });
const cubic = rows.filter((r) => r['space_group'] === 'Pm-3m' && r['sites'] === '5');
const errors = { bond: [], contact: [] };
let skipped = 0;
for (const r of cubic) {
  const parsed = parseFormula(r['formula']);
  if (!parsed.ok) { skipped += 1; continue; }
  const els = parsed.value.elements;
  const x = els.find((e) => Math.abs(e.amount - 3) < 1e-9);
  const others = els.filter((e) => e !== x);
  if (!x || others.length !== 2) { skipped += 1; continue; }
  let best = null;
  for (const [a, b] of [[others[0], others[1]], [others[1], others[0]]]) {
    const options = { sites: { A: [a.element], B: [b.element], X: [x.element] }, mixing: {}, double: false, maxElements: 6, oxidationStates: 'icsd', filters: { tolerance: null, octahedral: null, tauMax: null } };
    try {
      for (const c of enumerateCandidates(table, options)) if (!best || (c.tau ?? 99) < (best.tau ?? 99)) best = c;
    } catch {
      // an element without a state of the right sign for that site: not this assignment
    }
  }
  if (!best) { skipped += 1; continue; }
  const radius = (site) => best.radii.find((rr) => rr.element === best.sites.find((s) => s.site === site).species[0].element).radius;
  const a = Number(r['a_edge (angstrom)']);
  errors.bond.push(2 * (radius('B') + radius('X')) - a);
  errors.contact.push(Math.SQRT2 * (radius('A') + radius('X')) - a);
}
const stats = (e) => ({ n: e.length, mae: e.reduce((s, v) => s + Math.abs(v), 0) / e.length, bias: e.reduce((s, v) => s + v, 0) / e.length, within: e.filter((v) => Math.abs(v) <= 0.1).length / e.length });
const bond = stats(errors.bond);
const contact = stats(errors.contact);
const line = (label, s) => `| ${label} | ${s.n} | ${s.mae.toFixed(3)} | ${s.bias >= 0 ? '+' : ''}${s.bias.toFixed(3)} | ${(100 * s.within).toFixed(0)}% |`;
const report = `# Lattice parameters of the starting structures

Command: \`npm run structures:lattice-check\` (${new Date().toISOString().slice(0, 10)}).

Materials Project's cubic Pm-3m ABX3 entries of the seed set (\`mp_abx3.csv\`, 5 sites): ${cubic.length}
entries, ${bond.n} with a charge-balanced assignment and radii (ICSD oxidation states, lowest tau, as in
screening), ${skipped} skipped. Estimates against MP's PBE-relaxed lattice parameter a (angstrom):

| estimate | entries | MAE (A) | mean error (A) | within 0.1 A |
|---|---|---|---|---|
${line('a = 2 (rB + rX) (used for the structures)', bond)}
${line('a = sqrt(2) (rA + rX) (A-X contact)', contact)}

A positive mean error means the estimate is larger than MP's PBE value (which itself tends to exceed
experiment by about 1%). The estimate is a starting point for a relaxation, not a prediction.
`;
mkdirSync(join(root, 'reports', 'structures'), { recursive: true });
writeFileSync(join(root, 'reports', 'structures', 'lattice.md'), report);
console.log(report);
