/**
 * The workbench's services behind the typed contract (shared/api/contract.ts): one handler per
 * channel, used by both adapters (the local HTTP server and Electron's IPC gateway). Long work
 * (screens, training) runs in worker threads and reports through `events`.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { RequestOf, ResultOf, Channel, WorkbenchApi } from '../../shared/api/contract.js';
import type { ElementInfo, WorkbenchEvent } from '../../shared/api/types.js';
import { parseFormulaOrThrow, type Composition, type ElementSymbol } from '../../shared/index.js';
import { loadNamedDataset } from '../data/datasets/index.js';
import type { ElementTable } from '../data/elements/load.js';
import { headline } from '../engine/evaluate/report.js';
import { saveModel } from '../engine/model/bundle.js';
import { DEFAULT_MODEL_CONFIG } from '../engine/model/config.js';
import { EnsemblePredictor } from '../engine/model/predictor.js';
import { defaultFeaturizerSettings } from '../engine/featurize/index.js';
import { fitModel } from '../engine/train/fit.js';
import { onePerFormula } from '../engine/train/protocols.js';
import { loadTrainingData } from '../engine/train/sources.js';
import { DEFAULT_TRAINING, TrainingCancelled } from '../engine/train/trainer.js';
import { countCandidates } from '../enumerate/enumerate.js';
import { shannonRadius, SITE_COORDINATION } from '../enumerate/geometry.js';
import { exportCsv } from '../library/export.js';
import { Library } from '../library/library.js';
import { CANDIDATE_JOIN, queryCandidates, whereClause, type CandidateQuery } from '../library/query.js';
import { paretoFronts, windowProbability } from '../library/ranking.js';
import { runScreen } from '../screen/screen.js';

export interface WorkbenchOptions {
  readonly table: ElementTable;
  readonly libraryFile: string;
  readonly modelDir: string;
  readonly workspaceDir: string;
  readonly backend: string;
  readonly workers?: number;
}

interface TrainingJob {
  status: 'running' | 'done' | 'cancelled' | 'failed';
  message: string | null;
  controller: AbortController;
  summary: ResultOf<'training'>;
}

const COUNT_BUDGET_MS = 1500;

export class Workbench {
  readonly events = new EventEmitter();
  private readonly library: Library;
  private modelDir: string;
  private predictor: EnsemblePredictor | null = null;
  private readonly screens = new Map<number, AbortController>();
  private readonly jobs = new Map<number, TrainingJob>();
  private nextJob = 1;
  private training: { formula: string; composition: Composition; gap: number | null; stable: boolean | null }[] | null = null;

  constructor(private readonly options: WorkbenchOptions) {
    this.library = new Library(options.libraryFile);
    this.modelDir = options.modelDir;
  }

  private emit(event: WorkbenchEvent): void {
    this.events.emit('event', event);
  }

  private model(): EnsemblePredictor {
    if (!this.predictor) {
      try {
        this.predictor = EnsemblePredictor.load(this.modelDir, this.options.table);
      } catch (e) {
        throw new Error(`no model available (${(e as Error).message}); train one in the Training view or run 'npm run train:default'`);
      }
    }
    return this.predictor;
  }

  /** The handlers, one per channel. */
  readonly api: WorkbenchApi = {
    elements: async () => this.elements(),
    model: async () => {
      try {
        const card = this.model().card;
        return { id: card.id, name: card.name, dir: this.modelDir, members: card.ensemble.members, targets: card.targets, metrics: card.metrics, threshold: card.ensemble.threshold };
      } catch {
        return null;
      }
    },
    count: async (space) => countCandidates(this.options.table, space, Number.POSITIVE_INFINITY, performance.now() + COUNT_BUDGET_MS),
    startScreen: async ({ space }) => this.startScreen({ inputs: { options: space, modelDir: this.modelDir, shard: null } }),
    cancelScreen: async ({ screenId }) => {
      const c = this.screens.get(screenId);
      c?.abort();
      return { ok: c !== undefined };
    },
    resumeScreen: async ({ screenId }) => {
      this.library.screen(screenId);
      await this.startScreen({ resumeId: screenId });
      return { ok: true };
    },
    screens: async () => this.library.screens().map((s) => ({ id: s.id, status: s.status, done: s.done, total: s.total, modelId: s.modelId, createdAt: s.createdAt, updatedAt: s.updatedAt, error: s.error })),
    query: async (q) => queryCandidates(this.library, q as CandidateQuery),
    histogram: async (q) => this.histogram(q),
    scatter: async (q) => this.scatter(q),
    detail: async ({ candidateId }) => this.detail(candidateId),
    exportCsv: async (q) => {
      const dir = mkdtempSync(join(tmpdir(), 'pdw-export-'));
      try {
        const file = join(dir, 'shortlist.csv');
        const { notes, ...query } = q;
        const rows = await exportCsv(this.library, query as CandidateQuery, file, notes ?? {});
        return { csv: readFileSync(file, 'utf8'), rows };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    previewCsv: async ({ csv }) => {
      const records = parseCsv(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, to_line: 6 }) as string[][];
      if (records.length === 0) throw new Error('the CSV is empty');
      return { header: records[0]!, preview: records.slice(1) };
    },
    startTraining: async (req) => this.startTraining(req),
    cancelTraining: async ({ jobId }) => {
      const job = this.jobs.get(jobId);
      job?.controller.abort();
      return { ok: job !== undefined };
    },
    training: async ({ jobId }) => {
      const job = this.jobs.get(jobId);
      if (!job) throw new Error(`no training job ${jobId}`);
      return job.summary;
    },
  };

  /** Runs one channel's handler (the adapters call this after validating the request). */
  handle<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResultOf<C>> {
    return (this.api[channel] as (r: RequestOf<C>) => Promise<ResultOf<C>>)(request);
  }

  private elements(): ElementInfo[] {
    return this.options.table.elements.map((e) => {
      const radii = e.shannonRadii
        .filter((r) => [6, 8, 12].includes(r.coordination))
        .map((r) => `${r.oxidationState > 0 ? '+' : ''}${r.oxidationState} CN${r.coordination}${r.spin ? ` ${r.spin === 'High Spin' ? 'HS' : 'LS'}` : ''}: ${r.ionicRadius} Å`);
      return {
        symbol: e.symbol,
        z: e.z,
        name: e.name,
        layout: e.layout,
        commonOxidationStates: e.commonOxidationStates,
        icsdOxidationStates: e.icsdOxidationStates,
        radii,
        usable: e.mat2vec !== null && (e.commonOxidationStates.length > 0 || e.icsdOxidationStates.length > 0) && e.shannonRadii.length > 0,
      };
    });
  }

  private async startScreen(args: { inputs?: Parameters<typeof runScreen>[0]['inputs']; resumeId?: number }): Promise<{ screenId: number }> {
    this.model(); // fail early with a clear message when there is no model
    const controller = new AbortController();
    let announce: (id: number) => void = () => undefined;
    const started = new Promise<number>((resolve) => (announce = resolve));
    let knownId: number | null = args.resumeId ?? null;
    if (knownId !== null) announce(knownId);
    const run = runScreen({
      table: this.options.table,
      library: this.library,
      workers: this.options.workers ?? Math.max(1, availableParallelism()),
      backend: this.options.backend,
      signal: controller.signal,
      onProgress: (p) => {
        if (knownId === null) {
          knownId = p.screenId;
          announce(p.screenId);
        }
        this.emit({ type: 'screen-progress', ...p });
      },
      ...(args.inputs ? { inputs: args.inputs } : {}),
      ...(args.resumeId !== undefined ? { resumeId: args.resumeId } : {}),
    });
    run.then(
      (r) => {
        if (knownId === null) announce(r.screenId);
        this.screens.delete(r.screenId);
        this.emit({ type: 'screen-finished', screenId: r.screenId, status: r.status, error: null });
      },
      (e: Error) => {
        const id = knownId ?? this.library.screens().at(-1)?.id ?? 0;
        if (knownId === null) announce(id);
        this.screens.delete(id);
        this.emit({ type: 'screen-finished', screenId: id, status: 'failed', error: e.message });
      },
    );
    const screenId = await started;
    this.screens.set(screenId, controller);
    return { screenId };
  }

  private filtered(q: RequestOf<'histogram'> | RequestOf<'scatter'>): { where: string; params: Record<string, string | number> } {
    const { sql, params } = whereClause(q as CandidateQuery);
    return { where: sql, params };
  }

  private histogram(q: RequestOf<'histogram'>): ResultOf<'histogram'> {
    const { where, params } = this.filtered(q);
    const gaps = (this.library.db.prepare(`SELECT p.band_gap AS g FROM ${CANDIDATE_JOIN} WHERE ${where} AND p.band_gap IS NOT NULL`).pluck().all(params) as number[]);
    const hi = Math.max(1, ...gaps.slice(0, 200_000).map((g) => Math.ceil(g)));
    const edges = Array.from({ length: q.bins + 1 }, (_, i) => (hi * i) / q.bins);
    const counts = new Array<number>(q.bins).fill(0);
    for (const g of gaps) counts[Math.min(q.bins - 1, Math.max(0, Math.floor((g / hi) * q.bins)))]! += 1;
    return { edges, counts };
  }

  private scatter(q: RequestOf<'scatter'>): ResultOf<'scatter'> {
    const { where, params } = this.filtered(q);
    const total = (this.library.db.prepare(`SELECT count(*) FROM ${CANDIDATE_JOIN} WHERE ${where}`).pluck().get(params) as number);
    const stride = Math.max(1, Math.ceil(total / q.maxPoints));
    const rows = this.library.db
      .prepare(`SELECT c.id, c.formula, c.tau, p.band_gap, p.band_gap_sigma, p.p_stable FROM ${CANDIDATE_JOIN} WHERE ${where} AND (c.seq % ${stride}) = 0`)
      .all(params) as { id: number; formula: string; tau: number | null; band_gap: number; band_gap_sigma: number; p_stable: number }[];
    const fronts = paretoFronts(rows.map((r) => windowProbability(r.band_gap, r.band_gap_sigma, q.window[0], q.window[1])), rows.map((r) => r.p_stable));
    return {
      ids: rows.map((r) => r.id),
      gap: rows.map((r) => r.band_gap),
      pStable: rows.map((r) => r.p_stable),
      tau: rows.map((r) => r.tau),
      formulas: rows.map((r) => r.formula),
      pareto: rows.filter((_, i) => fronts[i] === 1).map((r) => r.id),
      total,
    };
  }

  private trainingSet(): NonNullable<Workbench['training']> {
    if (!this.training) {
      try {
        this.training = onePerFormula(loadNamedDataset('mp_abx3')).map((e) => ({
          formula: e.formula,
          composition: e.composition,
          gap: e.targets['band_gap'] ?? null,
          stable: e.targets['stable'] === undefined || e.targets['stable'] === null ? null : e.targets['stable'] === 1,
        }));
      } catch {
        this.training = [];
      }
    }
    return this.training;
  }

  private detail(candidateId: number): ResultOf<'detail'> {
    const raw = this.library.db.prepare('SELECT screen_id FROM candidates WHERE id = ?').get(candidateId) as { screen_id: number } | undefined;
    if (!raw) throw new Error(`no candidate ${candidateId}`);
    const page = queryCandidates(this.library, { screenId: raw.screen_id, ids: [candidateId], limit: 1 });
    const candidate = page.rows[0]!;
    const composition = parseFormulaOrThrow(candidate.formula);
    const predictor = this.model();
    const attention = predictor.attention(composition);
    const edm = predictor.featurizer.featurize(composition);
    const layout = predictor.featurizer.layout;
    const values = edm.elements.map((_, r) => Array.from(edm.values.subarray(r * edm.width, (r + 1) * edm.width)));
    const columns = Array.from({ length: edm.width }, (_, k) => (k < layout.mat2vec[1] ? `mat2vec ${k}` : k < layout.attributes[1] ? `attr ${k - layout.attributes[0]}` : `frac ${k - layout.fraction[0]}`));
    const radii = Object.entries(candidate.oxidationStates).map(([el, state]) => {
      const site = candidate.sites.find((s) => s.species.some((sp) => sp.element === el))?.site ?? 'B';
      const r = shannonRadius(this.options.table, el as ElementSymbol, state, SITE_COORDINATION[site]);
      return r ? `${el}${state > 0 ? '+' : ''}${state} (site ${site}): ${r.radius} Å at CN ${r.coordination}${r.fallback ? ' (fallback)' : ''}` : `${el}: no radius`;
    });
    const fractions = new Map(composition.elements.map((e) => [e.element, e.fraction]));
    const neighbours = this.trainingSet()
      .map((t) => {
        let d = 0;
        const seen = new Set<string>();
        for (const e of t.composition.elements) {
          d += Math.abs(e.fraction - (fractions.get(e.element) ?? 0));
          seen.add(e.element);
        }
        for (const [el, f] of fractions) if (!seen.has(el)) d += f;
        return { formula: t.formula, distance: d, bandGap: t.gap, stable: t.stable };
      })
      .sort((a, b) => a.distance - b.distance)
      .slice(0, 6);
    return { candidate, radii, attention, edm: { rows: [...edm.elements], values, columns }, neighbours };
  }

  private startTraining(req: RequestOf<'startTraining'>): ResultOf<'startTraining'> {
    const jobId = this.nextJob++;
    const dir = join(this.options.workspaceDir, 'uploads');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `training-${jobId}.csv`);
    writeFileSync(file, req.csv);
    const controller = new AbortController();
    const job: TrainingJob = {
      status: 'running',
      message: null,
      controller,
      summary: { jobId, status: 'running', message: null, rows: null, problems: [], modelDir: null, metrics: null, parity: null, confusion: null },
    };
    this.jobs.set(jobId, job);
    const finish = (patch: Partial<ResultOf<'training'>>): void => {
      job.summary = { ...job.summary, ...patch };
      this.emit({ type: 'train-finished', jobId, status: job.summary.status });
    };
    void (async () => {
      try {
        const data = loadTrainingData({ data: file, targets: req.targets, protocol: req.protocol, formulaColumn: req.formulaColumn, testFold: 0, seed: 1, maxElements: 6 });
        job.summary = { ...job.summary, rows: { train: data.split.train.length, val: data.split.val.length, test: data.split.test.length }, problems: data.dataset.problems.slice(0, 200) };
        const classification = req.targets.find((t) => data.dataset.spec.targets.find((s) => s.name === t)?.kind === 'boolean') ?? null;
        const config = { ...DEFAULT_MODEL_CONFIG, dModel: req.dModel, trunk: req.dModel, layers: req.layers, heads: req.dModel % 4 === 0 ? 4 : 2, feedForward: req.dModel * 2, regressionTargets: req.targets.filter((t) => t !== classification), classificationTarget: classification };
        const result = await fitModel({
          table: this.options.table,
          split: data.split,
          config,
          featurizer: defaultFeaturizerSettings(this.options.table),
          settings: { ...DEFAULT_TRAINING, epochs: req.epochs, patience: Math.max(5, Math.round(req.epochs / 3)) },
          members: req.members,
          parallel: Math.max(1, availableParallelism()),
          backend: this.options.backend,
          name: `trained-${jobId}`,
          targetsMeaning: data.targetsMeaning,
          data: { source: file, sha256: data.sha256 },
          signal: controller.signal,
          onProgress: (member, p) =>
            this.emit({ type: 'train-progress', jobId, member, epoch: p.epoch, epochs: p.epochs, valMae: Object.values(p.valMae)[0] ?? null, valAuc: p.valAuc, trainLoss: p.trainLoss, samplesPerSecond: p.samplesPerSecond, etaSeconds: p.etaSeconds }),
        });
        const modelDir = join(this.options.workspaceDir, 'models', `trained-${jobId}`);
        const report = result.test ?? result.validation;
        const { weights: _w, ...card } = { ...result.predictor.card, metrics: { validation: headline(result.validation), ...(result.test ? { test: headline(result.test) } : {}) } };
        await saveModel(modelDir, card, result.predictor.bundle.members);
        result.predictor.dispose();
        if (req.activate) {
          this.predictor?.dispose();
          this.predictor = null;
          this.modelDir = modelDir;
        }
        const firstReg = Object.values(report.regression)[0];
        const c = report.classification?.atChosenThreshold;
        job.status = 'done';
        finish({ status: 'done', modelDir, metrics: headline(report), parity: firstReg ? { truth: firstReg.truth, predicted: firstReg.predicted } : null, confusion: c ? { tn: c.tn, fp: c.fp, fn: c.fn, tp: c.tp } : null });
      } catch (e) {
        job.status = e instanceof TrainingCancelled ? 'cancelled' : 'failed';
        finish({ status: job.status, message: (e as Error).message });
      }
    })();
    return { jobId };
  }

  close(): void {
    for (const c of this.screens.values()) c.abort();
    for (const j of this.jobs.values()) j.controller.abort();
    this.predictor?.dispose();
    this.library.close();
  }
}
