/**
 * Update a screen's model with the results imported for it, without forgetting: fine-tune the model's
 * own weights on the imported values mixed with a seeded sample of the data it was trained on
 * (rehearsal), and report the band-gap error before and after on the imported rows and on a fixed
 * reference set, the base's validation rows (what a drop in skill there would show: forgetting). The
 * updated model's split and its neighbour correction's memory are written beside its weights, and the
 * base's applicability domain is calibrated again for it.
 *
 * The imported rows are repeated so that they make up about a fifth of each epoch (at most 50 times
 * each): with a thousand rehearsal rows and three new ones, the new ones would otherwise not move the
 * model. Several values of one target for one candidate (two sources) are averaged.
 */
import type { GapError, ImportedResult, ModelUpdateSummary } from '../../shared/api/types.js';
import { mkdirSync } from 'node:fs';
import type { SiteComposition } from '../../shared/index.js';
import { compositionKey } from '../../shared/composition/key.js';
import type { ElementTable } from '../data/elements/load.js';
import { readModelCard } from '../engine/model/bundle.js';
import { readDomainFile } from '../engine/domain/file.js';
import { bundledTrainingData, type ModelCard } from '../engine/model/card.js';
import { modelRoles } from '../engine/model/roles.js';
import { reportedValue, type EnsemblePredictor } from '../engine/model/predictor.js';
import type { Example } from '../engine/train/data.js';
import { jointSeedOf, modelTrainingExamples, rebuildTrainingSplit } from '../engine/train/bundled.js';
import { writeSplitFile } from '../engine/train/split-file.js';
import { Rng } from '../engine/random.js';
import type { ReadableLibrary } from '../library/index.js';
import { compositionOfSites } from './candidates.js';
import { finishModelOffThread } from './model-finish.js';
import { trainingSettingsFor } from './model-recipe.js';
import type { ModelStore } from './models.js';
import { TrainingError, type TrainingService, type TrainProgress } from './training.js';

export interface ModelUpdateRequest {
  readonly screenId: number;
  /** Where the updated model is written. */
  readonly outDir: string;
  readonly name?: string;
  /** Rows of the model's own training data mixed in (rehearsal). */
  readonly rehearsal?: number;
  readonly epochs?: number;
  /** Ensemble members (default: as many as the model has). */
  readonly members?: number;
  readonly parallel?: number;
  readonly seed?: number;
  readonly onProgress?: (member: number, progress: TrainProgress) => void;
  /** The steps after training, which have no epochs to count. */
  readonly onPhase?: (phase: string) => void;
  readonly signal?: AbortSignal;
}

/** The summary the views show (shared/api/types.ts), with the model written. */
export interface ModelUpdateResult extends ModelUpdateSummary {
  readonly modelDir: string;
  readonly card: ModelCard;
  readonly baseModelDir: string;
}

/** The imported values of a screen as training examples: one per candidate, values of a target averaged over sources. */
export function importedExamples(library: ReadableLibrary, table: ElementTable, screenId: number, targets: readonly string[]): Example[] {
  const out: Example[] = [];
  for (const c of library.candidatesWithImports(screenId)) {
    const values: Record<string, number | null> = Object.fromEntries(targets.map((t) => [t, null]));
    for (const t of targets) {
      const of = c.imported.filter((r: ImportedResult) => r.target === t).map((r) => r.value);
      if (of.length) values[t] = of.reduce((a, b) => a + b, 0) / of.length;
    }
    if (Object.values(values).some((v) => v !== null)) out.push({ formula: c.formula, composition: compositionOfSites(JSON.parse(c.sitesJson) as SiteComposition, table), targets: values });
  }
  return out;
}

/**
 * The band-gap MAE of the network's own predictions: the ensemble mean with the card's zero gate, before
 * any neighbour correction. The base's memory holds the reference rows (they are its training rows) and
 * the update's does not, so corrected numbers would set a lookup against a prediction.
 */
