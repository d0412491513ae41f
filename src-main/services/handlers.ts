/** The channel handler table: each channel of the typed contract answered by one service call. */
import type { WorkbenchApi } from '../../shared/api/contract.js';
import type { ElementTable } from '../data/elements/load.js';
import type { CandidateService } from './candidates.js';
import { previewCsv } from './datasets.js';
import { elementInfo, molecularIonInfo } from './display.js';
import type { ModelStore } from './models.js';
import type { ScreeningService } from './screening.js';
import type { TrainingJobs } from './training-jobs.js';
import type { WorkspaceService } from './workspace.js';
import type { ImportRequest } from './results-import.js';
import type { ImportSummary } from '../../shared/api/types.js';

export interface HandlerServices {
  readonly table: ElementTable;
  readonly models: ModelStore;
  readonly screening: ScreeningService;
  readonly candidates: CandidateService;
  readonly trainingJobs: TrainingJobs;
  readonly workspace: WorkspaceService;
  /** Imports computed or measured values into the library (results-import.ts). */
  readonly importResults: (req: ImportRequest) => ImportSummary;
  /** Starts updating a screen's model with its imported results (a training job). */
  readonly updateModel: (screenId: number, activate: boolean) => { jobId: number };
}

export function channelHandlers(s: HandlerServices): WorkbenchApi {
  return {
    elements: async () => elementInfo(s.table),
    molecularIons: async () => molecularIonInfo(s.table),
    model: async () => s.models.activeSummary(),
    models: async () => s.models.list(),
    activateModel: async ({ dir }) => s.models.activate(dir),
    count: async (space) => s.screening.count(space),
    startScreen: async ({ space }) => s.screening.start(space),
    screenAgain: async ({ screenId }) => s.screening.again(screenId),
    cancelScreen: async ({ screenId }) => ({ ok: s.screening.cancel(screenId) }),
    resumeScreen: async ({ screenId }) => {
      await s.screening.resume(screenId);
      return { ok: true };
    },
    screens: async () => s.screening.list(),
    describeScreen: async ({ screenId, ...text }) => s.screening.describe(screenId, text),
    workspace: async () => s.workspace.state(),
    saveDesign: async (design) => {
      s.workspace.saveDesign(design);
      return { ok: true };
    },
    saveShortlist: async ({ entries }) => {
      s.workspace.saveShortlist(entries);
      return { ok: true };
    },
    query: async (q) => s.candidates.query(q),
    nextBatch: async (req) => s.candidates.nextBatch(req),
    histogram: async ({ bins, ...filters }) => s.candidates.histogram(filters, bins),
    scatter: async ({ maxPoints, window, ...filters }) => s.candidates.scatter(filters, maxPoints, window),
    detail: async ({ candidateId }) => s.candidates.detail(candidateId),
    importResults: async (req) => s.importResults(req),
    exportCsv: async ({ notes, ...filters }) => s.candidates.exportCsvText(filters, notes ?? {}),
    exportStructures: async ({ candidateIds }) => {
      const r = s.candidates.structures(candidateIds);
      return { zipBase64: Buffer.from(r.zip).toString('base64'), written: r.written, skipped: r.skipped };
    },
    previewCsv: async ({ csv }) => previewCsv(csv),
    startTraining: async (req) => s.trainingJobs.start(req),
    updateModel: async ({ screenId, activate }) => s.updateModel(screenId, activate),
    cancelTraining: async ({ jobId }) => ({ ok: s.trainingJobs.cancel(jobId) }),
    training: async ({ jobId }) => s.trainingJobs.summary(jobId),
  };
}
