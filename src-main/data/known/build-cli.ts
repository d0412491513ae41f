/** Setup step: writes resources/known/known-compounds.json from the data bundle. */
import { dataDir } from '../paths.js';
import { buildKnownCompounds, knownCompoundsPath, writeKnownCompounds } from './known-compounds.js';

try {
  const file = buildKnownCompounds();
  writeKnownCompounds(file);
  const r = file.rows;
  console.log(`known compounds: ${Object.keys(file.compounds).length} compositions (mp_abx3 ${r.mp_abx3}, mp_gap ${r.mp_gap}, expt_gap ${r.expt_gap} rows) from ${dataDir()} -> ${knownCompoundsPath()}`);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
}
