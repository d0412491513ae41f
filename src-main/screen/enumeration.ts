/**
 * Counting and enumeration off the main thread: each runs in a worker thread with a deadline and a
 * cancel signal (the worker is terminated, so a runaway space cannot hold the process). Without a
 * compiled worker (nothing built yet) they run in the calling thread.
 */
import { Worker } from 'node:worker_threads';
import type { ElementTable } from '../data/elements/load.js';
import { countCandidates, EnumerationError } from '../enumerate/enumerate.js';
import type { EnumerationCounts, EnumerationOptions } from '../enumerate/types.js';
import { candidateBatches, type BatchPlan } from './batches.js';
import type { CandidateBatch, EnumerateReply, EnumerateWorkerInit } from './protocol.js';
import { compiledWorkerUrl } from '../data/worker-url.js';

export type SpaceCounts = EnumerationCounts & { readonly exact: boolean };

export class EnumerationCancelled extends Error {
  override name = 'EnumerationCancelled';
}

function toError(reply: Extract<EnumerateReply, { type: 'error' }>): Error {
  return reply.enumeration ? new EnumerationError(reply.message) : new Error(reply.message);
}

export interface CountRequest {
  readonly stopAt?: number;
  /** Counting stops here and reports lower bounds (`exact: false`). */
  readonly budgetMs: number;
  readonly signal?: AbortSignal;
}

/** Counts a space: exact when it finishes within the budget, lower bounds otherwise. */
export function countSpace(table: ElementTable, options: EnumerationOptions, req: CountRequest): Promise<SpaceCounts> {
  const url = compiledWorkerUrl(import.meta.url, 'screen', 'enumerate-worker');
  const stopAt = req.stopAt ?? Number.POSITIVE_INFINITY;
  if (!url) return Promise.resolve(countCandidates(table, options, stopAt, performance.now() + req.budgetMs));
  return new Promise((resolve, reject) => {
    const init: EnumerateWorkerInit = { mode: 'count', options, stopAt, budgetMs: req.budgetMs };
    const worker = new Worker(url, { workerData: init });
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(hardStop);
      req.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      action();
    };
    // the worker checks its own deadline; this is the backstop if it cannot (grace for start-up)
    const hardStop = setTimeout(() => finish(() => reject(new Error(`counting did not finish within ${Math.round(req.budgetMs / 1000) + 10} s`))), req.budgetMs + 10_000);
    const onAbort = (): void => finish(() => reject(new EnumerationCancelled('counting was cancelled')));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: EnumerateReply) => {
      if (reply.type === 'counts') finish(() => resolve(reply.counts));
      else if (reply.type === 'error') finish(() => reject(toError(reply)));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the counting worker stopped (exit ${code})`))));
  });
}

/** Candidate batches of a screen, enumerated ahead by a worker (two batches ahead, no more). */
export interface BatchSource {
  next(): Promise<CandidateBatch | null>;
  close(): Promise<void>;
}

class WorkerBatchSource implements BatchSource {
  private readonly ready: (CandidateBatch | null | Error)[] = [];
  private waiting: ((v: CandidateBatch | null | Error) => void) | null = null;
  private ended = false;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: EnumerateReply) => {
      if (reply.type === 'batch') this.push(reply.batch);
      else if (reply.type === 'end') this.push(null);
      else if (reply.type === 'error') this.push(toError(reply));
    });
    worker.on('error', (e) => this.push(e));
    worker.on('exit', (code) => this.push(new Error(`the enumeration worker stopped (exit ${code})`)));
    // ask for two batches: one to hand out, one being made
    worker.postMessage('next');
    worker.postMessage('next');
  }

  private push(item: CandidateBatch | null | Error): void {
    if (this.ended) return;
    if (item === null || item instanceof Error) this.ended = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(item);
    } else this.ready.push(item);
  }

  async next(): Promise<CandidateBatch | null> {
    const item = this.ready.length ? this.ready.shift()! : await new Promise<CandidateBatch | null | Error>((resolve) => (this.waiting = resolve));
    if (item instanceof Error) throw item;
    if (item !== null) this.worker.postMessage('next');
    else this.ready.unshift(null); // stays ended
    return item;
  }

  async close(): Promise<void> {
    this.ended = true;
    await this.worker.terminate();
  }
}

class InThreadBatchSource implements BatchSource {
  constructor(private readonly batches: Generator<CandidateBatch>) {}
  next(): Promise<CandidateBatch | null> {
    const n = this.batches.next();
    return Promise.resolve(n.done ? null : n.value);
  }
  close(): Promise<void> {
    this.batches.return(undefined);
    return Promise.resolve();
  }
}

export function candidateBatchSource(table: ElementTable, plan: BatchPlan): BatchSource {
  const url = compiledWorkerUrl(import.meta.url, 'screen', 'enumerate-worker');
  if (!url) return new InThreadBatchSource(candidateBatches(table, plan));
  const init: EnumerateWorkerInit = { mode: 'enumerate', ...plan };
  return new WorkerBatchSource(new Worker(url, { workerData: init }));
}