function gapError(predictor: EnsemblePredictor, rows: readonly Example[], target: string): GapError {
  const labelled = rows.filter((r) => r.targets[target] !== null && r.targets[target] !== undefined);
  if (!labelled.length) return { rows: 0, mae: null };
  const names = predictor.card.config.regressionTargets;
  const column = names.indexOf(target);
  const means = predictor.ensembleMeans(labelled.map((r) => r.composition));
  const zeroBelow = predictor.card.ensemble.zeroBelow;
  const mae = labelled.reduce((s, r, i) => s + Math.abs(reportedValue(target, means[i * names.length + column]!, zeroBelow) - r.targets[target]!), 0) / labelled.length;
  return { rows: labelled.length, mae };
}

/** Distinct compositions of `rows` (the first row of each), less those in `drop`, with the targets the model has. */
function distinctRows(rows: readonly Example[], drop: ReadonlySet<string>, targets: readonly string[]): Example[] {
  const seen = new Set(drop);
  const out: Example[] = [];
  for (const e of rows) {
    const key = compositionKey(e.composition);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...e, targets: Object.fromEntries(targets.map((t) => [t, e.targets[t] ?? null])) });
  }
  return out;
}

/**
 * The base's rows, less the imported compositions (their rows give way to the new values): those it
 * learned (the rehearsal's pool and the correction's memory) and the reference rows, its validation
 * rows where its split can be rebuilt: held out of its training, so the update's early stopping, sigma
 * scales and gates are chosen on errors the network did not fit (on its training rows the experimental
 * gap's sigma scale came out a third of its base's). Else (a pretrained encoder, a changed bundle) a seeded 300 of its
 * training rows, which the network has seen (`heldOut` false says so).
 */
function baseRows(base: ModelCard, baseDir: string, imported: readonly Example[], targets: readonly string[], seed: number): { learned: Example[]; reference: Example[]; heldOut: boolean } {
  const importedKeys = new Set(imported.map((e) => compositionKey(e.composition)));
  const rebuilt = rebuildTrainingSplit(base, baseDir);
  if ('split' in rebuilt) {
    const reference = distinctRows(rebuilt.split.val, importedKeys, targets);
    const referenceKeys = new Set([...importedKeys, ...reference.map((e) => compositionKey(e.composition))]);
    return { learned: distinctRows(rebuilt.memoryRows, referenceKeys, targets), reference, heldOut: true };
  }
  const own = distinctRows(modelTrainingExamples(base, baseDir)!, importedKeys, targets);
  const order = new Rng(seed).shuffle(own.map((_, i) => i));
  const referenceRows = Math.min(300, Math.floor(own.length / 4));
  return { learned: order.slice(referenceRows).map((i) => own[i]!), reference: order.slice(0, referenceRows).map((i) => own[i]!), heldOut: false };
}

