/** Data shapes that cross the process boundary (main <-> renderer). Plain JSON, no classes. */
import type { ElementSymbol, SiteComposition } from '../index.js';
import type { Design } from './workspace.js';
import type { ModelMetrics } from './metrics.js';
import type { ScreenStatus, TrainingStatus } from './runtime.js';

export type { ScreenStatus, TrainingStatus } from './runtime.js';

export interface ElementInfo {
  readonly symbol: ElementSymbol;
  readonly z: number;
  readonly name: string;
  readonly layout: { readonly row: number; readonly column: number } | null;
  readonly commonOxidationStates: readonly number[];
  readonly icsdOxidationStates: readonly number[];
  /** Every state pymatgen lists (what "all" enumerates, and what a state by hand may choose from). */
  readonly allOxidationStates: readonly number[];
  /** Shannon ionic radii at CN 6, 8 and 12 as "+2 CN6: 1.18 Å (pymatgen)" strings, each with its source. */
  readonly radii: readonly string[];
  /** False for elements the model or the enumeration cannot use (no embedding or no oxidation states). */
  readonly usable: boolean;
}

/** A molecular ion that sits on a site like an element (MA on A, formate on X). */
export interface MolecularIonInfo {
  readonly abbreviation: string;
  readonly name: string;
  /** As chemists write it, e.g. CH3NH3. */
  readonly formula: string;
  /** Its atoms, e.g. "C H6 N". */
  readonly atoms: string;
  readonly charge: number;
  readonly site: 'A' | 'X';
  /** Effective ionic radius in angstrom, and where it comes from. */
  readonly radius: number;
  readonly radiusSource: string;
}

export interface SpaceCounts {
  readonly combinations: number;
  readonly chargeNeutral: number;
  readonly candidates: number;
  readonly rejected: Readonly<Record<string, number>>;
  /** Combinations rejected for a missing radius, by the ion without one (e.g. "Sn+2"). */
  readonly missingRadii: Readonly<Record<string, number>>;
  /** Assumptions a user should know (fallback oxidation states, hand-set states, where tau is undefined). */
  readonly notes: readonly string[];
  /** False when counting stopped at its time budget: the numbers are then lower bounds. */
  readonly exact: boolean;
}

export interface ScreenSummary {
  readonly id: number;
  readonly status: ScreenStatus;
  readonly done: number;
  readonly total: number | null;
  readonly modelId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly error: string | null;
  /** Given by the user (null until then). */
  readonly name: string | null;
  readonly note: string | null;
  /** What the model that screened it predicts (its card's roles, as the library keeps it): labels for its numbers. */
  readonly roles: ModelRoles;
}

/** What the library kept of the user's work: the design being edited and the shortlist with notes. */
export interface WorkspaceState {
  readonly design: Design | null;
  readonly shortlist: readonly (CandidateSummary & { readonly note: string; readonly screenId: number })[];
}

export interface CandidateSummary {
  readonly id: number;
  readonly seq: number;
  readonly formula: string;
  readonly sites: SiteComposition;
  readonly oxidationStates: Readonly<Record<string, number>>;
  readonly t: number;
  readonly mu: number;
  readonly tau: number | null;
  readonly bandGap: number | null;
  readonly bandGapSigma: number | null;
  readonly pStable: number | null;
  readonly pStableSpread: number | null;
  readonly stable: boolean | null;
  /**
   * The experimental-gap head (eV) and the energy-above-hull head (eV/atom), with their sigma; absent or
   * null where the screen's model has no such head (or the library is from before migration 13).
   */
  readonly gapExpt?: number | null;
  readonly gapExptSigma?: number | null;
  readonly eHull?: number | null;
  readonly eHullSigma?: number | null;
  readonly score?: number;
  /**
   * Bundled datasets that record this candidate's reduced composition (empty: novel to them); null
   * where it was not checked (no known-compound index when screened, a read-only old library).
   */
  readonly known?: readonly KnownSource[] | null;
  /** Values the user imported for this candidate (computed or measured), beside the predictions. */
  readonly imported?: readonly ImportedResult[];
  /**
   * The applicability domain: latent distance to the nearest of the model's training compositions and
   * whether it is within the calibrated threshold; null where the model has no calibrated domain.
   */
  readonly domain?: { readonly distance: number; readonly inDomain: boolean } | null;
}

/** A computed or measured value imported for a candidate (never replacing its prediction). */
export interface ImportedResult {
  /** The model target it is a value of (band_gap, stable, ...). */
  readonly target: string;
  /** The value: eV for gaps, 1 / 0 for a yes/no target. */
  readonly value: number;
  /** Where it comes from, as the user labelled it ("PBE, my group", "experiment"). */
  readonly source: string;
  /** The formula as the file wrote it, and where. */
  readonly formula: string;
  readonly file: string;
  readonly line: number;
  readonly importedAt: string;
}

