/**
 * Services over a library file named by the caller (the CLI's `--library`): read candidates, run
 * screens, merge shards. Each returns a handle whose `close()` closes the file.
 */
import type { BackendName } from '../../shared/api/runtime.js';
import type { ImportSummary, ScreenSummary } from '../../shared/api/types.js';
import type { ElementTable } from '../data/elements/load.js';
import { Library, type MergeResult } from '../library/index.js';
import { CandidateService, markKnownCandidates } from './candidates.js';
import { importResults, type ImportRequest } from './results-import.js';
import { updateModel, type ModelUpdateRequest, type ModelUpdateResult } from './model-update.js';
import type { TrainingService } from './training.js';
import type { ModelStore } from './models.js';
import { ScreeningService, screenList } from './screening.js';

export type { CandidateQuery } from '../library/index.js';

export interface CandidateReader {
  readonly file: string;
  readonly candidates: CandidateService;
  screens(): ScreenSummary[];
  close(): void;
}

/** Opens an existing library read-only for queries, exports and listings. */
export function openCandidateReader(file: string, table: ElementTable, models: ModelStore): CandidateReader {
  const library = Library.openReadonly(file);
  return { file, candidates: new CandidateService(library, models, table), screens: () => screenList(library), close: () => library.close() };
}

export interface ScreeningSession {
  readonly file: string;
  readonly screening: ScreeningService;
  close(): Promise<void>;
}

/** Opens (or creates) a library for screening. */
export function openScreening(file: string, deps: { table: ElementTable; models: ModelStore; backend: BackendName; workers: number }): ScreeningSession {
  const library = Library.open(file);
  markKnownCandidates(library, deps.table);
  const screening = new ScreeningService({ ...deps, library });
  return {
    file,
    screening,
    close: async () => {
      await screening.close();
      library.close();
    },
  };
}

/** Imports computed or measured values (a CSV) for the candidates of a screen in a library file. */
export function importResultsFile(file: string, table: ElementTable, req: ImportRequest): ImportSummary {
  const library = Library.open(file);
  try {
    return importResults(library, table, req);
  } finally {
    library.close();
  }
}

/** The model folder a screen in a library file was screened with. */
export function screenModelDir(file: string, screenId: number): string {
  const library = Library.openReadonly(file);
  try {
    return library.screen(screenId).inputs.modelDir;
  } finally {
    library.close();
  }
}

/** Updates a screen's model with the results imported for it, reading the library file (model-update.ts). */
export async function updateModelFromFile(file: string, deps: { table: ElementTable; models: ModelStore; training: TrainingService }, req: ModelUpdateRequest): Promise<ModelUpdateResult> {
  const library = Library.openReadonly(file);
  try {
    return await updateModel({ ...deps, library }, req);
  } finally {
    library.close();
  }
}

/** Merges library files into `into` (created if missing); returns what was added and the screens now there. */
export function mergeLibraryFiles(into: string, sources: readonly string[], table: ElementTable): MergeResult & { readonly screenList: ScreenSummary[] } {
  const library = Library.open(into);
  try {
    const result = library.merge(sources);
    markKnownCandidates(library, table);
    return { ...result, screenList: screenList(library) };
  } finally {
    library.close();
  }
}
