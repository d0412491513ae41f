/**
 * Screening: enumerate (a worker) -> predict in batches (worker threads) -> store. Batches are written
 * in enumeration order, gathered into transactions (WRITE_ROWS) each with the screen's `done` counter,
 * so a cancelled or killed screen resumes exactly after its last stored candidate: nothing stored
 * twice; a killed one loses at most the last WRITE_MS of predictions, which the resume recomputes.
 * A cancel takes effect at the next batch boundary: batches already predicted are stored, those still
 * being predicted are dropped. A shard K/N takes the candidates with seq % N == K (deterministic), so
 * N independent jobs cover a space that one machine cannot, and `merge` combines their libraries.
 */
import type { ScreenInputs } from '../../shared/api/contract.js';
import type { BackendName } from '../../shared/api/runtime.js';
import type { ElementTable } from '../data/elements/load.js';
import { readModelCard } from '../engine/model/bundle.js';
import type { CardRoles, ModelCard } from '../engine/model/card.js';
import { cardRoles, requireScreeningRoles } from '../engine/model/roles.js';
import type { CandidateRecord, Library, StoredPrediction } from '../library/index.js';
import { candidateBatchSource, countSpace } from './enumeration.js';
import { startPredictorPool } from './predictors.js';
import type { Shard } from './protocol.js';
import { storedPrediction } from './store.js';

export type { Shard } from './protocol.js';

export interface ScreenProgress {
  readonly screenId: number;
  readonly done: number;
  readonly total: number;
  readonly perSecond: number;
  readonly etaSeconds: number;
}

export interface ScreenRequest {
  readonly table: ElementTable;
  readonly library: Library;
  /** New screen from inputs, or resume an existing one. */
  readonly inputs?: ScreenInputs;
  readonly resumeId?: number;
  readonly batchSize?: number;
  /** Candidates gathered into one transaction (default WRITE_ROWS; at least one batch). */
  readonly writeRows?: number;
  readonly workers: number;
  readonly backend: BackendName;
  /** How long counting a new screen's space may take before the screen is refused. */
  readonly countBudgetMs?: number;
  /** Called once the screen row exists (before any candidate is predicted). */
  readonly onStart?: (screenId: number) => void;
  readonly onProgress?: (p: ScreenProgress) => void;
  readonly signal?: AbortSignal;
}

export interface ScreenResult {
  readonly screenId: number;
  readonly status: 'done' | 'cancelled';
  readonly done: number;
  readonly total: number;
  readonly seconds: number;
}

export class ScreenError extends Error {
  override name = 'ScreenError';
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) throw new ScreenError(`shard must be K/N with 0 <= K < N (e.g. 0/8), got '${text}'`);
  return { index, count };
}

/**
 * Stored batches are gathered into transactions of at least this many rows (or WRITE_MS of work):
 * each transaction rewrites every index page it touches, and with a dozen indexes over a million
 * rows a 4,096-row transaction touches most of them, so fewer, larger transactions write far less
 * (measured in docs/benchmarks.md).
 */
export const WRITE_ROWS = 65_536;
const WRITE_MS = 5_000;

/** Counting a screen's space may take this long by default (it runs in a worker). */
export const SCREEN_COUNT_BUDGET_MS = 120_000;

async function createScreen(req: ScreenRequest, inputs: ScreenInputs, card: ModelCard): Promise<{ screenId: number; total: number }> {
  const s = inputs.shard;
  // with a limit, counting can stop once enough candidates (for this shard) are known to exist
  const stopAt = inputs.limit === undefined ? Number.POSITIVE_INFINITY : inputs.limit * (s ? s.count : 1);
  const counts = await countSpace(req.table, inputs.options, { stopAt, budgetMs: req.countBudgetMs ?? SCREEN_COUNT_BUDGET_MS, ...(req.signal ? { signal: req.signal } : {}) });
  if (!counts.exact && counts.candidates < stopAt) {
    throw new ScreenError(`the space is too large to count within ${Math.round((req.countBudgetMs ?? SCREEN_COUNT_BUDGET_MS) / 1000)} s (more than ${counts.candidates.toLocaleString('en')} candidates so far); narrow it or split it into shards`);
  }
  let total = s ? Math.floor(counts.candidates / s.count) + (s.index < counts.candidates % s.count ? 1 : 0) : counts.candidates;
  if (inputs.limit !== undefined) total = Math.min(total, inputs.limit);
  req.library.upsertModel(card, inputs.modelDir);
  const screenId = req.library.createScreen(inputs, card.id, s ? `${s.index}/${s.count}` : null, total);
  return { screenId, total };
}

