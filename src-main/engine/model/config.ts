/** Hyperparameters of the EDM transformer, in one typed config stored in every model card. */

export interface ModelConfig {
  /** Width of the token embeddings. */
  readonly dModel: number;
  readonly layers: number;
  readonly heads: number;
  /** Hidden width of the position-wise feed-forward block. */
  readonly feedForward: number;
  /** Width of the shared dense trunk after pooling. */
  readonly trunk: number;
  readonly dropout: number;
  /** Regression targets, one head each (band_gap first by convention). */
  readonly regressionTargets: readonly string[];
  /** Binary classification target (stable), or null for none. */
  readonly classificationTarget: string | null;
}

export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  dModel: 64,
  layers: 2,
  heads: 4,
  feedForward: 128,
  trunk: 64,
  dropout: 0.1,
  regressionTargets: ['band_gap'],
  classificationTarget: 'stable',
};

/** The fields that make a config's architecture (its widths, depth and heads; not its targets or dropout). */
export const ARCHITECTURE_KEYS = ['dModel', 'layers', 'heads', 'feedForward', 'trunk'] as const;
export type Architecture = Pick<ModelConfig, (typeof ARCHITECTURE_KEYS)[number]>;

/** A config's architecture alone. */
export function architectureOf(c: ModelConfig): Architecture {
  return { dModel: c.dModel, layers: c.layers, heads: c.heads, feedForward: c.feedForward, trunk: c.trunk };
}

/** CrabNet's size, for the benchmark: d_model 512, 3 layers, 4 heads, feed-forward 2048. */
export const CRABNET_SIZE: Architecture = {
  dModel: 512,
  layers: 3,
  heads: 4,
  feedForward: 2048,
  trunk: 512,
};

/** The architecture in words: "d_model 64, 2 layers, 4 heads, feed-forward 128, trunk 64". */
export function describeArchitecture(c: ModelConfig): string {
  return `d_model ${c.dModel}, ${c.layers} layers, ${c.heads} heads, feed-forward ${c.feedForward}, trunk ${c.trunk}`;
}

export function validateModelConfig(c: ModelConfig): ModelConfig {
  for (const key of ARCHITECTURE_KEYS) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw new RangeError(`model config: ${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.dModel % c.heads !== 0) throw new RangeError(`model config: dModel ${c.dModel} is not divisible by heads ${c.heads}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new RangeError(`model config: dropout must be in [0, 1), got ${c.dropout}`);
  if (c.regressionTargets.length === 0 && c.classificationTarget === null) throw new RangeError('model config: no targets');
  return c;
}
