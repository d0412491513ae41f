/**
 * Which errors are the caller's mistake and which are ours: adapters answer the first kind with a
 * 4xx and the message (a sentence for people), the second with a 500 and no internals.
 */

/** Something asked for does not exist (a screen, a candidate, a job, a model folder). */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** The request conflicts with work in progress (a screen that is already running). */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** Errors whose message explains a bad request: shown as is, with status 400. */
const CLIENT_ERRORS = new Set(['EnumerationError', 'ModelRoleError', 'TrainingError', 'DatasetError', 'ScreenError', 'FeaturizeError', 'FormulaParseError', 'ZodError']);

export type ErrorStatus = 400 | 404 | 409 | 500;

export function errorStatus(e: unknown): ErrorStatus {
  const name = e instanceof Error ? e.name : '';
  if (name === 'NotFoundError' || name === 'ModelLoadError' || (name === 'LibraryError' && /^no screen \d+/.test((e as Error).message))) return 404;
  if (name === 'ConflictError' || name === 'ScreenBusyError') return 409;
  return CLIENT_ERRORS.has(name) ? 400 : 500;
}
