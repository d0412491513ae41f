/**
 * Worker thread: the steps after an update's training that take tens of seconds of embedding and
 * prediction (model-finish.ts), off the thread that serves requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadElementTable } from '../data/elements/load.js';
import { initBackend } from '../engine/backend.js';
import { finishModel, type FinishReply, type FinishRequest } from './model-finish.js';

const port = parentPort!;
const req = workerData as FinishRequest;
try {
  await initBackend(req.backend);
  port.postMessage({ ok: true, domainThreshold: finishModel(req, loadElementTable()) } satisfies FinishReply);
} catch (e) {
  port.postMessage({ ok: false, message: (e as Error).message } satisfies FinishReply);
}
