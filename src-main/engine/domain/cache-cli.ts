/**
 * Setup step: embeds each bundled model's domain references once (reference-cache.ts), and its
 * neighbour correction's memory where it has one, so the first screen, `pdw predict` and the server
 * start without rebuilding them. Best effort: without the data bundle a model simply has no domain,
 * and nothing here fails setup.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadElementTable } from '../../data/elements/load.js';
import { resourcesDir } from '../../data/paths.js';
import { initBackend } from '../backend.js';
import { EnsemblePredictor } from '../model/predictor.js';
import { domainFilePath } from './file.js';
import { MEMORY_CACHE_FILE, REFERENCE_CACHE_FILE } from './reference-cache.js';

const modelsDir = join(resourcesDir(), 'models');
const withDomain = readdirSync(modelsDir).filter((name) => existsSync(domainFilePath(join(modelsDir, name))));
await initBackend('wasm');
const table = loadElementTable();
for (const name of withDomain) {
  const modelDir = join(modelsDir, name);
  try {
    const predictor = EnsemblePredictor.load(modelDir, table);
    const domain = predictor.domain;
    const memory = predictor.neighbourResiduals;
    predictor.dispose();
    console.log(domain ? `domain references of ${name}: ${domain.reference.rows} compositions embedded -> ${join(modelDir, REFERENCE_CACHE_FILE)}` : `domain references of ${name}: none (no data bundle)`);
    if (memory) console.log(`neighbour memory of ${name}: its training rows' residuals -> ${join(modelDir, MEMORY_CACHE_FILE)}`);
  } catch (e) {
    console.warn(`domain references of ${name} not cached (${(e as Error).message}); each load will rebuild them`);
  }
}
