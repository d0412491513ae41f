/**
 * A pool that predicts batches of compositions: worker threads (one per core), each loading the model
 * once; the calling thread only when no compiled worker exists (nothing built yet).
 */
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../../shared/api/runtime.js';
import { loadElementTable } from '../data/elements/load.js';
import { EnsemblePredictor, type Prediction } from '../engine/model/predictor.js';
import { unpackCompositions, type CompositionBatch, type PredictReply, type PredictRequest, type PredictWorkerInit } from './protocol.js';
import { compiledWorkerUrl } from '../data/worker-url.js';

export interface PredictorPool {
  readonly size: number;
  predict(batch: CompositionBatch): Promise<Prediction[]>;
  close(): Promise<void>;
}


class WorkerPool implements PredictorPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private readonly pending = new Map<number, { resolve: (p: Prediction[]) => void; reject: (e: Error) => void; worker: Worker }>();
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;

  private constructor(readonly size: number) {}

  static async start(url: URL, size: number, init: PredictWorkerInit): Promise<WorkerPool> {
    const pool = new WorkerPool(size);
    try {
      await Promise.all(
        Array.from({ length: size }, () => new Promise<void>((resolve, reject) => {
          const w = new Worker(url, { workerData: init });
          pool.workers.push(w);
          w.on('message', (msg: PredictReply) => {
            if (msg.type === 'ready') {
              pool.release(w);
              resolve();
              return;
            }
            const job = pool.pending.get(msg.id);
            if (!job) return;
            pool.pending.delete(msg.id);
            pool.release(w);
            if (msg.type === 'result') job.resolve(msg.predictions);
            else job.reject(new Error(msg.message));
          });
          const died = (e: Error): void => {
            reject(e);
            pool.fail(w, e);
          };
          w.on('error', died);
          w.on('exit', (code) => {
            if (!pool.closing) died(new Error(`a prediction worker stopped (exit ${code})`));
          });
        })),
      );
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** A dead worker fails its job and every later call: a screen must not wait forever. */
  private fail(w: Worker, e: Error): void {
    this.failure ??= e;
    for (const [id, job] of this.pending) if (job.worker === w) {
      this.pending.delete(id);
      job.reject(e);
    }
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    return w ? Promise.resolve(w) : new Promise((resolve) => this.waiting.push(resolve));
  }

  async predict(batch: CompositionBatch): Promise<Prediction[]> {
    if (this.failure) throw this.failure;
    const worker = await this.acquire();
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.postMessage({ id, ...batch } satisfies PredictRequest);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

class InThreadPool implements PredictorPool {
  readonly size = 1;
  constructor(private readonly predictor: EnsemblePredictor) {}
  predict(batch: CompositionBatch): Promise<Prediction[]> {
    return Promise.resolve(this.predictor.predict(unpackCompositions(batch), 1024));
  }
  close(): Promise<void> {
    this.predictor.dispose();
    return Promise.resolve();
  }
}

export async function startPredictorPool(modelDir: string, workers: number, backend: BackendName): Promise<PredictorPool> {
  const url = compiledWorkerUrl(import.meta.url, 'screen', 'predict-worker');
  if (url) return WorkerPool.start(url, workers, { modelDir, backend });
  return new InThreadPool(EnsemblePredictor.load(modelDir, loadElementTable()));
}