export async function runScreen(req: ScreenRequest): Promise<ScreenResult> {
  const { library } = req;
  let screenId: number;
  let inputs: ScreenInputs;
  let total: number;
  let card: ModelCard;
  if (req.resumeId !== undefined) {
    const row = library.screen(req.resumeId);
    if (row.status === 'done') {
      req.onStart?.(row.id);
      return { screenId: row.id, status: 'done', done: row.done, total: row.total ?? row.done, seconds: 0 };
    }
    screenId = row.id;
    inputs = row.inputs;
    total = row.total ?? 0;
    card = readModelCard(inputs.modelDir);
    if (card.id !== row.modelId) {
      throw new ScreenError(`screen ${row.id} was run with model ${row.modelId}, but ${inputs.modelDir} now holds ${card.id}; resuming would mix two models' predictions`);
    }
    requireScreeningRoles(card);
  } else {
    if (!req.inputs) throw new ScreenError('runScreen needs inputs or resumeId');
    inputs = req.inputs;
    card = readModelCard(inputs.modelDir);
    requireScreeningRoles(card); // before any work: a model without a band gap cannot screen
    ({ screenId, total } = await createScreen(req, inputs, card));
  }
  const claim = library.claimRunner(screenId); // one runner per screen, across processes
  try {
    req.onStart?.(screenId);
    return await runClaimed(req, screenId, inputs, card, total, cardRoles(card));
  } finally {
    library.releaseRunner(screenId, claim);
  }
}

async function runClaimed(req: ScreenRequest, screenId: number, inputs: ScreenInputs, card: ModelCard, total: number, cardRoles: CardRoles): Promise<ScreenResult> {
  const { library, table } = req;
  const alreadyDone = library.screen(screenId).done;
  library.setStatus(screenId, 'running');

  const started = performance.now();
  let done = alreadyDone;
  let failure: Error | null = null;
  const stopped = (): boolean => failure !== null || req.signal?.aborted === true;
  const batchSize = req.batchSize ?? 2048;
  const writeRows = req.writeRows ?? WRITE_ROWS;
  const source = candidateBatchSource(table, { options: inputs.options, shard: inputs.shard, limit: inputs.limit ?? null, skip: alreadyDone, batchSize });
  let pool: Awaited<ReturnType<typeof startPredictorPool>> | null = null;
  try {
    pool = await startPredictorPool(inputs.modelDir, req.workers, req.backend);
    const maxInFlight = pool.size * 2;
    const inFlight: Promise<void>[] = [];
    // writes happen in dispatch order; the chain never rejects: the first failure is kept and every
    // later batch is skipped, so no write is left half-handled
    let writeChain = Promise.resolve();
    // predicted batches wait here until WRITE_ROWS rows or WRITE_MS have gathered, then go in one transaction
    let waiting: { records: CandidateRecord[]; predictions: StoredPrediction[] }[] = [];
    let waitingRows = 0;
    let lastWrite = performance.now();
    const write = (): void => {
      if (waitingRows === 0) return;
      library.writeBatch(screenId, card.id, waiting.flatMap((w) => w.records), waiting.flatMap((w) => w.predictions), done + waitingRows);
      done += waitingRows;
      waiting = [];
      waitingRows = 0;
      lastWrite = performance.now();
      const seconds = (lastWrite - started) / 1000;
      const perSecond = (done - alreadyDone) / Math.max(seconds, 1e-3);
      req.onProgress?.({ screenId, done, total, perSecond, etaSeconds: perSecond > 0 ? (total - done) / perSecond : 0 });
    };
    for (let batch = await source.next(); batch !== null && !stopped(); batch = await source.next()) {
      const items = batch;
      const predicted = pool.predict(items.compositions);
      predicted.catch(() => undefined); // handled in the chain below; no unhandled rejection meanwhile
      writeChain = writeChain.then(async () => {
        if (stopped()) return;
        try {
          const predictions = await predicted;
          if (stopped()) return;
          waiting.push({ records: items.records, predictions: predictions.map((p) => storedPrediction(p, cardRoles)) });
          waitingRows += items.records.length;
          if (waitingRows >= writeRows || performance.now() - lastWrite >= WRITE_MS) write();
        } catch (e) {
          failure ??= e as Error;
        }
      });
      inFlight.push(writeChain);
      if (inFlight.length >= maxInFlight) await inFlight.shift();
    }
    await writeChain;
    // what was predicted before a cancel is kept; after a failure nothing more is written
    if (failure === null) write();
  } catch (e) {
    failure ??= e as Error;
  } finally {
    await source.close();
    await pool?.close();
  }
  if (failure) {
    try {
      library.setStatus(screenId, 'failed', failure.message);
    } catch {
      // the write that failed may fail again (full disk); the stored batches stay consistent and resumable
    }
    throw failure;
  }
  const status = req.signal?.aborted && done < total ? 'cancelled' : 'done';
  library.setStatus(screenId, status);
  return { screenId, status, done, total, seconds: (performance.now() - started) / 1000 };
}
