/**
 * The applicability domain of a model: how far a composition is from every composition the model was
 * trained on, and whether that is farther than the model was shown to hold up.
 *
 * Space: the model's own representation (the shared trunk's output of ensemble member 0), Euclidean
 * distance to the nearest training composition. Chosen over a distance between atomic fractions after
 * measuring both on held-out mp_gap compositions: by fraction distance the default model's errors did
 * not grow (far compositions are mostly simple metals it gets right), while by latent distance the
 * MAE rose from 0.15 eV in the nearest fifth to 1.40 eV in the farthest. The nearest search is one
 * matMul per batch against the training compositions embedded once (EnsemblePredictor); how the
 * threshold was chosen is in domain.json and its report (services/domain-calibration.ts).
 */
import type { Composition } from '../../../shared/index.js';

/** A training composition of the model, as its dataset writes it. */
export interface DomainReference {
  readonly formula: string;
  readonly composition: Composition;
}

export const DOMAIN_FORMAT = 'pdw-domain/1';

/**
 * A model's applicability domain (domain.json in its folder, written by `pdw calibrate-domain`):
 * distances in the model's latent space (the shared trunk's output of ensemble member 0, Euclidean)
 * to the nearest of its training compositions, recomputed from the bundled dataset when the model
 * loads (no copy of the data is kept), and the threshold beyond which a prediction is flagged as an
 * extrapolation, with how it was calibrated.
 */
export interface DomainFile {
  readonly format: typeof DOMAIN_FORMAT;
  /** The bundled dataset whose compositions (one row per formula) the model was trained on. */
  readonly reference: { readonly dataset: string; readonly rows: number };
  readonly space: string;
  readonly threshold: number;
  /** How the threshold was chosen, in words. */
  readonly rule: string;
  readonly calibratedAt: string;
  /** The report the calibration wrote (relative to the project). */
  readonly report: string;
}

/** Where a prediction stands: its latent distance to the nearest training composition and the flag. */
export interface DomainScore {
  readonly distance: number;
  readonly inDomain: boolean;
  /** The nearest training composition, as its dataset writes it. */
  readonly nearest: string;
}
