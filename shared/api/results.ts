/**
 * Schemas of every channel's result. Each is checked against its TypeScript type at compile time
 * (`z.ZodType<T>`), and the workbench validates what its handlers return against them in development
 * and tests (see `checkResult`), so a handler cannot drift from the contract unnoticed.
 */
import { z } from 'zod';
import { isElementSymbol, type ElementSymbol } from '../elements/symbols.js';
import type { ClassificationMetrics, ModelMetrics, RegressionMetrics } from './metrics.js';
import { designSchema } from './workspace.js';
import { SCREEN_STATUSES } from './runtime.js';
import type * as T from './types.js';
import { KNOWN_SOURCES } from './types.js';

const symbol = z.custom<ElementSymbol>((v) => typeof v === 'string' && isElementSymbol(v), 'not an element symbol');
const finite = z.number().refine(Number.isFinite, 'not a finite number');
const count = z.number().int().min(0);
const ok = z.object({ ok: z.boolean() });

const regressionMetrics: z.ZodType<RegressionMetrics> = z.object({ n: count, mae: z.number(), mse: z.number(), rmse: z.number(), r2: z.number() });
const classMetrics = z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: count });
const classificationMetrics: z.ZodType<ClassificationMetrics> = z.object({
  n: count, threshold: z.number(), accuracy: z.number(), tn: count, fp: count, fn: count, tp: count,
  positive: classMetrics, negative: classMetrics, weightedF1: z.number(), mcc: z.number(), rocAuc: z.number(),
});
const reportSummary = z.object({
  rows: count,
  regression: z.record(z.string(), z.object({ n: count, mae: z.number(), mse: z.number(), rmse: z.number(), r2: z.number(), meanBaseline: regressionMetrics, calibration: z.object({ within1: z.number(), within2: z.number() }), gappedCalibration: z.object({ within1: z.number(), within2: z.number(), rows: count }).optional() })),
  classification: z.object({ target: z.string(), atChosenThreshold: classificationMetrics, atHalf: classificationMetrics, majorityBaseline: classificationMetrics }).nullable(),
});
const modelMetrics: z.ZodType<ModelMetrics> = z.object({ validation: reportSummary, test: reportSummary.optional() });
const targetRole = z.object({ target: z.string(), unit: z.string(), meaning: z.string() });

