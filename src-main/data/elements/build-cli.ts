/** `npm run build:elements`: writes resources/elements/elements.json from the data bundle. */
import { dataDir, elementTablePath } from '../paths.js';
import { buildElementTable, writeElementTable } from './build.js';

const source = dataDir();
try {
  const table = buildElementTable(source);
  writeElementTable(table, elementTablePath());
  const withVectors = table.elements.filter((e) => e.mat2vec !== null).length;
  console.log(`element table: ${table.elements.length} elements (${withVectors} with mat2vec) from ${source} -> ${elementTablePath()}`);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
}
