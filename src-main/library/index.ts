/** The library's door: everything outside src-main/library imports from here, never the helpers behind it. */
export { Library, LibraryError, ScreenBusyError, type ReadableLibrary, type ScreenRow } from './library.js';
export { COUNT_CAP, type CandidateQuery, type QueryResult } from './query.js';
export { EXPORT_COLUMNS, neutralizeCell, restoreCell } from './export.js';
export { candidateRecord, type CandidateRecord, type CandidateRow, type StoredCandidate, type StoredPrediction } from './records.js';
export type { MergeResult } from './merge.js';
export type { ResultRecord } from './results.js';
export { MIGRATIONS, elementMask } from './migrations.js';
export { paretoFronts, ucbScore, windowProbability } from './ranking.js';
