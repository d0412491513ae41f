/** Worker thread: reads one screen's prediction columns from the library file and hands them over (no copy). */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { readColumns } from './rank-columns.js';

const { file, screenId, rows } = workerData as { file: string; screenId: number; rows: number };
const db = new Database(file, { readonly: true, fileMustExist: true });
try {
  const c = readColumns(db, screenId, rows);
  parentPort!.postMessage(c, [c.ids, c.gap, c.sigma, c.pStable, c.spread].map((a) => a.buffer as ArrayBuffer));
} finally {
  db.close();
}
