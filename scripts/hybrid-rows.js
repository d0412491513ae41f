// `node scripts/hybrid-rows.js`: how the bundled datasets write organic-inorganic compounds. Counts the
// rows whose formula holds C, H and N, and of those the ones with a metal and a halide (hybrid-like),
// per dataset. Every such row lists atoms (CH3NH3PbI3 as C H6 N Pb I3): none writes a molecular token,
// which is why the workbench feeds a molecular ion to the model as its atoms (README, "Molecular ions").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { parseFormula } = await import(join(root, 'dist', 'shared', 'index.js'));
const data = process.env.PDW_DATA_DIR ?? join(root, '..', 'shared', 'data');
const HALIDES = new Set(['F', 'Cl', 'Br', 'I']);
const NON_METALS = new Set(['H', 'He', 'B', 'C', 'N', 'O', 'F', 'Ne', 'Si', 'P', 'S', 'Cl', 'Ar', 'As', 'Se', 'Br', 'Kr', 'Te', 'I', 'Xe', 'At', 'Rn']);

for (const file of ['benchmarks/matbench/mp_gap.csv', 'benchmarks/matbench/expt_gap.csv', 'benchmarks/aflow_egap/train.csv', 'perovskites/mp_abx3.csv']) {
  const lines = readFileSync(join(data, file), 'utf8').split('\n').slice(1).filter(Boolean);
  let organic = 0;
  let hybrid = 0;
  const examples = [];
  for (const line of lines) {
    const formula = line.split(',')[0].replace(/^"|"$/g, '');
    const parsed = parseFormula(formula);
    if (!parsed.ok) continue;
    const elements = parsed.value.elements.map((e) => e.element);
    if (!['C', 'H', 'N'].every((e) => elements.includes(e))) continue;
    organic += 1;
    if (elements.some((e) => HALIDES.has(e)) && elements.some((e) => !NON_METALS.has(e))) {
      hybrid += 1;
      if (examples.length < 3) examples.push(formula);
    }
  }
  console.log(`${file}: ${lines.length} rows; ${organic} with C, H and N; ${hybrid} of them with a metal and a halide${examples.length ? ` (e.g. ${examples.join(', ')})` : ''}`);
}