/** What an import of results did: rows stored, and every row not stored with its line and why. */
export interface ImportSummary {
  readonly screenId: number;
  /** Target columns read (the screen's model's targets found in the header). */
  readonly targets: readonly string[];
  /** Columns that are neither the formula nor a target of the model, left out. */
  readonly ignoredColumns: readonly string[];
  /** Values stored. */
  readonly added: number;
  /** Values already in the library (same candidate, target, value and source): not stored twice. */
  readonly duplicates: number;
  /** Candidates that received a value. */
  readonly candidates: number;
  /** Rows not imported: unreadable, or no candidate of the screen has the composition. */
  readonly problems: readonly { readonly line: number; readonly column: string | null; readonly reason: string }[];
}

/** The bundled datasets a candidate's composition is looked up in (see shared/api/labels.ts for their meanings). */
export const KNOWN_SOURCES = ['mp_abx3', 'mp_gap', 'expt_gap'] as const;
export type KnownSource = (typeof KNOWN_SOURCES)[number];

/** One recorded entry of a known composition: what a bundled dataset says about it, with its source. */
export interface KnownRecord {
  readonly source: KnownSource;
  /** The formula as the source writes it. */
  readonly formula: string;
  /** The source's identifier (mp_id for mp_abx3), when it has one. */
  readonly id: string | null;
  /** Crystal system and space group (mp_abx3), when recorded. */
  readonly structure: string | null;
  /** Band gap (eV): PBE for mp_abx3 and mp_gap, measured for expt_gap. */
  readonly bandGap: number | null;
  /** Energy above the Materials Project hull (eV/atom), mp_abx3 only. */
  readonly energyAboveHull: number | null;
  /** On the Materials Project hull, mp_abx3 only. */
  readonly stable: boolean | null;
}

/** A candidate of a next batch: its acquisition score, the score it had when picked, and how far it is from the earlier picks. */
export interface NextBatchRow extends CandidateSummary {
  readonly acquisition: number;
  readonly penalized: number;
  /** Composition distance (0-1) to the nearest earlier pick; null for the first. */
  readonly nearestPick: number | null;
  /** Its place in the ranking by acquisition alone (1 = best). */
  readonly poolRank: number;
}

export interface NextBatch {
  readonly rows: readonly NextBatchRow[];
  /** How many of the best candidates by acquisition the batch was chosen from. */
  readonly pool: number;
  /** The method in words, with its parameters. */
  readonly method: string;
}

export interface CandidatePage {
  /** Matches; a lower bound when `exact` is false (counting stops early on huge results). */
  readonly total: number;
  readonly exact: boolean;
  readonly rows: readonly CandidateSummary[];
}

export interface ScatterData {
  readonly ids: readonly number[];
  readonly gap: readonly number[];
  readonly pStable: readonly number[];
  readonly tau: readonly (number | null)[];
  readonly formulas: readonly string[];
  /** Per point: within the model's applicability domain (null: no calibrated domain). */
  readonly inDomain: readonly (boolean | null)[];
  /** Pareto front (gap-window probability vs P(stable)) among the plotted points: ids on front 1. */
  readonly pareto: readonly number[];
  readonly total: number;
  /** Candidates (among the matches) with an imported band gap: drawn apart, at the imported value. */
  readonly imported: { readonly ids: readonly number[]; readonly gap: readonly number[]; readonly pStable: readonly number[]; readonly formulas: readonly string[]; readonly sources: readonly string[] };
}

export interface Histogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

export interface AttentionView {
  readonly tokens: readonly string[];
  readonly elements: readonly string[];
  readonly layers: readonly (readonly (readonly (readonly number[])[])[])[];
  readonly layerAverage: readonly (readonly (readonly number[])[])[];
  readonly pooling: readonly (readonly number[])[];
}

export interface NeighbourComposition {
  readonly formula: string;
  /** Element mover's distance on Pettifor's Mendeleev scale: atomic fraction moved x steps along it (0: the same composition). */
  readonly distance: number;
  /** The training data's PBE band gap (eV). */
  readonly bandGap: number | null;
  /** The screen's model's band gap for it, as it reports one (zero gate and neighbour correction applied); null for a model without a gap head. */
  readonly predictedGap: number | null;
  readonly stable: boolean | null;
}

export interface CandidateDetail {
  readonly candidate: CandidateSummary;
  readonly radii: readonly string[];
  readonly attention: AttentionView;
  readonly edm: { readonly rows: readonly string[]; readonly values: readonly (readonly number[])[]; readonly columns: readonly string[] };
  readonly neighbours: readonly NeighbourComposition[];
  /** The bundled records of the candidate's reduced composition; null when no known-compound index is available. */
  readonly known: readonly KnownRecord[] | null;
  /** Values the user imported for it. */
  readonly imported: readonly ImportedResult[];
  /** The model that screened it (which may not be the active one): its roles label the numbers above. */
  readonly model: ModelSummary;
}

/** A target's role in screening, with what it means and its unit. */
export interface TargetRole {
  readonly target: string;
  readonly unit: string;
  readonly meaning: string;
}

/** Which model target screening stores as the band gap and which as P(stable). */
export interface ModelRoles {
  readonly bandGap: TargetRole | null;
  readonly stability: TargetRole | null;
  /** The experimental band gap (eV), beside the PBE one; null where the model has no such head. */
  readonly experimentalGap?: TargetRole | null;
  /** Energy above the convex hull (eV/atom); null where the model has no such head. */
  readonly energyAboveHull?: TargetRole | null;
}

