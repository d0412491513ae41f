/**
 * Model roles: which of a model's targets screening stores as the band gap (eV) and which as the
 * stability probability. Targets are named by the data a model was trained on (`band_gap`, `gap`,
 * `Eg_eV`, ...); screening, the library and the views work with roles, so a model trained on a column
 * called `gap` screens like any other.
 */
import type { ModelRoles, TargetRole } from '../../../shared/api/types.js';
import type { CardRoles, ModelCard } from './card.js';
import type { ModelConfig } from './config.js';

export class ModelRoleError extends Error {
  override name = 'ModelRoleError';
}

/** Targets the auxiliary roles are recognised by (the joint default model's names). */
export const EXPERIMENTAL_GAP_TARGET = 'band_gap_expt';
export const ENERGY_ABOVE_HULL_TARGET = 'energy_above_hull';

function auxiliaryRoles(config: Pick<ModelConfig, 'regressionTargets'>, bandGap: string | null): Required<Pick<CardRoles, 'experimentalGap' | 'energyAboveHull'>> {
  const has = (t: string): string | null => (config.regressionTargets.includes(t) && t !== bandGap ? t : null);
  return { experimentalGap: has(EXPERIMENTAL_GAP_TARGET), energyAboveHull: has(ENERGY_ABOVE_HULL_TARGET) };
}

/**
 * Roles for a new model. `bandGap` names the gap target explicitly; otherwise `band_gap` if it is a
 * regression target, else the only regression target whose name mentions a gap, else none. The
 * stability role is the classification target, if any.
 */
export function chooseRoles(config: Pick<ModelConfig, 'regressionTargets' | 'classificationTarget'>, bandGap?: string | null): CardRoles {
  if (bandGap !== undefined && bandGap !== null) {
    if (!config.regressionTargets.includes(bandGap)) {
      throw new ModelRoleError(`the band-gap target '${bandGap}' is not a regression target of the model (it has ${config.regressionTargets.join(', ') || 'none'})`);
    }
    return { bandGap, stability: config.classificationTarget, ...auxiliaryRoles(config, bandGap) };
  }
  if (bandGap === null) return { bandGap: null, stability: config.classificationTarget, ...auxiliaryRoles(config, null) };
  const gapLike = config.regressionTargets.filter((t) => /gap/i.test(t));
  const inferred = config.regressionTargets.includes('band_gap') ? 'band_gap' : gapLike.length === 1 ? gapLike[0]! : null;
  return { bandGap: inferred, stability: config.classificationTarget, ...auxiliaryRoles(config, inferred) };
}

/** The target of each role of a saved model (cards without roles, or written before a role existed: inferred as above). */
export function cardRoles(card: Pick<ModelCard, 'roles' | 'config'>): Required<CardRoles> {
  return { ...auxiliaryRoles(card.config, card.roles?.bandGap ?? null), ...(card.roles ?? chooseRoles(card.config)) };
}

/**
 * How the model arrives at a target's reported value, where it is more than the ensemble's mean: the
 * neighbour correction (model/neighbour-correction.ts) and the zero gate (evaluate/zero-gate.ts).
 * Appended to the target's meaning wherever the meaning is shown or exported.
 */
export function predictionNote(ensemble: Pick<ModelCard['ensemble'], 'zeroBelow' | 'neighbourCorrection'> | undefined, target: string, unit: string): string {
  const correction = ensemble?.neighbourCorrection?.[target];
  const cut = ensemble?.zeroBelow?.[target];
  const mean = correction ? 'corrected mean' : "ensemble's mean";
  return [
    correction ? `; the ensemble's mean corrected by its errors on the ${correction.neighbours === 1 ? 'nearest training composition' : `${correction.neighbours} nearest training compositions`} (in its latent space)` : '',
    cut === undefined ? '' : `; predicted as 0 (a metal) where the ${mean} is at or below ${Number(cut.toPrecision(3))} ${unit} (a cut chosen on validation)`,
  ].join('');
}

/** The roles of a saved model, with their meaning and unit. */
export function modelRoles(card: Pick<ModelCard, 'roles' | 'config' | 'targets'> & { readonly ensemble?: Pick<ModelCard['ensemble'], 'zeroBelow' | 'neighbourCorrection'> }): ModelRoles {
  const roles = cardRoles(card);
  const role = (target: string | null | undefined, unit: string): TargetRole | null => (target ? { target, unit, meaning: (card.targets[target] ?? target) + predictionNote(card.ensemble, target, unit) } : null);
  return {
    bandGap: role(roles.bandGap, 'eV'),
    stability: role(roles.stability, 'probability'),
    experimentalGap: role(roles.experimentalGap, 'eV'),
    energyAboveHull: role(roles.energyAboveHull, 'eV/atom'),
  };
}

/** Refuses a model that cannot drive a screen (no band-gap role), naming the model. */
export function requireScreeningRoles(card: Pick<ModelCard, 'roles' | 'config' | 'targets' | 'name'>): ModelRoles {
  const roles = modelRoles(card);
  if (!roles.bandGap) {
    throw new ModelRoleError(
      `model '${card.name}' has no band-gap target (its targets: ${[...card.config.regressionTargets, ...(card.config.classificationTarget ? [card.config.classificationTarget] : [])].join(', ')}), so it cannot be the screening model; train it with a band-gap column`,
    );
  }
  return roles;
}
