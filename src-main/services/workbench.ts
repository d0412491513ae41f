/**
 * The workbench: every service wired once, for the adapters that serve the renderer (`pdw serve` and
 * Electron's engine process). Both boot it with `bootWorkbench`; they only route requests to
 * `handle` and events from `events`.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { checkResult, type Channel, type RequestOf, type ResultOf, type WorkbenchApi } from '../../shared/api/contract.js';
import type { BackendName } from '../../shared/api/runtime.js';
import type { WorkbenchEvent } from '../../shared/api/types.js';
import { loadElementTable, type ElementTable } from '../data/elements/load.js';
import { describeBackend, initBackend } from '../engine/backend.js';
import { Library } from '../library/index.js';
import { CandidateService, markKnownCandidates } from './candidates.js';
import { importResults } from './results-import.js';
import { updateModel } from './model-update.js';
import { channelHandlers } from './handlers.js';
import { defaultModelDir, ModelStore } from './models.js';
import { ScreeningService } from './screening.js';
import { TrainingJobs } from './training-jobs.js';
import { TrainingService } from './training.js';
import { WorkspaceService } from './workspace.js';

export interface WorkbenchOptions {
  readonly table: ElementTable;
  readonly libraryFile: string;
  readonly modelDir: string;
  readonly workspaceDir: string;
  readonly backend: BackendName;
  readonly workers?: number;
  /** Validate every handler result against the contract (default: in tests, or with PDW_CHECK_RESULTS=1). */
  readonly checkResults?: boolean;
}

/** Results are checked against the contract's schemas in tests and development runs, not in production. */
export function resultChecksWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['PDW_CHECK_RESULTS'] === '1' || (env['VITEST'] !== undefined && env['PDW_CHECK_RESULTS'] !== '0');
}

export class Workbench {
  readonly events = new EventEmitter();
  readonly api: WorkbenchApi;
  readonly models: ModelStore;
  readonly screening: ScreeningService;
  readonly candidates: CandidateService;
  private readonly library: Library;
  private readonly trainingJobs: TrainingJobs;
  private readonly checkResults: boolean;

  constructor(options: WorkbenchOptions) {
    this.checkResults = options.checkResults ?? resultChecksWanted();
    const emit = (event: WorkbenchEvent): void => void this.events.emit('event', event);
    const workspaceModels = join(options.workspaceDir, 'models');
    this.library = Library.open(options.libraryFile);
    markKnownCandidates(this.library, options.table);
    this.models = new ModelStore(options.table, options.modelDir, workspaceModels);
    this.screening = new ScreeningService({ table: options.table, library: this.library, models: this.models, backend: options.backend, workers: options.workers ?? Math.max(1, availableParallelism()), emit });
    this.candidates = new CandidateService(this.library, this.models, options.table);
    const training = new TrainingService(options.table, options.backend);
    this.trainingJobs = new TrainingJobs(training, this.models, workspaceModels, emit);
    this.api = channelHandlers({ table: options.table, models: this.models, screening: this.screening, candidates: this.candidates, trainingJobs: this.trainingJobs, workspace: new WorkspaceService(this.library), importResults: (req) => importResults(this.library, options.table, req),
      updateModel: (screenId, activate) => {
        this.library.screen(screenId); // an unknown screen is refused (404) before a job starts
        return this.trainingJobs.startUpdate(screenId, activate, (outDir, onProgress, signal, onPhase) =>
          updateModel({ library: this.library, table: options.table, models: this.models, training }, { screenId, outDir, parallel: Math.max(1, availableParallelism()), onProgress, onPhase, signal }));
      },
    });
  }

  /** Runs one channel's handler (the adapters call this after validating the request). */
  async handle<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResultOf<C>> {
    const result = await (this.api[channel] as (r: RequestOf<C>) => Promise<ResultOf<C>>)(request);
    return this.checkResults ? checkResult(channel, result) : result;
  }

  async close(): Promise<void> {
    this.trainingJobs.close();
    await this.screening.close();
    this.models.close();
    this.library.close();
  }
}

export interface BootOptions {
  readonly workspace: string;
  readonly model?: string;
  readonly backend?: string;
  readonly workers?: number;
}

/** Starts the runtime and opens the workbench on a workspace folder (library and trained models inside). */
export async function bootWorkbench(opts: BootOptions): Promise<{ workbench: Workbench; backend: string }> {
  const backend = await initBackend(opts.backend);
  mkdirSync(opts.workspace, { recursive: true });
  const workbench = new Workbench({
    table: loadElementTable(),
    libraryFile: join(opts.workspace, 'library.sqlite'),
    modelDir: opts.model ?? defaultModelDir(),
    workspaceDir: opts.workspace,
    backend: backend.name,
    ...(opts.workers ? { workers: opts.workers } : {}),
  });
  return { workbench, backend: describeBackend(backend) };
}
