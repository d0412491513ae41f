/**
 * The one API between the renderer and the workbench's services. Each channel names its request
 * schema (zod: validated by the server and the Electron IPC gateway before any handler runs) and its
 * result type. The preload API, the HTTP routes and the renderer client are all derived from this map,
 * so a channel cannot be misspelt on one side.
 */
import { z } from 'zod';
import { isElementSymbol, isSpeciesSymbol, type ElementSymbol } from '../elements/symbols.js';
import { resultSchemas } from './results.js';
import { designSchema, shortlistSchema } from './workspace.js';
import type * as T from './types.js';

const symbol = z.custom<ElementSymbol>((v) => typeof v === 'string' && isElementSymbol(v), 'not an element symbol');
/** On a site: an element symbol, or a molecular ion's abbreviation (capitals; checked against the known ions when enumerating). */
const species = z.string().refine(isSpeciesSymbol, 'not an element symbol or a molecular-ion abbreviation');
const site = z.enum(['A', 'B', 'X']);
const range = z.tuple([z.number(), z.number()]).refine((r) => r[0] <= r[1], 'range must be [low, high]');

export const spaceSchema = z.object({
  sites: z.object({ A: z.array(species).max(60), B: z.array(symbol).max(60), X: z.array(species).max(20) }),
  mixing: z.partialRecord(site, z.number().positive().max(0.5)),
  double: z.boolean(),
  /** Vacancy-ordered A2BX6 and layered A3B2X9 (absent: neither). */
  layouts: z.object({ vacancyOrdered: z.boolean().optional(), layered: z.boolean().optional() }).optional(),
  /** Distinct elements per candidate (a molecular ion counts its atoms); above 6, beyond the bundled models' training. */
  maxElements: z.number().int().min(3).max(8),
  oxidationStates: z.enum(['common', 'icsd', 'all']),
  /** Per-element oxidation states replacing the set's, e.g. { Sn: [2] }. */
  stateOverrides: z.partialRecord(symbol, z.array(z.number().int().min(-4).max(8).refine((n) => n !== 0, 'an oxidation state is not 0')).min(1).max(8)).optional(),
  filters: z.object({ tolerance: range.nullable(), octahedral: range.nullable(), tauMax: z.number().nullable() }),
});

/** What a screen stored in the library was run with (validated when read back). */
export const screenInputsSchema = z.object({
  options: spaceSchema,
  modelDir: z.string().min(1),
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }).nullable(),
  limit: z.number().int().positive().optional(),
});

export const filtersSchema = z.object({
  screenId: z.number().int().positive(),
  gap: range.optional(),
  stableMin: z.number().min(0).max(1).optional(),
  tolerance: range.optional(),
  octahedral: range.optional(),
  tau: range.optional(),
  sigmaMax: z.number().positive().optional(),
  include: z.array(symbol).optional(),
  exclude: z.array(symbol).optional(),
  ids: z.array(z.number().int().positive()).max(100_000).optional(),
  /** Only candidates whose composition no bundled dataset records (mp_abx3, mp_gap, expt_gap). */
  novelOnly: z.boolean().optional(),
  /** Only predictions within the model's calibrated applicability domain (extrapolations hidden). */
  inDomainOnly: z.boolean().optional(),
  /**
   * Which gap the gap window, the rankings, the histogram and the scatter read: the PBE head (default) or
   * the experimental one (a model with that head).
   */
  gapKind: z.enum(['pbe', 'expt']).optional(),
  /** Highest predicted energy above hull (eV/atom), e.g. 0.05 for "metastable within 50 meV/atom". */
  eHullMax: z.number().min(0).max(10).optional(),
});

export { designSchema, shortlistSchema, type Design, type ShortlistEntry } from './workspace.js';

export const SORT_COLUMNS = ['formula', 'band_gap', 'band_gap_sigma', 'p_stable', 'p_stable_spread', 'gap_expt', 'e_hull', 't', 'mu', 'tau', 'seq'] as const;
export const RANK_MODES = ['window', 'ucb', 'pareto'] as const;

