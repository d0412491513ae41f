/**
 * `npm run bench:campaign`: simulated discovery campaigns on the seed set. Does choosing what to
 * compute next with the model find more of what a user is after than picking at random, or than
 * trusting the model's mean alone?
 *
 * The pool is the 2,693 formulas of mp_abx3 (one row per formula: the lowest-energy polymorph's PBE
 * gap; stable if any polymorph is on the Materials Project hull), their labels hidden. A hit is a
 * stable composition with a PBE gap in 1.0-1.8 eV (76 of the 2,693). Each campaign starts from a
 * random labelled seed of 20 formulas and acquires k = 10 per round for 8 rounds; after each round
 * the model is trained again on everything labelled so far, fine-tuned from the pretrained encoder
 * (`resources/models/pretrained-mp-gap-d32`: mp_gap with every mp_abx3 and expt_gap composition left
 * out, so it has never seen a pool label) with rehearsal of 300 rows of its own pretraining data (a
 * quarter of the labelled rows held for early stopping, the rest repeated up to the rehearsal's size,
 * at most 20 times: not `pdw update-model`'s mix, which fine-tunes a screening model). Strategies, over
 * 3 seeds (the same seed set for each strategy):
 *   random  k formulas drawn at random;
 *   greedy  the k best by the model's means alone: P(stable) x exp(-d / 0.1 eV), d the distance of
 *           the predicted gap to the window (0 inside);
 *   ucb-lp  the Results view's next batch: UCB (kappa 1) with local penalization in composition
 *           space (l = 0.1) over the best 500 (services/next-batch.ts).
 * Writes reports/campaign/summary.md, report.json and discovery.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compositionKey } from '../shared/composition/key.js';
import { loadElementTable } from '../src-main/data/elements/load.js';
import { loadNamedDataset } from '../src-main/data/datasets/index.js';
import { projectRoot, resourcesDir } from '../src-main/data/paths.js';
import { describeBackend, initBackend } from '../src-main/engine/backend.js';
import { lineChartSvg } from '../src-main/engine/evaluate/plots.js';
import { readModelCard } from '../src-main/engine/model/bundle.js';
import type { Example } from '../src-main/engine/train/data.js';
import { onePerFormula } from '../src-main/engine/train/protocols.js';
import { Rng } from '../src-main/engine/random.js';
import { ucbScore } from '../src-main/library/index.js';
import { atomicFractions } from '../src-main/services/composition-distance.js';
import { modelConfigFor, trainingSettingsFor } from '../src-main/services/model-recipe.js';
import { selectBatch } from '../src-main/services/next-batch.js';
import { TrainingService } from '../src-main/services/training.js';

const WINDOW: readonly [number, number] = [1.0, 1.8];
const ROUNDS = Number(process.env['PDW_CAMPAIGN_ROUNDS'] ?? 8);
const K = 10;
const SEED_SIZE = 20;
const SEEDS = (process.env['PDW_CAMPAIGN_SEEDS'] ?? '1,2,3').split(',').map(Number);
const REHEARSAL = 300;
const MEMBERS = 2;
const EPOCHS = 15;
const STRATEGIES = ['random', 'greedy', 'ucb-lp'] as const;
type Strategy = (typeof STRATEGIES)[number];

const backend = await initBackend(process.argv[2]);
const table = loadElementTable();
const training = new TrainingService(table, backend.name);
const pretrainedDir = join(resourcesDir(), 'models', 'pretrained-mp-gap-d32');

const pool: Example[] = onePerFormula(loadNamedDataset('mp_abx3')).map((e) => ({ ...e, targets: { band_gap: e.targets['band_gap'] ?? null, stable: e.targets['stable'] ?? null } }));
const isHit = (e: Example): boolean => e.targets['stable'] === 1 && e.targets['band_gap']! >= WINDOW[0] && e.targets['band_gap']! <= WINDOW[1];
const hitsInPool = pool.filter(isHit).length;
// rehearsal: the pretraining data (mp_gap without the compositions of mp_abx3 and expt_gap), gap only
const heldOut = new Set([...pool.map((e) => compositionKey(e.composition)), ...loadNamedDataset('expt_gap').rows.map((r) => compositionKey(r.composition))]);
const pretraining = loadNamedDataset('mp_gap').rows.filter((r) => r.composition.elements.length <= 6 && !heldOut.has(compositionKey(r.composition)));
const fractions = pool.map((e) => atomicFractions(e.composition));
const campaignConfig = modelConfigFor({}, ['band_gap', 'stable'], 'stable', readModelCard(pretrainedDir).config);
const pretrained = training.loadPretrained(pretrainedDir, campaignConfig);

console.log(`backend ${describeBackend(backend)}; pool ${pool.length} formulas of mp_abx3, ${hitsInPool} hits (stable, PBE gap ${WINDOW[0]}-${WINDOW[1]} eV); seed ${SEED_SIZE}, k ${K}, ${ROUNDS} rounds, seeds ${SEEDS.join(', ')}; model: ${MEMBERS} members fine-tuned from pretrained-mp-gap-d32 each round (${EPOCHS} epochs, ${REHEARSAL} rehearsal rows)`);

/** Trains on the labelled rows (a quarter held for early stopping and calibration), fine-tuned from the pretrained encoder. */
async function fit(labelled: readonly number[], seed: number): Promise<{ predict: (ids: readonly number[]) => { gap: number; sigma: number; p: number; spread: number }[]; dispose: () => void }> {
  const rng = new Rng(seed);
  const order = rng.shuffle([...labelled]);
  const nVal = Math.max(5, Math.round(order.length / 4));
  const val = order.slice(0, nVal).map((i) => pool[i]!);
  const trainRows = order.slice(nVal).map((i) => pool[i]!);
  const rehearsal = rng.shuffle(pretraining.map((_, i) => i)).slice(0, REHEARSAL).map((i): Example => ({ formula: pretraining[i]!.formula, composition: pretraining[i]!.composition, targets: { band_gap: pretraining[i]!.targets['band_gap'] ?? null, stable: null } }));
  const repeats = Math.max(1, Math.min(20, Math.ceil(REHEARSAL / trainRows.length)));
  const result = await training.fit({
    training: {
      split: { name: 'campaign', train: [...rehearsal, ...Array.from({ length: repeats }, () => trainRows).flat()], val, test: [] },
      source: 'campaign', sha256: '', dataset: loadNamedDataset('expt_gap'), classificationTarget: 'stable', targetsMeaning: { band_gap: 'PBE band gap (eV)', stable: 'on the MP hull' },
    },
    config: campaignConfig,
    settings: trainingSettingsFor({ epochs: EPOCHS, seed }),
    members: MEMBERS,
    parallel: 2,
    name: 'campaign',
    bandGapTarget: 'band_gap',
    initFrom: pretrained,
  });
  return {
    predict: (ids) => result.predictor.predict(ids.map((i) => pool[i]!.composition)).map((p) => ({ gap: p.regression['band_gap']!.value, sigma: p.regression['band_gap']!.sigma, p: p.classification?.probability ?? 0, spread: p.classification?.spread ?? 0 })),
    dispose: () => result.predictor.dispose(),
  };
}

