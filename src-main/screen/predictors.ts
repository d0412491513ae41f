/**
 * A pool that predicts batches of compositions: worker threads (one per core) when running from the
 * compiled build, or the calling thread (tests running TypeScript sources).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compositionFromAmounts, type Composition, type ElementSymbol } from '../../shared/index.js';
import { loadElementTable } from '../data/elements/load.js';
import { EnsemblePredictor, type Prediction } from '../engine/model/predictor.js';
import type { PredictReply, PredictRequest, PredictWorkerInit } from './protocol.js';

export interface PredictorPool {
  readonly size: number;
  predict(compositions: readonly Composition[]): Promise<Prediction[]>;
  close(): Promise<void>;
}

const WORKER_URL = new URL('./predict-worker.js', import.meta.url);

function toRequest(id: number, compositions: readonly Composition[]): PredictRequest {
  return { id, elements: compositions.map((c) => c.elements.map((e) => e.element)), amounts: compositions.map((c) => c.elements.map((e) => e.amount)) };
}

class WorkerPool implements PredictorPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private readonly pending = new Map<number, { resolve: (p: Prediction[]) => void; reject: (e: Error) => void; worker: Worker }>();
  private nextId = 0;

  private constructor(readonly size: number) {}

  static async start(size: number, init: PredictWorkerInit): Promise<WorkerPool> {
    const pool = new WorkerPool(size);
    await Promise.all(
      Array.from({ length: size }, () => new Promise<void>((resolve, reject) => {
        const w = new Worker(WORKER_URL, { workerData: init });
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
        w.on('error', (e) => {
          reject(e);
          for (const [id, job] of pool.pending) if (job.worker === w) {
            pool.pending.delete(id);
            job.reject(e);
          }
        });
        pool.workers.push(w);
      })),
    );
    return pool;
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

  async predict(compositions: readonly Composition[]): Promise<Prediction[]> {
    const worker = await this.acquire();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.postMessage(toRequest(id, compositions));
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

class InProcessPool implements PredictorPool {
  readonly size = 1;
  constructor(private readonly predictor: EnsemblePredictor) {}
  predict(compositions: readonly Composition[]): Promise<Prediction[]> {
    // round-trip through the same message shape as the workers, so both paths see equal inputs
    const req = toRequest(0, compositions);
    const rebuilt = req.elements.map((els, i) => compositionFromAmounts(els.map((e, k) => [e as ElementSymbol, req.amounts[i]![k]!] as const)));
    return Promise.resolve(this.predictor.predict(rebuilt, 1024));
  }
  close(): Promise<void> {
    this.predictor.dispose();
    return Promise.resolve();
  }
}

export async function startPredictorPool(modelDir: string, workers: number, backend: string): Promise<PredictorPool> {
  const compiled = import.meta.url.endsWith('.js') && existsSync(fileURLToPath(WORKER_URL));
  if (workers > 1 && compiled) return WorkerPool.start(workers, { modelDir, backend });
  return new InProcessPool(EnsemblePredictor.load(modelDir, loadElementTable()));
}
