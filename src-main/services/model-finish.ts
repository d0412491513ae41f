/**
 * What a freshly updated model needs before it screens (services/model-update.ts): its applicability
 * domain calibrated again where its base had one (fine-tuning moves the latent space the threshold was
 * chosen in), and its domain references and neighbour memory embedded and cached beside it, so that
 * loading it afterwards reads them. Tens of seconds of wasm work: run in a worker thread where the
 * compiled worker exists, so a server keeps answering meanwhile; in this thread otherwise.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { BackendName } from '../../shared/api/runtime.js';
import type { ElementTable } from '../data/elements/load.js';
import { compiledWorkerUrl } from '../data/worker-url.js';
import { EnsemblePredictor } from '../engine/model/predictor.js';
import { calibrateDomain } from './domain-calibration.js';

export interface FinishRequest {
  readonly modelDir: string;
  /** Calibrate a domain (the base had one); its report goes into the model's `domain/` folder. */
  readonly calibrateDomain: boolean;
  readonly backend: BackendName;
}

export type FinishReply = { readonly ok: true; readonly domainThreshold: number | null } | { readonly ok: false; readonly message: string };

/** Calibrates the domain (when asked) and warms the caches; returns the domain's threshold, or null. */
export function finishModel(req: FinishRequest, table: ElementTable): number | null {
  const threshold = req.calibrateDomain ? calibrateDomain(req.modelDir, table, join(req.modelDir, 'domain')).file.threshold : null;
  EnsemblePredictor.load(req.modelDir, table).dispose(); // the domain's references and the correction's memory cached (where the calibration has not)
  return threshold;
}

/** `finishModel` in a worker thread (in this one when the compiled worker is missing). */
export function finishModelOffThread(req: FinishRequest, table: ElementTable): Promise<number | null> {
  const url = compiledWorkerUrl(import.meta.url, 'services', 'model-finish-worker');
  if (!url) return Promise.resolve(finishModel(req, table));
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: req });
    let replied = false;
    worker.once('message', (reply: FinishReply) => {
      replied = true;
      void worker.terminate();
      if (reply.ok) resolve(reply.domainThreshold);
      else reject(new Error(reply.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!replied) reject(new Error(`the model's finishing worker stopped (exit code ${code}) before it replied`));
    });
  });
}
