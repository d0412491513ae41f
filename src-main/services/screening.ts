/**
 * Screens as jobs: count a space (off the main thread, within a budget), start, cancel and resume
 * screens in the background with progress events, or run one in the foreground (the CLI). One screen
 * has at most one runner in this process.
 */
import type { ScreenInputs, Space } from '../../shared/api/contract.js';
import type { BackendName } from '../../shared/api/runtime.js';
import type { ModelRoles, ScreenSummary, SpaceCounts, WorkbenchEvent } from '../../shared/api/types.js';
import type { ElementTable } from '../data/elements/load.js';
import type { Library, ScreenRow } from '../library/index.js';
import { countSpace } from '../screen/enumeration.js';
import { runScreen, type ScreenProgress, type ScreenResult } from '../screen/screen.js';
import { ConflictError } from './errors.js';
import { validateSpace } from './enumeration.js';
import type { ModelStore } from './models.js';

/** How long a live count (the design view's) may take before it reports lower bounds. */
export const LIVE_COUNT_BUDGET_MS = 1500;

export { WRITE_ROWS } from '../screen/screen.js';

export interface ScreeningDeps {
  readonly table: ElementTable;
  readonly library: Library;
  readonly models: ModelStore;
  readonly backend: BackendName;
  readonly workers: number;
  readonly emit?: (event: WorkbenchEvent) => void;
}

export interface ForegroundScreen {
  readonly inputs?: ScreenInputs;
  readonly resumeId?: number;
  readonly batchSize?: number;
  /** Candidates per transaction (runScreen's WRITE_ROWS by default). */
  readonly writeRows?: number;
  readonly workers?: number;
  readonly onStart?: (screenId: number) => void;
  readonly onProgress?: (p: ScreenProgress) => void;
  readonly signal?: AbortSignal;
}

/** A screen as the API gives it, with what the model that screened it predicts (`roles`, for labels). */
export function screenSummary(s: ScreenRow, roles: ModelRoles): ScreenSummary {
  return { id: s.id, status: s.status, done: s.done, total: s.total, modelId: s.modelId, createdAt: s.createdAt, updatedAt: s.updatedAt, error: s.error, name: s.name, note: s.note, roles };
}

/** Every screen of a library, oldest first, each with its model's roles (each model's card read once). */
export function screenList(library: Pick<Library, 'screens' | 'screenModelRoles'>): ScreenSummary[] {
  const roles = new Map<string, ModelRoles>();
  return library.screens().map((s) => {
    const known = roles.get(s.modelId) ?? library.screenModelRoles(s.id);
    roles.set(s.modelId, known);
    return screenSummary(s, known);
  });
}

export class ScreeningService {
  private readonly running = new Map<number, { controller: AbortController; finished: Promise<unknown> }>();

  constructor(private readonly deps: ScreeningDeps) {}

  /** Checks a space before any work (element sets, states): throws EnumerationError with the reason. */
  validate(space: Space): void {
    validateSpace(this.deps.table, space);
  }

  count(space: Space, budgetMs = LIVE_COUNT_BUDGET_MS, signal?: AbortSignal): Promise<SpaceCounts> {
    this.validate(space);
    return countSpace(this.deps.table, space, { budgetMs, ...(signal ? { signal } : {}) });
  }

  /** Names or annotates a screen (an empty name clears it). */
  describe(screenId: number, text: { readonly name?: string | null | undefined; readonly note?: string | null | undefined }): ScreenSummary {
    return screenSummary(
      this.deps.library.describeScreen(screenId, {
        ...(text.name !== undefined ? { name: text.name || null } : {}),
        ...(text.note !== undefined ? { note: text.note || null } : {}),
      }),
      this.deps.library.screenModelRoles(screenId),
    );
  }

  list(): ScreenSummary[] {
    return screenList(this.deps.library);
  }

  /** Runs a screen to its end in the caller's time (the CLI); progress through `onProgress`. */
  run(req: ForegroundScreen): Promise<ScreenResult> {
    if (req.inputs) this.validate(req.inputs.options);
    return runScreen({
      table: this.deps.table,
      library: this.deps.library,
      workers: req.workers ?? this.deps.workers,
      backend: this.deps.backend,
      ...(req.batchSize ? { batchSize: req.batchSize } : {}),
      ...(req.writeRows ? { writeRows: req.writeRows } : {}),
      ...(req.inputs ? { inputs: req.inputs } : {}),
      ...(req.resumeId !== undefined ? { resumeId: req.resumeId } : {}),
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
      ...(req.onStart ? { onStart: req.onStart } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    });
  }

  /** Screens a screen's space again with the screening model (after an update), named after the first. */
  async again(screenId: number): Promise<{ screenId: number }> {
    const first = this.deps.library.screen(screenId);
    const started = await this.start(first.inputs.options);
    this.describe(started.screenId, { name: `${first.name ?? `screen ${screenId}`} with ${this.deps.models.card().name}` });
    return started;
  }

  /** Starts a screen of `space` with the active model in the background; resolves once it has an id. */
  start(space: Space): Promise<{ screenId: number }> {
    this.validate(space);
    this.deps.models.card(); // a clear error now if the active folder holds no model
    return this.background({ inputs: { options: space, modelDir: this.deps.models.activeDir, shard: null } });
  }

  resume(screenId: number): Promise<{ screenId: number }> {
    this.deps.library.screen(screenId); // "no screen N" before anything starts
    return this.background({ resumeId: screenId });
  }

  cancel(screenId: number): boolean {
    const job = this.running.get(screenId);
    job?.controller.abort();
    return job !== undefined;
  }

  private background(args: { inputs?: ScreenInputs; resumeId?: number }): Promise<{ screenId: number }> {
    if (args.resumeId !== undefined && this.running.has(args.resumeId)) {
      return Promise.reject(new ConflictError(`screen ${args.resumeId} is already running`));
    }
    const controller = new AbortController();
    const emit = this.deps.emit ?? (() => undefined);
    return new Promise((resolve, reject) => {
      let screenId: number | null = null;
      let release: () => void = () => undefined;
      const finished = new Promise<void>((r) => (release = r));
      this.run({
        ...args,
        signal: controller.signal,
        onStart: (id) => {
          screenId = id;
          this.running.set(id, { controller, finished });
          resolve({ screenId: id });
        },
        onProgress: (p) => emit({ type: 'screen-progress', ...p }),
      })
        .then(
          (r) => emit({ type: 'screen-finished', screenId: r.screenId, status: r.status, error: null }),
          (e: Error) => {
            if (screenId === null) reject(e); // failed before the screen existed: the caller hears why
            else emit({ type: 'screen-finished', screenId, status: 'failed', error: e.message });
          },
        )
        .finally(() => {
          if (screenId !== null) this.running.delete(screenId);
          release();
        });
    });
  }

  /** Aborts every running screen and waits for them to stop. */
  async close(): Promise<void> {
    const jobs = [...this.running.values()];
    for (const j of jobs) j.controller.abort();
    await Promise.allSettled(jobs.map((j) => j.finished));
  }
}
