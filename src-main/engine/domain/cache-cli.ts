/**
 * Setup step: embeds the default model's domain references once (reference-cache.ts), so the first
 * screen, `pdw predict` and the server start without rebuilding them. Best effort: without the data
 * bundle the model simply has no domain, and nothing here fails setup.
 */
import { join } from 'node:path';
import { loadElementTable } from '../../data/elements/load.js';
import { resourcesDir } from '../../data/paths.js';
import { initBackend } from '../backend.js';
import { EnsemblePredictor } from '../model/predictor.js';
import { REFERENCE_CACHE_FILE } from './reference-cache.js';

const modelDir = join(resourcesDir(), 'models', 'default');
try {
  await initBackend('wasm');
  const predictor = EnsemblePredictor.load(modelDir, loadElementTable());
  const domain = predictor.domain;
  predictor.dispose();
  console.log(domain ? `domain references: ${domain.reference.rows} compositions embedded -> ${join(modelDir, REFERENCE_CACHE_FILE)}` : 'domain references: none (no domain.json or no data bundle)');
} catch (e) {
  console.warn(`domain references not cached (${(e as Error).message}); each load will rebuild them`);
}