/** Filters, then a sort or a ranking against a target gap window, then a page. */
export const queryRequestSchema = filtersSchema.extend({
  sort: z.object({ column: z.enum(SORT_COLUMNS), descending: z.boolean() }).optional(),
  rank: z.object({ mode: z.enum(RANK_MODES), window: range, kappa: z.number().min(0).max(10).optional() }).optional(),
  limit: z.number().int().min(1).max(5000),
  offset: z.number().int().min(0),
  /**
   * Keyset paging for a sort (not a ranking): the rows after this one in the sort order, found by an
   * index seek however deep the page (`offset` counts from there). `value` is the row's sort value
   * (`sortValueOf`), `id` its candidate id.
   */
  after: z.object({ value: z.union([z.number(), z.string().max(10_000)]).nullable(), id: z.number().int().positive() }).optional(),
  /** Count every match (by default counting stops past 10,000 and the total is a lower bound). */
  exactTotal: z.boolean().optional(),
});

/** One filter shape for every adapter and the library: derived from the schema, written once. */
export type CandidateFilters = z.infer<typeof filtersSchema>;
export type QueryRequest = z.infer<typeof queryRequestSchema>;
export type SortColumn = (typeof SORT_COLUMNS)[number];
export type PageCursor = NonNullable<QueryRequest['after']>;

/** A row's value in a sort column: what a keyset cursor (`after`) carries. */
export function sortValueOf(row: T.CandidateSummary, column: SortColumn): number | string | null {
  switch (column) {
    case 'formula': return row.formula;
    case 'band_gap': return row.bandGap;
    case 'band_gap_sigma': return row.bandGapSigma;
    case 'p_stable': return row.pStable;
    case 'p_stable_spread': return row.pStableSpread;
    case 'gap_expt': return row.gapExpt ?? null;
    case 'e_hull': return row.eHull ?? null;
    case 't': return row.t;
    case 'mu': return row.mu;
    case 'tau': return row.tau;
    case 'seq': return row.seq;
  }
}
export type RankMode = (typeof RANK_MODES)[number];
export type ScreenInputs = z.infer<typeof screenInputsSchema>;
export type Space = z.infer<typeof spaceSchema>;

