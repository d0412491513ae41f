/** Floating-point operations of one forward pass per composition (multiply-add = 2), for throughput ceilings. */
import type { ModelConfig } from './config.js';

export function forwardFlops(c: ModelConfig, rows: number, width: number): number {
  const T = rows + 1;
  const d = c.dModel;
  const projection = 2 * rows * width * d;
  const attention = 2 * T * d * d * 4 + 2 * 2 * T * T * d; // q, k, v, out projections; scores and context
  const feedForward = 2 * 2 * T * d * c.feedForward;
  const pooling = 2 * rows * d * d + 2 * rows * d;
  const trunk = 2 * 4 * d * c.trunk;
  const heads = 2 * c.trunk * (c.regressionTargets.length + (c.classificationTarget ? 1 : 0));
  return projection + c.layers * (attention + feedForward) + pooling + trunk + heads;
}
