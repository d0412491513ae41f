/**
 * Training jobs for the training view: an uploaded CSV (kept in memory, never written to disk) is
 * trained in the background with progress events; the result is saved under the workspace and made
 * the screening model only when the request asks for it and the model has a band-gap target.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { RequestOf } from '../../shared/api/contract.js';
import type { TrainComparison, TrainSummary, WorkbenchEvent } from '../../shared/api/types.js';
import { modelRoles } from '../engine/model/roles.js';
import type { Example } from '../engine/train/data.js';
import { NotFoundError } from './errors.js';
import { modelConfigFor, trainingSettingsFor } from './model-recipe.js';
import type { ModelStore } from './models.js';
import { headline, TrainingCancelled, TrainingError, type FitResult, type TrainingService, type TrainProgress } from './training.js';
import type { ModelUpdateResult } from './model-update.js';

interface Job {
  controller: AbortController;
  summary: TrainSummary;
}

export class TrainingJobs {
  private readonly jobs = new Map<number, Job>();
  private nextJob = 1;

  constructor(
    private readonly training: TrainingService,
    private readonly models: ModelStore,
    private readonly workspaceModels: string,
    private readonly emit: (event: WorkbenchEvent) => void,
  ) {}

  private newJob(): { jobId: number; job: Job } {
    const jobId = this.nextJob++;
    const job: Job = {
      controller: new AbortController(),
      summary: { jobId, status: 'running', message: null, rows: null, problems: [], modelDir: null, metrics: null, parity: null, curveLabel: null, bestEpochs: null, confusion: null, comparison: null, startedFrom: null, update: null },
    };
    this.jobs.set(jobId, job);
    return { jobId, job };
  }

  private progress(jobId: number): (member: number, p: TrainProgress) => void {
    return (member, p) =>
      this.emit({ type: 'train-progress', jobId, member, epoch: p.epoch, epochs: p.epochs, valMae: Object.values(p.valMae)[0] ?? null, valAuc: p.valAuc, trainLoss: p.trainLoss, samplesPerSecond: p.samplesPerSecond, etaSeconds: p.etaSeconds });
  }

  /**
   * Runs a job's work in the background: the summary takes what the work returns, as done, or the
   * failure (cancelled, or failed with the rejected rows of bad data); then 'train-finished'.
   */
  private runJob(jobId: number, job: Job, work: () => Promise<Partial<TrainSummary>>): void {
    void (async () => {
      try {
        const patch = await work(); // before reading the summary: the work updates it as it goes
        job.summary = { ...job.summary, ...patch, status: 'done' };
      } catch (e) {
        job.summary = {
          ...job.summary,
          status: e instanceof TrainingCancelled ? 'cancelled' : 'failed',
          message: (e as Error).message,
          ...(e instanceof TrainingError && e.problems.length ? { problems: e.problems.slice(0, 200) } : {}),
        };
      }
      this.emit({ type: 'train-finished', jobId, status: job.summary.status });
    })();
  }

  /** Makes a saved model the screening model; the reason it could not, or null. */
  private activationProblem(modelDir: string): string | null {
    try {
      this.models.activate(modelDir);
      return null;
    } catch (e) {
      return `saved, but not made the screening model: ${(e as Error).message}`;
    }
  }

  /**
   * Updates a screen's model with the results imported for it (model-update.ts) as a job with the
   * same progress events and cancel as training; the model is saved under the workspace and made the
   * screening model when asked.
   */
  startUpdate(screenId: number, activate: boolean, run: (outDir: string, onProgress: (member: number, p: TrainProgress) => void, signal: AbortSignal, onPhase: (phase: string) => void) => Promise<ModelUpdateResult>): { jobId: number } {
    const { jobId, job } = this.newJob();
    this.runJob(jobId, job, async () => {
      const modelDir = join(this.workspaceModels, `updated-${screenId}-${jobId}`);
      const r = await run(modelDir, this.progress(jobId), job.controller.signal, (phase) => this.emit({ type: 'train-phase', jobId, phase }));
      const { modelDir: _dir, card: _card, baseModelDir: _base, ...update } = r;
      return { modelDir, startedFrom: r.baseModel, curveLabel: `validation MAE of ${r.gapTarget} (eV) on the reference rows`, update, message: activate ? this.activationProblem(modelDir) : null };
    });
    return { jobId };
  }

  start(req: RequestOf<'startTraining'>): { jobId: number } {
    const { jobId, job } = this.newJob();
    const controller = job.controller;
    const update = (patch: Partial<TrainSummary>): void => {
      job.summary = { ...job.summary, ...patch };
    };
    this.runJob(jobId, job, async () => {
      const data = this.training.loadData({ data: 'uploaded CSV', text: req.csv, targets: req.targets, protocol: req.protocol, formulaColumn: req.formulaColumn, testFold: 0, seed: 1, maxElements: 6 });
      update({ rows: { train: data.split.train.length, val: data.split.val.length, test: data.split.test.length }, problems: data.dataset.problems.slice(0, 200) });
      // fine-tuning starts from the screening model's weights, so its architecture is the screening model's
      const base = req.startFrom === 'screening-model' ? this.models.card() : null;
      const config = base ? modelConfigFor({}, req.targets, data.classificationTarget, base.config) : modelConfigFor({ dModel: req.dModel, layers: req.layers }, req.targets, data.classificationTarget);
      const initFrom = base ? this.training.loadPretrained(this.models.activeDir, config) : undefined;
      const curveTarget = config.regressionTargets[0];
      const unitOf = (target: string): string => (target === req.bandGapTarget ? 'eV' : '');
      update({
        startedFrom: base?.name ?? null,
        curveLabel: curveTarget === undefined ? 'training loss' : `validation MAE of ${curveTarget}${unitOf(curveTarget) ? ` (${unitOf(curveTarget)})` : ''}`,
      });
      const modelDir = join(this.workspaceModels, `trained-${jobId}`);
      const { result } = await this.training.fitAndSave(
        {
          training: data,
          config,
          settings: trainingSettingsFor({ epochs: req.epochs, seed: 1 }),
          members: req.members,
          parallel: Math.max(1, availableParallelism()),
          name: `trained-${jobId}`,
          ...(req.bandGapTarget !== undefined ? { bandGapTarget: req.bandGapTarget } : {}),
          ...(initFrom ? { initFrom } : {}),
          signal: controller.signal,
          onProgress: this.progress(jobId),
        },
        modelDir,
      );
      const comparison = this.compare(data.split.test, result);
      result.predictor.dispose();
      let message: string | null = null;
      if (comparison && comparison.newMae >= comparison.baselineMae) {
        message = `the new model does not beat predicting the training mean on the test rows (MAE ${comparison.newMae.toFixed(3)} against ${comparison.baselineMae.toFixed(3)} eV)`;
      }
      if (req.activate) message = this.activationProblem(modelDir) ?? message;
      if (message === null && comparison?.currentMae != null && comparison.newMae > comparison.currentMae) {
        message = `on these test rows the screening model (${comparison.currentModel}) is better: MAE ${comparison.currentMae.toFixed(3)} against ${comparison.newMae.toFixed(3)} eV`;
      }
      const report = result.test ?? result.validation;
      const [firstTarget, firstReg] = Object.entries(report.regression)[0] ?? [];
      const c = report.classification?.atChosenThreshold;
      const parity = firstTarget !== undefined && firstReg ? { target: firstTarget, unit: unitOf(firstTarget), rows: result.test ? 'test rows' : 'validation rows', truth: firstReg.truth, predicted: firstReg.predicted } : null;
      return { message, modelDir, comparison, metrics: headline(report), parity, bestEpochs: result.ensemble.bestEpochs, confusion: c ? { tn: c.tn, fp: c.fp, fn: c.fn, tp: c.tp } : null };
    });
    return { jobId };
  }

  /** The new model's band-gap MAE on the test rows, beside the screening model's and the mean predictor's. */
  private compare(test: readonly Example[], result: FitResult): TrainComparison | null {
    const target = result.predictor.card.roles?.bandGap;
    const report = target ? result.test?.regression[target] : undefined;
    if (!target || !report || test.length === 0) return null;
    let currentMae: number | null = null;
    let currentModel: string | null = null;
    try {
      const card = this.models.card();
      const gap = modelRoles(card).bandGap?.target;
      if (gap) {
        const predicted = this.models.predictor().predict(test.map((e) => e.composition));
        const rows = test.map((e, i) => [e.targets[target], predicted[i]!.regression[gap]?.value] as const).filter((r): r is readonly [number, number] => typeof r[0] === 'number' && typeof r[1] === 'number');
        if (rows.length) {
          currentMae = rows.reduce((s, [t, p]) => s + Math.abs(t - p), 0) / rows.length;
          currentModel = card.name;
        }
      }
    } catch {
      // no screening model: nothing to compare with
    }
    return { rows: report.metrics.n, target, newMae: report.metrics.mae, currentMae, currentModel, baselineMae: report.meanBaseline.mae };
  }

  cancel(jobId: number): boolean {
    const job = this.jobs.get(jobId);
    job?.controller.abort();
    return job !== undefined;
  }

  summary(jobId: number): TrainSummary {
    const job = this.jobs.get(jobId);
    if (!job) throw new NotFoundError(`no training job ${jobId}`);
    return job.summary;
  }

  close(): void {
    for (const j of this.jobs.values()) j.controller.abort();
  }
}
