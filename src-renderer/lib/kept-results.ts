/**
 * What a reload keeps of the Results view: the screen shown and the filters, ranking and sort as the
 * user set them. Kept per browser tab (sessionStorage), so a reload finds them and a second tab starts
 * from its own; read back field by field, so a field that is missing, of another type or out of range
 * (an older build's, or edited by hand) falls back to its default and the others still apply.
 */
import { z } from 'zod';
import { SORT_COLUMNS } from '../../shared/api/contract.js';

export const KEPT_RESULTS_KEY = 'pdw-results';

const text = z.string().max(200);
const fields = {
  screenId: z.number().int().positive().nullable(),
  gapText: text,
  stableMin: z.number().min(0).max(1),
  tText: text,
  tauMax: text,
  sigmaMax: text,
  includeText: text,
  excludeText: text,
  novelOnly: z.boolean(),
  inDomainOnly: z.boolean(),
  gapKind: z.enum(['pbe', 'expt']),
  eHullMax: text,
  targetText: text,
  rank: z.enum(['none', 'window', 'ucb', 'pareto']),
  sort: z.object({ column: z.enum(SORT_COLUMNS), descending: z.boolean() }).nullable(),
  batchSize: z.number().int().min(1).max(200),
};

export type KeptResults = { -readonly [K in keyof typeof fields]: z.infer<(typeof fields)[K]> };

/** The fields of `stored` (a JSON string, or null when nothing was kept) that are valid; the rest left out. */
export function readKeptResults(stored: string | null): Partial<KeptResults> {
  if (stored === null) return {};
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const record = value as Record<string, unknown>;
  const out: Partial<Record<keyof KeptResults, unknown>> = {};
  for (const key of Object.keys(fields) as (keyof KeptResults)[]) {
    const parsed = fields[key].safeParse(record[key]);
    if (parsed.success) out[key] = parsed.data;
  }
  return out as Partial<KeptResults>;
}
