/** EDM featurizer: the public surface of engine/featurize. */
export * from './constants.js';
export * from './types.js';
export { computeAttributeStats, rawAttributes } from './attributes.js';
export { encodeFraction, fractionEncodingParts, fractionScales, omega } from './fraction-encoding.js';
export { Featurizer, FeaturizeError, defaultFeaturizerSettings, edmLayout } from './edm.js';
