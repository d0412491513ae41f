/**
 * `npm run bench:screen`: end-to-end screening throughput (enumerate + featurize + predict with the
 * ensemble's uncertainty + store) at 10k, 100k and 1M candidates with the default model, peak memory,
 * SQLite insert rows/s, and the latency of a filter + sort query over the 1M stored candidates. Also
 * prints the machine's ceiling: the model's FLOPs per candidate against the measured matMul GFLOP/s.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadElementTable } from '../src-main/data/elements/load.js';
import { resourcesDir } from '../src-main/data/paths.js';
import { describeBackend, initBackend } from '../src-main/engine/backend.js';
import { edmLayout } from '../src-main/engine/featurize/index.js';
import { readModelCard } from '../src-main/engine/model/bundle.js';
import { forwardFlops } from '../src-main/engine/model/flops.js';
import type { Space } from '../shared/api/contract.js';
import { candidateRecord, Library, type CandidateQuery } from '../src-main/library/index.js';
import { runScreen } from '../src-main/screen/screen.js';
import { SCREENING_BENCHMARK_SPACE } from '../src-main/services/distillation.js';

// the default ensemble, and the screening model distilled from it where the tree has one (same run)
const bundled = ['default', 'default-screening'].map((name) => join(resourcesDir(), 'models', name)).filter((dir) => existsSync(join(dir, 'model.json')));
const modelDirs = process.env['PDW_BENCH_MODEL'] ? process.env['PDW_BENCH_MODEL'].split(',') : bundled;
const modelDir = modelDirs[0]!;
const sizes = (process.env['PDW_BENCH_SIZES'] ?? '10000,100000,1000000').split(',').map(Number);
const workers = Number(process.env['PDW_BENCH_WORKERS'] ?? availableParallelism());
const backend = await initBackend();
const table = loadElementTable();
const card = readModelCard(modelDir);
console.log(`backend ${describeBackend(backend)}; ${workers} prediction workers`);

// the machine's ceiling
const a = tf.randomNormal([1024, 1024]);
const b = tf.randomNormal([1024, 1024]);
tf.matMul(a, b).dataSync();
const t0 = performance.now();
for (let i = 0; i < 5; i += 1) tf.matMul(a, b).dataSync();
const gflops = (5 * 2 * 1024 ** 3) / ((performance.now() - t0) / 1000) / 1e9;
tf.dispose([a, b]);
const flops = forwardFlops(card.config, card.featurizer.maxElements, edmLayout(card.featurizer.fractionWidth).width) * card.ensemble.members;
console.log(`ceiling: ${(flops / 1e6).toFixed(2)} MFLOP per candidate (all ${card.ensemble.members} members of ${card.name}) / ${gflops.toFixed(1)} GFLOP/s matMul per core x ${workers} cores = ${Math.round((gflops * 1e9 * workers) / flops).toLocaleString('en')} candidates/s at best`);

// a space of about 1.58M candidates (A, B, X mixing at 1/8 and double perovskites), screened in prefixes
const space: Space = SCREENING_BENCHMARK_SPACE;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const dir = mkdtempSync(join(tmpdir(), 'pdw-bench-'));
let lastLibrary = '';
try {
  for (const [m, screenModel] of modelDirs.entries()) {
    const screenCard = readModelCard(screenModel);
    console.log(`model ${screenCard.name} (${screenCard.id}): ${screenCard.ensemble.members} members${screenCard.ensemble.sharedTrunk ? ' sharing one encoder (distilled)' : ''}, d_model ${screenCard.config.dModel}`);
    for (const n of sizes) {
      const file = join(dir, `screen-${m}-${n}.sqlite`);
      const library = Library.open(file);
      peakRss = process.memoryUsage().rss;
      const started = performance.now();
      const result = await runScreen({ table, library, inputs: { options: space, modelDir: screenModel, shard: null, limit: n }, workers, backend: backend.name, batchSize: 4096 });
      const seconds = (performance.now() - started) / 1000;
      console.log(`${n.toLocaleString('en')} candidates: ${seconds.toFixed(1)} s end to end (exact count of the space included), ${Math.round(result.done / seconds).toLocaleString('en')} candidates/s; screening loop ${Math.round(result.done / result.seconds).toLocaleString('en')}/s; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
      library.close();
      if (m === 0) lastLibrary = file;
    }
  }
  // bulk insert speed alone
  const lib = Library.open(join(dir, 'insert.sqlite'));
  lib.upsertModel({ ...card, id: 'none' }, modelDir);
  const screenId = lib.createScreen({ options: space, modelDir, shard: null }, 'none', null, null);
  const fake = Array.from({ length: 10_000 }, (_, i) => candidateRecord({ seq: i, formula: 'CaTiO3', sites: [{ site: 'A' as const, species: [{ element: 'Ca' as const, amount: 1 }] }], oxidationStates: { Ca: 2 }, tolerance: 1, octahedral: 0.4, tau: 3.9, radii: [] }, 0)); // known 0: checked, as a screen writes it
  const preds = fake.map(() => ({ bandGap: { value: 1, sigma: 0.1 }, stability: { probability: 0.5, spread: 0.1, decision: true }, other: {} }));
  const ti = performance.now();
  for (let k = 0; k < 10; k += 1) lib.writeBatch(screenId, 'none', fake.map((c) => ({ ...c, seq: c.seq + k * 10_000 })), preds, (k + 1) * 10_000);
  console.log(`SQLite insert: ${Math.round(100_000 / ((performance.now() - ti) / 1000)).toLocaleString('en')} candidate + prediction rows/s (transactions of 10,000)`);
  lib.close();
  // query latency over the largest screen
  const big = Library.openReadonly(lastLibrary);
  const count = big.screen(1).done;
  const queries: [string, CandidateQuery][] = [
    ['gap 1.2-1.8 eV and P(stable) >= 0.5, sorted by P(stable)', { screenId: 1, gap: [1.2, 1.8], stableMin: 0.5, sort: { column: 'p_stable', descending: true }, limit: 100 }],
    ['tau < 4.18, sorted by band gap', { screenId: 1, tau: [-100, 4.18], sort: { column: 'band_gap', descending: false }, limit: 100 }],
    ['contains Sn, no Pb, sorted by sigma', { screenId: 1, include: ['Sn'], exclude: ['Pb'], sort: { column: 'band_gap_sigma', descending: false }, limit: 100 }],
  ];
  for (const [label, q] of queries) {
    big.query(q);
    const tq = performance.now();
    const r = big.query(q);
    const qms = performance.now() - tq;
    const te = performance.now();
    const exact = big.query({ ...q, exactTotal: true });
    console.log(`query over ${count.toLocaleString('en')} candidates (${label}): first page ${qms.toFixed(0)} ms (${r.exact ? r.total : `>${(r.total - 1).toLocaleString('en')}`} match); with an exact count ${(performance.now() - te).toFixed(0)} ms (${exact.total.toLocaleString('en')})`);
  }
  for (const [label, filters] of [['no filter', { screenId: 1 }], ['gap 1.2-1.8 eV and P(stable) >= 0.5', { screenId: 1, gap: [1.2, 1.8] as [number, number], stableMin: 0.5 }]] as const) {
    const th = performance.now();
    big.histogram(filters, 40);
    const hms = performance.now() - th;
    const ts = performance.now();
    const sc = big.scatter(filters, 5000, [1.2, 1.8]);
    console.log(`histogram over ${count.toLocaleString('en')} candidates (${label}): ${hms.toFixed(0)} ms; scatter sample of ${sc.ids.length.toLocaleString('en')} points: ${(performance.now() - ts).toFixed(0)} ms`);
  }
  big.close();
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