async function acquire(strategy: Strategy, labelled: readonly number[], rng: Rng, seed: number): Promise<number[]> {
  const taken = new Set(labelled);
  const open = pool.map((_, i) => i).filter((i) => !taken.has(i));
  if (strategy === 'random') return rng.shuffle(open).slice(0, K);
  const model = await fit(labelled, seed);
  const predicted = model.predict(open);
  model.dispose();
  if (strategy === 'greedy') {
    const score = predicted.map((q) => q.p * Math.exp(-Math.max(0, WINDOW[0] - q.gap, q.gap - WINDOW[1]) / 0.1));
    return open.map((i, j) => [i, score[j]!] as const).sort((a, b) => b[1] - a[1]).slice(0, K).map(([i]) => i);
  }
  const ranked = open.map((i, j) => ({ i, score: ucbScore(predicted[j]!.gap, predicted[j]!.sigma, predicted[j]!.p, predicted[j]!.spread, WINDOW[0], WINDOW[1], 1) })).sort((a, b) => b.score - a.score).slice(0, 500);
  return selectBatch(ranked.map((r) => ({ score: r.score, fractions: fractions[r.i]! })), K, 0.1).map((p) => ranked[p.index]!.i);
}

const curves: Record<Strategy, number[][]> = { random: [], greedy: [], 'ucb-lp': [] };
const started = performance.now();
for (const seed of SEEDS) {
  const seedSet = new Rng(1000 + seed).shuffle(pool.map((_, i) => i)).slice(0, SEED_SIZE);
  for (const strategy of STRATEGIES) {
    const rng = new Rng(seed * 31 + STRATEGIES.indexOf(strategy));
    const labelled = [...seedSet];
    const cumulative = [0];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const picks = await acquire(strategy, labelled, rng, seed * 100 + round);
      labelled.push(...picks);
      cumulative.push(cumulative.at(-1)! + picks.filter((i) => isHit(pool[i]!)).length);
    }
    curves[strategy].push(cumulative);
    console.log(`seed ${seed}, ${strategy}: hits after each round ${cumulative.slice(1).join(' ')} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: readonly number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const byRound = (s: Strategy): { mean: number[]; std: number[] } => ({
  mean: Array.from({ length: ROUNDS + 1 }, (_, r) => mean(curves[s].map((c) => c[r]!))),
  std: Array.from({ length: ROUNDS + 1 }, (_, r) => std(curves[s].map((c) => c[r]!))),
});
const stats = Object.fromEntries(STRATEGIES.map((s) => [s, byRound(s)])) as Record<Strategy, { mean: number[]; std: number[] }>;
const expectedRandom = (r: number): number => (r * K * hitsInPool) / pool.length;
const final = (s: Strategy): number => stats[s].mean[ROUNDS]!;

const out = join(projectRoot(), 'reports', 'campaign');
mkdirSync(out, { recursive: true });
const colors: Record<Strategy, string> = { random: '#888888', greedy: '#e08214', 'ucb-lp': '#2f5bd3' };
writeFileSync(join(out, 'discovery.svg'), lineChartSvg(
  `Hits found: stable, PBE gap ${WINDOW[0]}-${WINDOW[1]} eV (mean of ${SEEDS.length} seeds)`,
  STRATEGIES.map((s) => ({ label: s, values: stats[s].mean, color: colors[s] })),
  'hits found (cumulative)', `round (${K} formulas acquired per round, after a seed of ${SEED_SIZE})`, true,
));
const command = `npm run bench:campaign${process.argv[2] ? ` -- ${process.argv[2]}` : ''}`;
const rows = Array.from({ length: ROUNDS }, (_, k) => k + 1).map((r) => `| ${r} | ${r * K} | ${STRATEGIES.map((s) => `${stats[s].mean[r]!.toFixed(1)} ± ${stats[s].std[r]!.toFixed(1)}`).join(' | ')} | ${expectedRandom(r).toFixed(1)} |`);
const summary = `# Simulated discovery campaigns (issue 15)

Command: \`${command}\`; backend ${describeBackend(backend)}; ${((performance.now() - started) / 1000 / 60).toFixed(1)} min; written ${new Date().toISOString()}.

Pool: the ${pool.length} formulas of mp_abx3 (one row per formula), labels hidden; a **hit** is a composition
on the Materials Project hull with a PBE band gap in ${WINDOW[0]}-${WINDOW[1]} eV (${hitsInPool} in the pool,
${((100 * hitsInPool) / pool.length).toFixed(1)}%). Each campaign starts from ${SEED_SIZE} random labelled formulas
and acquires ${K} per round; before each round the model is trained again on every label so far
(${MEMBERS} members, ${EPOCHS} epochs, fine-tuned from \`pretrained-mp-gap-d32\`, which never saw an mp_abx3
composition, with ${REHEARSAL} rows of its pretraining data rehearsed). Seeds ${SEEDS.join(', ')}; the three
strategies share each seed's starting set. See \`bench/campaign.ts\` for the strategies.

Cumulative hits among the acquired formulas (mean ± standard deviation over seeds):

| round | acquired | ${STRATEGIES.join(' | ')} | random, expected |
|---|---|---|---|---|---|
${rows.join('\n')}

After ${ROUNDS} rounds: ucb-lp ${final('ucb-lp').toFixed(1)}, greedy ${final('greedy').toFixed(1)}, random ${final('random').toFixed(1)} hits
(random expected ${expectedRandom(ROUNDS).toFixed(1)}): ucb-lp / random = ${(final('ucb-lp') / Math.max(final('random'), expectedRandom(ROUNDS))).toFixed(1)}x
(against the larger of the measured and the expected random count); ucb-lp ${final('ucb-lp') > final('greedy') ? 'beats' : 'does not beat'} greedy.

![discovery curve](discovery.svg)
`;
writeFileSync(join(out, 'summary.md'), summary);
writeFileSync(join(out, 'report.json'), `${JSON.stringify({ command, window: WINDOW, pool: pool.length, hitsInPool, seedSize: SEED_SIZE, k: K, rounds: ROUNDS, seeds: SEEDS, curves, stats }, null, 1)}\n`);
console.log(summary);
