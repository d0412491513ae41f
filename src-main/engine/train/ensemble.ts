/**
 * Trains an ensemble: K members that differ only in their seed (initialization, shuffling, dropout).
 * Members train in worker threads, `parallel` at a time (one per core), so the calling thread stays
 * free; from TypeScript sources (tests) they train in-process, one after another.
 */
import type { BackendName } from '../../../shared/api/runtime.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ModelConfig } from '../model/config.js';
import { Params, paramSpecs } from '../model/params.js';
import type { EncodedSet } from './data.js';
import { TrainingCancelled, trainMember, type EpochRecord, type TrainingSettings, type TrainProgress } from './trainer.js';
import { initialWeightsOf, type MemberJob, type WorkerReply } from './worker-protocol.js';

export interface EnsembleArgs {
  readonly config: ModelConfig;
  readonly settings: TrainingSettings;
  readonly train: EncodedSet;
  readonly val: EncodedSet;
  readonly targetStd: readonly number[];
  readonly members: number;
  readonly parallel: number;
  readonly backend: BackendName;
  /** Each member checkpoints to `${checkpointRoot}/member-k`, so an interrupted run resumes. */
  readonly checkpointRoot?: string;
  /** Fine-tune from a pretrained ensemble: member k starts from pretrained member k mod its size. */
  readonly initFrom?: Pretrained;
  readonly onProgress?: (member: number, progress: TrainProgress) => void;
  readonly signal?: AbortSignal;
}

export interface Pretrained {
  readonly id: string;
  readonly members: readonly ReadonlyMap<string, Float32Array>[];
}

export interface EnsembleResult {
  readonly members: Params[];
  readonly seeds: number[];
  readonly histories: EpochRecord[][];
  readonly bestEpochs: number[];
  /** Wall-clock seconds for the whole ensemble. */
  readonly seconds: number;
}

export function memberSeed(baseSeed: number, k: number): number {
  return baseSeed + 1000 * k;
}

const WORKER_URL = new URL('./member-worker.js', import.meta.url);

function workerAvailable(): boolean {
  return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(WORKER_URL));
}

interface MemberOutcome {
  weights: Map<string, Float32Array>;
  history: EpochRecord[];
  bestEpoch: number;
}

function runInWorker(job: MemberJob, onEpoch: (p: TrainProgress) => void, signal?: AbortSignal): Promise<MemberOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL);
    const cancel = (): void => worker.postMessage({ type: 'cancel' });
    signal?.addEventListener('abort', cancel, { once: true });
    const finish = (): void => {
      signal?.removeEventListener('abort', cancel);
      void worker.terminate();
    };
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'epoch') onEpoch(msg.progress);
      else if (msg.type === 'done') {
        finish();
        resolve({ weights: new Map(msg.weights), history: msg.history, bestEpoch: msg.bestEpoch });
      } else {
        finish();
        reject(msg.cancelled ? new TrainingCancelled(msg.message) : new Error(msg.message));
      }
    });
    worker.on('error', (e) => {
      finish();
      reject(e);
    });
    worker.postMessage({ type: 'train', job });
  });
}

function initialFor(pretrained: Pretrained | undefined, k: number): MemberJob['initial'] {
  if (!pretrained || pretrained.members.length === 0) return null;
  const j = k % pretrained.members.length;
  return { source: `${pretrained.id}#${j}`, weights: [...pretrained.members[j]!] };
}

export async function trainEnsemble(args: EnsembleArgs): Promise<EnsembleResult> {
  const started = performance.now();
  const seeds = Array.from({ length: args.members }, (_, k) => memberSeed(args.settings.seed, k));
  const jobs: MemberJob[] = seeds.map((seed, k) => ({
    config: args.config,
    settings: { ...args.settings, seed },
    train: args.train,
    val: args.val,
    targetStd: args.targetStd,
    checkpointDir: args.checkpointRoot ? join(args.checkpointRoot, `member-${k}`) : null,
    backend: args.backend,
    initial: initialFor(args.initFrom, k),
  }));
  const outcomes = new Array<MemberOutcome>(jobs.length);
  const useWorkers = args.parallel > 1 && workerAvailable();
  if (useWorkers) {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < jobs.length) {
        const k = next++;
        outcomes[k] = await runInWorker(jobs[k]!, (p) => args.onProgress?.(k, p), args.signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(args.parallel, jobs.length) }, lane));
  } else {
    for (const [k, job] of jobs.entries()) {
      const r = await trainMember({
        config: job.config,
        settings: job.settings,
        train: job.train,
        val: job.val,
        targetStd: job.targetStd,
        onEpoch: (p) => args.onProgress?.(k, p),
        ...(job.checkpointDir ? { checkpointDir: job.checkpointDir } : {}),
        ...initialWeightsOf(job),
        ...(args.signal ? { signal: args.signal } : {}),
      });
      outcomes[k] = { weights: await r.params.snapshot(), history: [...r.history], bestEpoch: r.bestEpoch };
      r.params.dispose();
    }
  }
  const specs = paramSpecs(args.config, args.train.width);
  return {
    members: outcomes.map((o) => new Params(specs, (spec) => o.weights.get(spec.name)!)),
    seeds,
    histories: outcomes.map((o) => o.history),
    bestEpochs: outcomes.map((o) => o.bestEpoch),
    seconds: (performance.now() - started) / 1000,
  };
}
