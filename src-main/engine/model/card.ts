/** The model card: everything needed to rebuild, audit and use a trained model (DESIGN.md "Model files"). */
import type { ModelMetrics } from '../../../shared/api/metrics.js';
import type { BackendName } from '../../../shared/api/runtime.js';
import type { FeaturizerSettings } from '../featurize/index.js';
import type { TargetScaling } from '../train/data.js';
import type { OwnSplitRecord } from '../train/split-file.js';
import type { EpochRecord, TrainingSettings } from '../train/trainer.js';
import type { ModelConfig } from './config.js';
import type { NeighbourCorrection } from './neighbour-correction.js';
import { isNamedDataset } from '../../data/datasets/named.js';

/** Target names by role; null: the model has no target in that role. */
export interface CardRoles {
  readonly bandGap: string | null;
  readonly stability: string | null;
  /** The experimental-gap target (eV), if the model has one (cards before it: inferred from the name). */
  readonly experimentalGap?: string | null;
  /** The energy-above-hull target (eV/atom), if any. */
  readonly energyAboveHull?: string | null;
}

export const MODEL_FORMAT = 'pdw-model/1';

/** A distilled model's teacher and what the distillation was (train/distill.ts). */
export interface DistillationRecord {
  readonly id: string;
  readonly name: string;
  /**
   * Compositions the teacher labelled (its training compositions and sampled screening candidates):
   * trained on, held out for early stopping and the sigma scale, held out for the fidelity check.
   */
  readonly transfer: { readonly train: number; readonly val: number; readonly check: number; readonly sources: Readonly<Record<string, number>> };
}

export interface TensorManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface ModelCard {
  readonly format: typeof MODEL_FORMAT;
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  /** What the targets mean (e.g. "band gap of the composition's lowest-energy polymorph"). */
  readonly targets: Readonly<Record<string, string>>;
  /**
   * Which target screening stores as the band gap and which as the stability probability (see
   * roles.ts). Absent in cards written before roles existed: read with `modelRoles`, which infers them.
   */
  readonly roles?: CardRoles;
  readonly config: ModelConfig;
  readonly featurizer: FeaturizerSettings;
  readonly targetScaling: TargetScaling;
  readonly training: TrainingSettings;
  readonly ensemble: {
    readonly members: number;
    readonly seeds: readonly number[];
    /** Multiplier on the ensemble's standard deviation per regression target, fitted on validation. */
    readonly sigmaScale: Readonly<Record<string, number>>;
    /** Decision threshold on P(class), chosen on validation to maximize the positive class's F1. */
    readonly threshold: number | null;
    /**
     * Per band-gap target with a point mass at zero (evaluate/zero-gate.ts): a mean prediction at or
     * below this cut is reported as 0 (a metal), chosen on validation to minimize MAE. Absent: cards
     * written before the gate, and other targets (clipped at 0 only where they cannot be negative).
     */
    readonly zeroBelow?: Readonly<Record<string, number>>;
    /**
     * Per regression target whose validation MAE it lowers: the neighbour correction's settings
     * (model/neighbour-correction.ts). The mean moves by the residuals of the nearest training rows
     * (rebuilt from the data bundle, as the split the card names) before the zero gate. Absent: cards
     * written before it, models trained on uploaded data, targets it did not help.
     */
    readonly neighbourCorrection?: Readonly<Record<string, NeighbourCorrection>>;
    readonly bestEpochs: readonly number[];
    /** Per member, per epoch: training loss and validation numbers (learning curves). */
    readonly histories: readonly (readonly EpochRecord[])[];
    /**
     * The members share every weight up to and including the trunk and differ only in their heads
     * (a distilled model, see train/distill.ts): the predictor runs the encoder once per batch.
     */
    readonly sharedTrunk?: boolean;
    /** The ensemble this one was distilled from, and how closely it follows it. */
    readonly distilledFrom?: DistillationRecord;
  };
  readonly data: {
    readonly source: string;
    readonly sha256: string;
    readonly protocol: string;
    readonly rows: { readonly train: number; readonly val: number; readonly test: number };
    /** Rows left out because their composition is in these datasets (kept apart from pretraining). */
    readonly excluded?: { readonly datasets: readonly string[]; readonly rows: number };
    /**
     * The joint data only: how many mp_gap compositions it kept (its perovskite stoichiometries and hybrids,
     * then a seeded sample of the rest up to this many). Absent: the default model's size (cards written
     * before it was recorded); see train/bundled.ts `jointSampleOf`.
     */
    readonly mpGapCompositions?: number;
    /**
     * The joint data only: training rows per double-perovskite example and epoch, where not once (joint.ts
     * JOINT_DOUBLES_REPEATS). Absent: once.
     */
    readonly doublesRepeats?: number;
    /**
     * The joint data only: the seed its mp_gap sample was drawn with, where it is not the training seed
     * (an updated model: its base's). Absent: `training.seed`; see train/bundled.ts `jointSeedOf`.
     */
    readonly jointSeed?: number;
    /**
     * The split itself, written beside the weights (train/split-file.ts), for a model whose rows the
     * bundle cannot give again: an update's rehearsal sample and imported results. Its neighbour
     * correction's memory, recalibration's validation rows and (with the bundled rows) its domain's
     * references are read from it.
     */
    readonly ownSplit?: OwnSplitRecord;
  };
  /** Calibration refitted after training (`pdw recalibrate`): the id the model had before, and when. Its weights are that model's. */
  readonly recalibrated?: { readonly from: string; readonly at: string };
  /** The model whose weights this one was fine-tuned from. */
  readonly pretrainedFrom?: { readonly id: string; readonly name: string; readonly data: string };
  /** Empty until the model is evaluated (a card fresh out of `fitModel`). */
  readonly metrics: ModelMetrics | Readonly<Record<string, never>>;
  /** The backend it was trained on (older cards hold tfjs's own name, e.g. 'wasm'). */
  readonly backend: BackendName;
  readonly trainingSeconds: number;
  readonly weights: { readonly file: string; readonly tensors: readonly TensorManifestEntry[] };
}

/** The bundled dataset a model was trained on (its card's data source names it first); null for anything else (an uploaded CSV). */
export function bundledTrainingData(card: Pick<ModelCard, 'data'>): string | null {
  const name = card.data.source.split(' ')[0]!;
  if (name === 'joint:') return 'joint';
  return isNamedDataset(name) ? name : null;
}