const elementInfo: z.ZodType<T.ElementInfo> = z.object({
  symbol, z: z.number().int().min(1).max(118), name: z.string(),
  layout: z.object({ row: z.number().int(), column: z.number().int() }).nullable(),
  commonOxidationStates: z.array(z.number().int()), icsdOxidationStates: z.array(z.number().int()), allOxidationStates: z.array(z.number().int()),
  radii: z.array(z.string()), usable: z.boolean(),
});
const modelRoles = z.object({ bandGap: targetRole.nullable(), stability: targetRole.nullable(), experimentalGap: targetRole.nullable().optional(), energyAboveHull: targetRole.nullable().optional() });
const modelSummary: z.ZodType<T.ModelSummary> = z.object({
  id: z.string(), name: z.string(), dir: z.string(), members: z.number().int().min(1),
  targets: z.record(z.string(), z.string()),
  roles: modelRoles,
  metrics: modelMetrics.nullable(), threshold: z.number().nullable(), zeroGates: z.record(z.string(), z.number().min(0)).optional(),
  distilledFrom: z.string().optional(), leftOut: z.array(z.string()).optional(),
});
const spaceCounts: z.ZodType<T.SpaceCounts> = z.object({ combinations: count, chargeNeutral: count, candidates: count, rejected: z.record(z.string(), count), missingRadii: z.record(z.string(), count), notes: z.array(z.string()), exact: z.boolean() });
const screenSummary: z.ZodType<T.ScreenSummary> = z.object({
  id: z.number().int().positive(), status: z.enum(SCREEN_STATUSES), done: count, total: count.nullable(), modelId: z.string(),
  createdAt: z.string(), updatedAt: z.string(), error: z.string().nullable(), name: z.string().nullable(), note: z.string().nullable(),
  roles: modelRoles,
});
const sites = z.array(z.object({ site: z.enum(['A', 'B', 'X']), species: z.array(z.object({ element: z.string().min(1).max(8), amount: finite })) }));
const candidateSummary: z.ZodType<T.CandidateSummary> = z.object({
  id: z.number().int().positive(), seq: count, formula: z.string(), sites, oxidationStates: z.record(z.string(), z.number()),
  t: finite, mu: finite, tau: finite.nullable(), bandGap: finite.nullable(), bandGapSigma: finite.nullable(),
  pStable: finite.nullable(), pStableSpread: finite.nullable(), stable: z.boolean().nullable(), score: finite.optional(),
  gapExpt: finite.nullable().optional(), gapExptSigma: finite.nullable().optional(), eHull: finite.nullable().optional(), eHullSigma: finite.nullable().optional(),
  known: z.array(z.enum(KNOWN_SOURCES)).nullable().optional(),
  imported: z.array(z.lazy(() => importedResult)).optional(),
  domain: z.object({ distance: finite, inDomain: z.boolean() }).nullable().optional(),
});
const importedResult: z.ZodType<T.ImportedResult> = z.object({
  target: z.string(), value: finite, source: z.string(), formula: z.string(), file: z.string(), line: z.number().int().positive(), importedAt: z.string(),
});
const problem = z.object({ line: z.number().int(), column: z.string().nullable(), reason: z.string() });
const importSummary: z.ZodType<T.ImportSummary> = z.object({
  screenId: z.number().int().positive(), targets: z.array(z.string()), ignoredColumns: z.array(z.string()),
  added: count, duplicates: count, candidates: count, problems: z.array(problem),
});
const knownRecord: z.ZodType<T.KnownRecord> = z.object({
  source: z.enum(KNOWN_SOURCES), formula: z.string(), id: z.string().nullable(), structure: z.string().nullable(),
  bandGap: finite.nullable(), energyAboveHull: finite.nullable(), stable: z.boolean().nullable(),
});
const nextBatch: z.ZodType<T.NextBatch> = z.object({
  rows: z.array(z.intersection(candidateSummary, z.object({ acquisition: finite, penalized: finite, nearestPick: finite.nullable(), poolRank: z.number().int().positive() }))),
  pool: count,
  method: z.string(),
});
const candidatePage: z.ZodType<T.CandidatePage> = z.object({ total: count, exact: z.boolean(), rows: z.array(candidateSummary) });
const histogram: z.ZodType<T.Histogram> = z.object({ edges: z.array(finite), counts: z.array(count) }).refine((h) => h.edges.length === h.counts.length + 1, 'edges must be one longer than counts');
const scatter: z.ZodType<T.ScatterData> = z
  .object({ ids: z.array(z.number().int()), gap: z.array(finite), pStable: z.array(finite), tau: z.array(finite.nullable()), formulas: z.array(z.string()), inDomain: z.array(z.boolean().nullable()), pareto: z.array(z.number().int()), total: count,
    imported: z.object({ ids: z.array(z.number().int()), gap: z.array(finite), pStable: z.array(finite), formulas: z.array(z.string()), sources: z.array(z.string()) }) })
  .refine((s) => [s.gap, s.pStable, s.tau, s.formulas, s.inDomain].every((a) => a.length === s.ids.length), 'scatter columns must have one entry per point');
