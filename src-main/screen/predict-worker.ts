/** Worker thread: loads the model once, then featurizes and predicts batches of compositions. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadElementTable } from '../data/elements/load.js';
import { initBackend } from '../engine/backend.js';
import { EnsemblePredictor } from '../engine/model/predictor.js';
import { unpackCompositions, type PredictReply, type PredictRequest, type PredictWorkerInit } from './protocol.js';

const port = parentPort!;
const init = workerData as PredictWorkerInit;
await initBackend(init.backend);
const predictor = EnsemblePredictor.load(init.modelDir, loadElementTable());
port.postMessage({ type: 'ready' } satisfies PredictReply);
port.on('message', (req: PredictRequest) => {
  try {
    port.postMessage({ type: 'result', id: req.id, predictions: predictor.predict(unpackCompositions(req), 1024) } satisfies PredictReply);
  } catch (e) {
    port.postMessage({ type: 'error', id: req.id, message: (e as Error).message } satisfies PredictReply);
  }
});