export const contract = {
  elements: { request: z.object({}), result: null as unknown as readonly T.ElementInfo[] },
  molecularIons: { request: z.object({}), result: null as unknown as readonly T.MolecularIonInfo[] },
  model: { request: z.object({}), result: null as unknown as T.ModelSummary | null },
  models: { request: z.object({}), result: null as unknown as readonly T.ModelSummary[] },
  activateModel: { request: z.object({ dir: z.string().min(1).max(4096) }), result: null as unknown as T.ModelSummary },
  count: { request: spaceSchema, result: null as unknown as T.SpaceCounts },
  startScreen: { request: z.object({ space: spaceSchema }), result: null as unknown as { readonly screenId: number } },
  /** Screens a screen's space again with the screening model (e.g. after updating it), so the two can be compared. */
  screenAgain: { request: z.object({ screenId: z.number().int().positive() }), result: null as unknown as { readonly screenId: number } },
  cancelScreen: { request: z.object({ screenId: z.number().int().positive() }), result: null as unknown as { readonly ok: boolean } },
  resumeScreen: { request: z.object({ screenId: z.number().int().positive() }), result: null as unknown as { readonly ok: boolean } },
  screens: { request: z.object({}), result: null as unknown as readonly T.ScreenSummary[] },
  describeScreen: {
    request: z.object({ screenId: z.number().int().positive(), name: z.string().trim().max(120).nullable().optional(), note: z.string().max(2000).nullable().optional() }),
    result: null as unknown as T.ScreenSummary,
  },
  workspace: { request: z.object({}), result: null as unknown as T.WorkspaceState },
  saveDesign: { request: designSchema, result: null as unknown as { readonly ok: boolean } },
  saveShortlist: { request: z.object({ entries: shortlistSchema }), result: null as unknown as { readonly ok: boolean } },
  query: { request: queryRequestSchema, result: null as unknown as T.CandidatePage },
  nextBatch: {
    request: filtersSchema.extend({ window: range, k: z.number().int().min(1).max(200), kappa: z.number().min(0).max(10).optional(), lengthScale: z.number().positive().max(1).optional() }),
    result: null as unknown as T.NextBatch,
  },
  histogram: { request: filtersSchema.extend({ bins: z.number().int().min(2).max(200) }), result: null as unknown as T.Histogram },
  scatter: { request: filtersSchema.extend({ maxPoints: z.number().int().min(10).max(50_000), window: range }), result: null as unknown as T.ScatterData },
  detail: { request: z.object({ candidateId: z.number().int().positive() }), result: null as unknown as T.CandidateDetail },
  exportCsv: { request: filtersSchema.extend({ notes: z.record(z.string(), z.string().max(2000)).optional() }), result: null as unknown as { readonly csv: string; readonly rows: number } },
  /** Computed or measured values for candidates of a screen, from a CSV (formula + target columns), stored beside the predictions. */
  importResults: {
    request: z.object({
      screenId: z.number().int().positive(),
      csv: z.string().max(50_000_000),
      fileName: z.string().trim().min(1).max(200),
      /** Where the values come from ("PBE, my group", "experiment"); shown and exported with them. */
      source: z.string().trim().min(1, 'say where the values come from (e.g. "PBE, my group")').max(120),
      formulaColumn: z.string().min(1).max(200).optional(),
    }),
    result: null as unknown as T.ImportSummary,
  },
  exportStructures: {
    request: z.object({ candidateIds: z.array(z.number().int().positive()).min(1).max(500) }),
    result: null as unknown as T.StructureExportResult,
  },
  previewCsv: { request: z.object({ csv: z.string().max(50_000_000) }), result: null as unknown as T.TrainRequestColumns },
  startTraining: {
    request: z.object({
      csv: z.string().max(50_000_000),
      formulaColumn: z.string().min(1),
      targets: z.array(z.string().min(1)).min(1),
      /** The target screening stores as the band gap; absent: inferred from the names (see roles.ts). */
      bandGapTarget: z.string().min(1).nullable().optional(),
      /** Fine-tune the screening model (its architecture; d_model and layers are then ignored), or train from scratch. */
      startFrom: z.enum(['screening-model', 'scratch']).optional(),
      protocol: z.enum(['G', 'rows']),
      epochs: z.number().int().min(1).max(1000),
      members: z.number().int().min(1).max(8),
      dModel: z.number().int().min(8).max(512),
      layers: z.number().int().min(1).max(6),
      activate: z.boolean(),
    }),
    result: null as unknown as { readonly jobId: number },
  },
  /** Fine-tunes a screen's model on the results imported for it, with rehearsal (a training job: progress events, cancelTraining, training). */
  updateModel: {
    request: z.object({ screenId: z.number().int().positive(), activate: z.boolean() }),
    result: null as unknown as { readonly jobId: number },
  },
  cancelTraining: { request: z.object({ jobId: z.number().int().positive() }), result: null as unknown as { readonly ok: boolean } },
  training: { request: z.object({ jobId: z.number().int().positive() }), result: null as unknown as T.TrainSummary },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type RequestOf<C extends Channel> = z.infer<Contract[C]['request']>;
export type ResultOf<C extends Channel> = Contract[C]['result'];
export const CHANNELS = Object.keys(contract) as Channel[];

/** The API as the renderer sees it: one async method per channel. */
export type WorkbenchApi = { readonly [C in Channel]: (request: RequestOf<C>) => Promise<ResultOf<C>> };

/** Validates a request for `channel`; throws a readable error naming the channel and the field. */
export function validateRequest<C extends Channel>(channel: C, payload: unknown): RequestOf<C> {
  const schema = contract[channel].request as unknown as z.ZodType<RequestOf<C>>;
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid request for '${channel}': ${issue.path.join('.') || '(body)'}: ${issue.message}`);
  }
  return parsed.data;
}

export function isChannel(name: string): name is Channel {
  return Object.hasOwn(contract, name);
}

/**
 * Checks a handler's result against its channel's result schema (shared/api/results.ts); throws
 * naming the channel and the first field that is wrong. The workbench runs it in development and tests.
 */
export function checkResult<C extends Channel>(channel: C, result: ResultOf<C>): ResultOf<C> {
  const parsed = (resultSchemas[channel] as z.ZodType).safeParse(result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`the result of '${channel}' does not match the contract: ${issue.path.join('.') || '(result)'}: ${issue.message}`);
  }
  return result;
}

// every channel has a result schema, and nothing else does
const _everyChannelHasAResultSchema: Record<Channel, unknown> = resultSchemas satisfies Record<Channel, z.ZodType>;
void _everyChannelHasAResultSchema;