export interface ModelSummary {
  readonly id: string;
  readonly name: string;
  readonly dir: string;
  readonly members: number;
  readonly targets: Readonly<Record<string, string>>;
  readonly roles: ModelRoles;
  readonly metrics: ModelMetrics | null;
  readonly threshold: number | null;
  /** Per gated band-gap target: a mean at or below this cut is reported as 0, a metal (see the model card's zeroBelow). */
  readonly zeroGates?: Readonly<Record<string, number>>;
  /** A distilled model (members sharing one encoder): the ensemble it was distilled from. */
  readonly distilledFrom?: string;
  /** Datasets whose compositions its training left out (`--exclude-formulas-of`; a pretrained encoder's held-out sets). */
  readonly leftOut?: readonly string[];
}

export interface TrainRequestColumns {
  readonly header: readonly string[];
  readonly preview: readonly (readonly string[])[];
}

export interface TrainSummary {
  readonly jobId: number;
  readonly status: TrainingStatus;
  readonly message: string | null;
  readonly rows: { readonly train: number; readonly val: number; readonly test: number } | null;
  readonly problems: readonly { readonly line: number; readonly column: string | null; readonly reason: string }[];
  readonly modelDir: string | null;
  readonly metrics: Readonly<Record<string, number>> | null;
  /** The first regression target on the test rows (validation rows without a test split), with its unit ('' when unknown). */
  readonly parity: { readonly target: string; readonly unit: string; readonly rows: string; readonly truth: readonly number[]; readonly predicted: readonly number[] } | null;
  /** What the learning curves show (the progress events' valMae, or the training loss without a regression target). */
  readonly curveLabel: string | null;
  /** Per member, the epoch whose weights were kept (early stopping); null until done. */
  readonly bestEpochs: readonly number[] | null;
  readonly confusion: { readonly tn: number; readonly fp: number; readonly fn: number; readonly tp: number } | null;
  /** The new model against the screening model and the mean predictor on the same test rows (band gap, eV). */
  readonly comparison: TrainComparison | null;
  /** What the new model started from: the screening model's name (fine-tuned), or null (from scratch). */
  readonly startedFrom: string | null;
  /** For a model update from imported results: the band-gap error before and after (null for other jobs, and until done). */
  readonly update?: ModelUpdateSummary | null;
}

/** Band-gap MAE (eV) of a model on a set of rows; null when no row has a value. */
export interface GapError {
  readonly rows: number;
  readonly mae: number | null;
}

/** What updating a screen's model with its imported results did (services/model-update.ts). */
export interface ModelUpdateSummary {
  readonly screenId: number;
  readonly baseModel: string;
  readonly gapTarget: string;
  readonly importedRows: number;
  readonly rehearsalRows: number;
  /** How many times each imported row is seen per epoch. */
  readonly repeats: number;
  readonly referenceRows: number;
  /** The reference rows are the base's validation rows (held out of its training); false: a sample of its training rows. */
  readonly referenceHeldOut: boolean;
  readonly before: { readonly imported: GapError; readonly reference: GapError };
  readonly after: { readonly imported: GapError; readonly reference: GapError };
  /** The updated model's applicability-domain threshold (latent distance), calibrated again where the base had a domain; null: none. */
  readonly domainThreshold: number | null;
  /** The targets its neighbour correction moves, chosen on the reference rows (none where it did not help). */
  readonly neighbourCorrected: readonly string[];
}

export interface TrainComparison {
  readonly rows: number;
  readonly target: string;
  readonly newMae: number;
  /** The screening model's MAE on the same rows (its band-gap prediction against this target), or null without one. */
  readonly currentMae: number | null;
  readonly currentModel: string | null;
  /** Predicting the training mean for every row. */
  readonly baselineMae: number;
}

export type WorkbenchEvent =
  | { readonly type: 'screen-progress'; readonly screenId: number; readonly done: number; readonly total: number; readonly perSecond: number; readonly etaSeconds: number }
  | { readonly type: 'screen-finished'; readonly screenId: number; readonly status: ScreenStatus; readonly error: string | null }
  | { readonly type: 'train-progress'; readonly jobId: number; readonly member: number; readonly epoch: number; readonly epochs: number; readonly valMae: number | null; readonly valAuc: number | null; readonly trainLoss: number; readonly samplesPerSecond: number; readonly etaSeconds: number }
  /** A step of a job after its training, with no epochs to count (an update's domain calibration). */
  | { readonly type: 'train-phase'; readonly jobId: number; readonly phase: string }
  | { readonly type: 'train-finished'; readonly jobId: number; readonly status: TrainingStatus };

/** DFT starting structures for candidates: a zip (POSCAR + CIF each, README) and what was left out. */
export interface StructureExportResult {
  readonly zipBase64: string;
  readonly written: readonly string[];
  readonly skipped: readonly { readonly formula: string; readonly reason: string }[];
}
