/**
 * Screening: enumerate -> featurize -> predict in batches (worker threads) -> store. Batches are
 * written in enumeration order, each in one transaction with the screen's `done` counter, so a
 * cancelled or killed screen resumes exactly after its last stored candidate: nothing lost, nothing
 * stored twice. A shard K/N takes the candidates with seq % N == K (deterministic), so N independent
 * jobs cover a space that one machine cannot, and `merge` combines their libraries.
 */
import type { ElementTable } from '../data/elements/load.js';
import { readModelCard } from '../engine/model/bundle.js';
import { countCandidates, enumerateCandidates, type EnumeratedCandidate } from '../enumerate/enumerate.js';
import type { EnumerationOptions } from '../enumerate/types.js';
import type { Library } from '../library/library.js';
import { startPredictorPool } from './predictors.js';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface ScreenInputs {
  readonly options: EnumerationOptions;
  readonly modelDir: string;
  readonly shard: Shard | null;
  /** Screen only the first `limit` candidates of the enumeration (after sharding). */
  readonly limit?: number;
}

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
  readonly workers: number;
  readonly backend: string;
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

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) throw new Error(`shard must be K/N with 0 <= K < N (e.g. 0/8), got '${text}'`);
  return { index, count };
}

function* shardOf(candidates: Iterable<EnumeratedCandidate>, shard: Shard | null, limit = Number.POSITIVE_INFINITY): Generator<EnumeratedCandidate> {
  let n = 0;
  for (const c of candidates) {
    if (n >= limit) return;
    if (!shard || c.seq % shard.count === shard.index) {
      n += 1;
      yield c;
    }
  }
}

export async function runScreen(req: ScreenRequest): Promise<ScreenResult> {
  const { library, table } = req;
  let screenId: number;
  let inputs: ScreenInputs;
  let total: number;
  if (req.resumeId !== undefined) {
    const row = library.screen(req.resumeId);
    if (row.status === 'done') return { screenId: row.id, status: 'done', done: row.done, total: row.total ?? row.done, seconds: 0 };
    screenId = row.id;
    inputs = row.inputs as ScreenInputs;
    total = row.total!;
  } else {
    if (!req.inputs) throw new Error('runScreen needs inputs or resumeId');
    inputs = req.inputs;
    const s = inputs.shard;
    // with a limit, counting can stop once enough candidates (for this shard) are known to exist
    const stopAt = inputs.limit === undefined ? Number.POSITIVE_INFINITY : inputs.limit * (s ? s.count : 1);
    const counts = countCandidates(table, inputs.options, stopAt);
    total = s ? Math.floor(counts.candidates / s.count) + (s.index < counts.candidates % s.count ? 1 : 0) : counts.candidates;
    if (inputs.limit !== undefined) total = Math.min(total, inputs.limit);
    const card = readModelCard(inputs.modelDir);
    library.upsertModel(card, inputs.modelDir);
    screenId = library.createScreen(inputs, card.id, s ? `${s.index}/${s.count}` : null, total);
  }
  const modelId = library.screen(screenId).modelId;
  const batchSize = req.batchSize ?? 2048;
  const alreadyDone = library.screen(screenId).done;
  library.setStatus(screenId, 'running');

  const pool = await startPredictorPool(inputs.modelDir, req.workers, req.backend);
  const started = performance.now();
  let done = alreadyDone;
  let cancelled = false;
  try {
    const source = shardOf(enumerateCandidates(table, inputs.options), inputs.shard, inputs.limit);
    for (let skipped = 0; skipped < alreadyDone; skipped += 1) source.next(); // resume: skip what is stored
    const inFlight: Promise<void>[] = [];
    let writeChain = Promise.resolve();
    const maxInFlight = pool.size * 2;
    let batch: EnumeratedCandidate[] = [];
    const dispatch = (items: EnumeratedCandidate[]): void => {
      const predicted = pool.predict(items.map((c) => c.composition));
      // writes happen in dispatch order: each waits for the previous one
      writeChain = writeChain.then(async () => {
        const predictions = await predicted;
        done += items.length;
        library.writeBatch(screenId, modelId, items, predictions, done);
        const seconds = (performance.now() - started) / 1000;
        const perSecond = (done - alreadyDone) / Math.max(seconds, 1e-3);
        req.onProgress?.({ screenId, done, total, perSecond, etaSeconds: perSecond > 0 ? (total - done) / perSecond : 0 });
      });
      inFlight.push(writeChain);
    };
    for (const candidate of source) {
      batch.push(candidate);
      if (batch.length === batchSize) {
        dispatch(batch);
        batch = [];
        if (inFlight.length >= maxInFlight) await inFlight.shift();
        if (req.signal?.aborted) {
          cancelled = true;
          break;
        }
      }
    }
    if (!cancelled && batch.length) dispatch(batch);
    await writeChain;
  } catch (e) {
    library.setStatus(screenId, 'failed', (e as Error).message);
    throw e;
  } finally {
    await pool.close();
  }
  const status = cancelled ? 'cancelled' : 'done';
  library.setStatus(screenId, status);
  return { screenId, status, done, total, seconds: (performance.now() - started) / 1000 };
}
