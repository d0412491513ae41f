/**
 * Training jobs for the training view: an uploaded CSV (kept in memory, never written to disk) is
 * trained in the background with progress events; the result is saved under the workspace and made
 * the screening model only when the request asks for it and the model has a band-gap target.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { RequestOf } from '../../shared/api/contract.js';
import type { TrainSummary, WorkbenchEvent } from '../../shared/api/types.js';
import { NotFoundError } from './errors.js';
import { modelConfigFor, trainingSettingsFor } from './model-recipe.js';
import type { ModelStore } from './models.js';
import { headlineOf, TrainingCancelled, TrainingError, type TrainingService } from './training.js';

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

  start(req: RequestOf<'startTraining'>): { jobId: number } {
    const jobId = this.nextJob++;
    const controller = new AbortController();
    const job: Job = {
      controller,
      summary: { jobId, status: 'running', message: null, rows: null, problems: [], modelDir: null, metrics: null, parity: null, confusion: null },
    };
    this.jobs.set(jobId, job);
    const update = (patch: Partial<TrainSummary>): void => {
      job.summary = { ...job.summary, ...patch };
    };
    void (async () => {
      try {
        const data = this.training.loadData({ data: 'uploaded CSV', text: req.csv, targets: req.targets, protocol: req.protocol, formulaColumn: req.formulaColumn, testFold: 0, seed: 1, maxElements: 6 });
        update({ rows: { train: data.split.train.length, val: data.split.val.length, test: data.split.test.length }, problems: data.dataset.problems.slice(0, 200) });
        const config = modelConfigFor({ dModel: req.dModel, layers: req.layers }, req.targets, data.classificationTarget);
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
            signal: controller.signal,
            onProgress: (member, p) =>
              this.emit({ type: 'train-progress', jobId, member, epoch: p.epoch, epochs: p.epochs, valMae: Object.values(p.valMae)[0] ?? null, valAuc: p.valAuc, trainLoss: p.trainLoss, samplesPerSecond: p.samplesPerSecond, etaSeconds: p.etaSeconds }),
          },
          modelDir,
        );
        result.predictor.dispose();
        let message: string | null = null;
        if (req.activate) {
          try {
            this.models.activate(modelDir);
          } catch (e) {
            message = `saved, but not made the screening model: ${(e as Error).message}`;
          }
        }
        const report = result.test ?? result.validation;
        const firstReg = Object.values(report.regression)[0];
        const c = report.classification?.atChosenThreshold;
        update({ status: 'done', message, modelDir, metrics: headlineOf(report), parity: firstReg ? { truth: firstReg.truth, predicted: firstReg.predicted } : null, confusion: c ? { tn: c.tn, fp: c.fp, fn: c.fn, tp: c.tp } : null });
      } catch (e) {
        update({
          status: e instanceof TrainingCancelled ? 'cancelled' : 'failed',
          message: (e as Error).message,
          ...(e instanceof TrainingError && e.problems.length ? { problems: e.problems.slice(0, 200) } : {}),
        });
      }
      this.emit({ type: 'train-finished', jobId, status: job.summary.status });
    })();
    return { jobId };
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
