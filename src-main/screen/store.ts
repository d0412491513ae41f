/** A model's prediction as the library stores it: by role (band gap, stability), the rest kept as is. */
import type { CardRoles } from '../engine/model/card.js';
import type { Prediction } from '../engine/model/predictor.js';
import type { StoredPrediction } from '../library/index.js';

export function storedPrediction(p: Prediction, roles: CardRoles): StoredPrediction {
  const gap = roles.bandGap === null ? undefined : p.regression[roles.bandGap];
  const other = Object.fromEntries(Object.entries(p.regression).filter(([k]) => k !== roles.bandGap));
  const head = (target: string | null | undefined): { value: number; sigma: number } | null => {
    const r = target ? p.regression[target] : undefined;
    return r ? { value: r.value, sigma: r.sigma } : null;
  };
  const c = p.classification;
  return {
    bandGap: gap ? { value: gap.value, sigma: gap.sigma } : null,
    stability: c && c.target === roles.stability ? { probability: c.probability, spread: c.spread, decision: c.decision } : null,
    other,
    experimentalGap: head(roles.experimentalGap),
    energyAboveHull: head(roles.energyAboveHull),
    domain: p.domain ? { distance: p.domain.distance, inDomain: p.domain.inDomain } : null,
  };
}
