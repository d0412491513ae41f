/** `npm run build:elements`: writes resources/elements/elements.json and molecules.json from the data bundle. */
import { join } from 'node:path';
import { dataDir, elementTablePath, resourcesDir } from '../paths.js';
import { buildElementTable, writeElementTable } from './build.js';
import { buildMoleculeTable, moleculeTablePath, writeMoleculeTable } from './molecules.js';

const source = dataDir();
try {
  const table = buildElementTable(source);
  writeElementTable(table, elementTablePath());
  const withVectors = table.elements.filter((e) => e.mat2vec !== null).length;
  console.log(`element table: ${table.elements.length} elements (${withVectors} with mat2vec) from ${source} -> ${elementTablePath()}`);
  const molecules = buildMoleculeTable(join(resourcesDir(), 'molecular-ions.csv'), join(source, 'elements', 'shannon_radii.csv'));
  writeMoleculeTable(molecules);
  console.log(`molecular ions: ${molecules.ions.map((m) => m.abbreviation).join(', ')} -> ${moleculeTablePath()}`);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
}
