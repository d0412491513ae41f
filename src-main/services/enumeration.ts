/** Enumerating a space for people: the first candidates in order, and exact counts with rejections. */
import type { Space } from '../../shared/api/contract.js';
import type { SpaceCounts } from '../../shared/api/types.js';
import type { ElementTable } from '../data/elements/load.js';
import { enumerateCandidates, validateOptions } from '../enumerate/enumerate.js';
import type { Candidate } from '../enumerate/types.js';
import { countSpace } from '../screen/enumeration.js';

export { EnumerationError } from '../enumerate/enumerate.js';
export { BARTEL_TAU_THRESHOLD } from '../enumerate/geometry.js';
export type { Candidate } from '../enumerate/types.js';
export { parseShard, ScreenError } from '../screen/screen.js';

/** Checks a space against the element table (states for each site); EnumerationError says what is wrong. */
export function validateSpace(table: ElementTable, space: Space): void {
  validateOptions(table, space);
}

/** The first `limit` candidates of a space in enumeration order. */
export function firstCandidates(table: ElementTable, space: Space, limit: number): Candidate[] {
  validateOptions(table, space);
  const out: Candidate[] = [];
  if (limit <= 0) return out;
  for (const { composition: _c, ...candidate } of enumerateCandidates(table, space)) {
    out.push(candidate);
    if (out.length >= limit) break;
  }
  return out;
}

/** Exact counts of a space, off the main thread, within `budgetMs` (lower bounds past it). */
export function countSpaceExactly(table: ElementTable, space: Space, budgetMs = 600_000, signal?: AbortSignal): Promise<SpaceCounts> {
  validateOptions(table, space);
  return countSpace(table, space, { budgetMs, ...(signal ? { signal } : {}) });
}
