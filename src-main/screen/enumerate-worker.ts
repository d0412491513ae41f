/**
 * Worker thread: counts a space, or enumerates it into candidate batches on request (the screening
 * loop asks for the next batch, so at most a few batches wait in memory). Keeps the main thread free
 * for requests while a space is counted or enumerated.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadElementTable } from '../data/elements/load.js';
import { countCandidates, EnumerationError } from '../enumerate/enumerate.js';
import { candidateBatches } from './batches.js';
import type { EnumerateReply, EnumerateWorkerInit } from './protocol.js';

const port = parentPort!;
const init = workerData as EnumerateWorkerInit;
const post = (reply: EnumerateReply): void => port.postMessage(reply);
const fail = (e: unknown): void => post({ type: 'error', message: (e as Error).message, enumeration: e instanceof EnumerationError });

try {
  const table = loadElementTable();
  if (init.mode === 'count') {
    post({ type: 'counts', counts: countCandidates(table, init.options, init.stopAt, performance.now() + init.budgetMs) });
  } else {
    const batches = candidateBatches(table, init);
    port.on('message', () => {
      try {
        const next = batches.next();
        post(next.done ? { type: 'end' } : { type: 'batch', batch: next.value });
      } catch (e) {
        fail(e);
      }
    });
  }
} catch (e) {
  fail(e);
}