const matrix = z.array(z.array(finite));
const detail: z.ZodType<T.CandidateDetail> = z.object({
  candidate: candidateSummary,
  radii: z.array(z.string()),
  attention: z.object({ tokens: z.array(z.string()), elements: z.array(z.string()), layers: z.array(z.array(matrix)), layerAverage: z.array(matrix), pooling: matrix }),
  edm: z.object({ rows: z.array(z.string()), values: matrix, columns: z.array(z.string()) }),
  neighbours: z.array(z.object({ formula: z.string(), distance: finite, bandGap: finite.nullable(), predictedGap: finite.nullable(), stable: z.boolean().nullable() })),
  known: z.array(knownRecord).nullable(),
  imported: z.array(importedResult),
  model: modelSummary,
});
const trainSummary: z.ZodType<T.TrainSummary> = z.object({
  jobId: z.number().int().positive(), status: z.enum(['running', 'done', 'cancelled', 'failed']), message: z.string().nullable(),
  rows: z.object({ train: count, val: count, test: count }).nullable(),
  problems: z.array(z.object({ line: z.number().int(), column: z.string().nullable(), reason: z.string() })),
  modelDir: z.string().nullable(), metrics: z.record(z.string(), z.number()).nullable(),
  parity: z.object({ target: z.string(), unit: z.string(), rows: z.string(), truth: z.array(finite), predicted: z.array(finite) }).nullable(),
  curveLabel: z.string().nullable(),
  bestEpochs: z.array(z.number().int().nonnegative()).nullable(),
  confusion: z.object({ tn: count, fp: count, fn: count, tp: count }).nullable(),
  comparison: z.object({ rows: count, target: z.string(), newMae: finite, currentMae: finite.nullable(), currentModel: z.string().nullable(), baselineMae: finite }).nullable(),
  startedFrom: z.string().nullable(),
  update: z.lazy(() => modelUpdate).nullable().optional(),
});
const gapError = z.object({ rows: count, mae: finite.nullable() });
const modelUpdate: z.ZodType<T.ModelUpdateSummary> = z.object({
  screenId: z.number().int().positive(), baseModel: z.string(), gapTarget: z.string(), importedRows: count, rehearsalRows: count, repeats: count, referenceRows: count, referenceHeldOut: z.boolean(),
  before: z.object({ imported: gapError, reference: gapError }), after: z.object({ imported: gapError, reference: gapError }),
  domainThreshold: finite.nonnegative().nullable(), neighbourCorrected: z.array(z.string()),
});

const molecularIon: z.ZodType<T.MolecularIonInfo> = z.object({
  abbreviation: z.string().regex(/^[A-Z][A-Z0-9]+$/), name: z.string(), formula: z.string(), atoms: z.string(),
  charge: z.number().int(), site: z.enum(['A', 'X']), radius: finite, radiusSource: z.string(),
});

const workspace: z.ZodType<T.WorkspaceState> = z.object({
  design: designSchema.nullable(),
  shortlist: z.array(z.intersection(candidateSummary, z.object({ note: z.string(), screenId: z.number().int().positive() }))),
});

const structureExport: z.ZodType<T.StructureExportResult> = z.object({
  zipBase64: z.string(), written: z.array(z.string()), skipped: z.array(z.object({ formula: z.string(), reason: z.string() })),
});

export const resultSchemas = {
  exportStructures: structureExport,
  describeScreen: screenSummary,
  workspace,
  saveDesign: ok,
  saveShortlist: ok,
  elements: z.array(elementInfo),
  molecularIons: z.array(molecularIon),
  model: modelSummary.nullable(),
  models: z.array(modelSummary),
  activateModel: modelSummary,
  count: spaceCounts,
  startScreen: z.object({ screenId: z.number().int().positive() }),
  screenAgain: z.object({ screenId: z.number().int().positive() }),
  cancelScreen: ok,
  resumeScreen: ok,
  screens: z.array(screenSummary),
  query: candidatePage,
  nextBatch,
  histogram,
  scatter,
  detail,
  exportCsv: z.object({ csv: z.string(), rows: count }),
  importResults: importSummary,
  previewCsv: z.object({ header: z.array(z.string()), preview: z.array(z.array(z.string())) }),
  startTraining: z.object({ jobId: z.number().int().positive() }),
  cancelTraining: ok,
  updateModel: z.object({ jobId: z.number().int().positive() }),
  training: trainSummary,
} as const;