export async function updateModel(deps: { library: ReadableLibrary; table: ElementTable; models: ModelStore; training: TrainingService }, req: ModelUpdateRequest): Promise<ModelUpdateResult> {
  const { library, table, models, training } = deps;
  const screen = library.screen(req.screenId);
  const baseDir = screen.inputs.modelDir;
  const base = readModelCard(baseDir);
  const gapTarget = modelRoles(base).bandGap?.target;
  if (!gapTarget) throw new TrainingError(`model ${base.name} has no band-gap target to update`);
  const targets = [...base.config.regressionTargets, ...(base.config.classificationTarget ? [base.config.classificationTarget] : [])];
  const imported = importedExamples(library, table, req.screenId, targets);
  if (!imported.length) throw new TrainingError(`screen ${req.screenId} has no imported values of ${targets.join(', ')}; import results first`);

  // rehearsal: the base model's own training data (a bundled dataset named on its card)
  const dataName = bundledTrainingData(base);
  if (!dataName) throw new TrainingError(`model ${base.name} was trained on ${base.data.source}, not a bundled dataset: there is nothing to rehearse, so updating it would forget`);
  const seed = req.seed ?? 1;
  const { learned, reference, heldOut } = baseRows(base, baseDir, imported, targets, seed);
  const rehearsal = new Rng(seed).shuffle(learned.map((_, i) => i)).slice(0, req.rehearsal ?? 1000).map((i) => learned[i]!);
  const repeats = Math.max(1, Math.min(50, Math.ceil((0.25 * rehearsal.length) / imported.length)));
  const train = [...rehearsal, ...Array.from({ length: repeats }, () => imported).flat()];
  const split = { name: `update of ${base.name} with ${imported.length} imported rows + ${rehearsal.length} rehearsal rows`, train, val: reference, test: [] };
  // the neighbour correction's memory: every row the model has learned (its base's, through the base's
  // weights, and the imported ones); the reference rows it is chosen on are not among them
  const memoryRows = [...learned, ...imported];
  // the split beside the weights: the bundle cannot give the imported rows again, and the neighbour
  // correction's memory, recalibration and the domain's references read them from there
  mkdirSync(req.outDir, { recursive: true });
  const ownSplit = writeSplitFile(req.outDir, split, memoryRows);

  const basePredictor = models.predictor(baseDir);
  const before = { imported: gapError(basePredictor, imported, gapTarget), reference: gapError(basePredictor, reference, gapTarget) };
  const initFrom = training.loadPretrained(baseDir, base.config);
  const members = req.members ?? base.ensemble.members;
  const { result, card } = await training.fitAndSave(
    {
      training: {
        split,
        source: `${base.data.source} (rehearsal sample) + results imported for screen ${req.screenId} of ${library.file}`,
        sha256: base.data.sha256,
        dataset: { source: dataName, spec: { formulaColumn: 'formula', targets: [] }, rows: [], problems: [], rowsRead: 0 },
        classificationTarget: base.config.classificationTarget,
        targetsMeaning: Object.fromEntries(targets.map((t) => [t, base.targets[t] ?? t])),
        // the base's joint sample and its seed, so that the updated model's bundled rows are rebuilt as the base's,
        // and its doubles' repeats, so that cross-validating the updated model (pdw evaluate) asks for the base's recipe
        ...(base.data.mpGapCompositions !== undefined ? { mpGapCompositions: base.data.mpGapCompositions } : {}),
        ...(base.data.doublesRepeats !== undefined ? { doublesRepeats: base.data.doublesRepeats } : {}),
        ...(dataName === 'joint' ? { jointSeed: jointSeedOf(base) } : {}),
        ownSplit,
      },
      config: base.config,
      // fine-tuning: a tenth of the default rate, a short warm-up and early stopping on the reference rows
      settings: trainingSettingsFor({ epochs: req.epochs ?? 20, lr: 2e-4, warmup: 1, seed }),
      members,
      parallel: req.parallel ?? 2,
      name: req.name ?? `${base.name}-updated`,
      bandGapTarget: gapTarget,
      initFrom,
      neighbourMemory: true,
      memoryRows,
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    },
    req.outDir,
  );
  result.predictor.dispose();
  // the base's applicability domain, measured again: fine-tuning moves the latent space its threshold was chosen in
  const hasDomain = readDomainFile(baseDir) !== null;
  req.onPhase?.(hasDomain ? 'calibrating its applicability domain again on held-out mp_gap compositions' : 'embedding its training rows');
  const domain = await finishModelOffThread({ modelDir: req.outDir, calibrateDomain: hasDomain, backend: training.backend }, table);
  const updated = models.predictor(req.outDir);
  const after = { imported: gapError(updated, imported, gapTarget), reference: gapError(updated, reference, gapTarget) };
  return { screenId: req.screenId, baseModel: base.name, modelDir: req.outDir, card, baseModelDir: baseDir, domainThreshold: domain, neighbourCorrected: Object.keys(card.ensemble.neighbourCorrection ?? {}), importedRows: imported.length, rehearsalRows: rehearsal.length, repeats, gapTarget, before, after, referenceRows: reference.length, referenceHeldOut: heldOut };
}
