/** `pdw train`: fit an ensemble on a dataset and save it as a model folder. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadElementTable } from '../../data/elements/load.js';
import { describeBackend, initBackend } from '../../engine/backend.js';
import { defaultFeaturizerSettings } from '../../engine/featurize/index.js';
import { headline } from '../../engine/evaluate/report.js';
import { summarizeReport } from '../../engine/evaluate/evaluate.js';
import { loadMemberWeights, saveModel } from '../../engine/model/bundle.js';
import type { ModelCard } from '../../engine/model/card.js';
import type { ModelConfig } from '../../engine/model/config.js';
import { fitModel, type FitResult } from '../../engine/train/fit.js';
import { loadTrainingData, type TrainingData, type TrainingProtocol } from '../../engine/train/sources.js';
import { TrainingCancelled, type TrainingSettings } from '../../engine/train/trainer.js';
import { CliError } from '../errors.js';
import { num } from '../output.js';
import { interruptSignal, progressSink } from '../progress.js';
import { addModelOptions, modelConfigFrom, trainingSettingsFrom, type ModelOptions } from './model-options.js';
function foldIndex(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 4) throw new InvalidArgumentError(`'${value}' is not a fold 0..4`);
  return n;
}

interface TrainOptions extends ModelOptions {
  data: string;
  targets: string;
  protocol?: string;
  testFold?: number;
  formula: string;
  out: string;
  name?: string;
  excludeFormulasOf?: string;
  initFrom?: string;
  quiet?: boolean;
}

export interface FitRun {
  readonly training: TrainingData;
  readonly config: ModelConfig;
  readonly settings: TrainingSettings;
  readonly members: number;
  readonly parallel: number;
  readonly backend: string;
  readonly name: string;
  readonly checkpointRoot: string;
  readonly initFrom?: PretrainedModel;
  readonly quiet?: boolean;
}

export interface PretrainedModel {
  readonly card: ModelCard;
  readonly members: Map<string, Float32Array>[];
}

/** Test numbers after fine-tuning are honest only if the pretraining data left out the test set's dataset. */
export function checkPretrainingExcludes(pretrained: PretrainedModel, dataset: string): void {
  if (!(pretrained.card.data.excluded?.datasets ?? []).includes(dataset)) {
    throw new CliError(`--init-from: ${pretrained.card.name} was not trained with --exclude-formulas-of ${dataset}, so its data may hold test formulas of ${dataset}`);
  }
}

/** `--init-from DIR`: a pretrained model whose architecture and featurizer (the default one, as every run uses) match this run's. */
export function loadPretrained(dir: string, config: ModelConfig): PretrainedModel {
  let loaded: PretrainedModel;
  try {
    loaded = loadMemberWeights(dir);
  } catch (e) {
    throw new CliError(`--init-from ${dir}: ${(e as Error).message}`);
  }
  const shape = (c: ModelConfig): string => `d_model ${c.dModel}, ${c.layers} layers, ${c.heads} heads, feed-forward ${c.feedForward}, trunk ${c.trunk}`;
  if (shape(loaded.card.config) !== shape(config)) throw new CliError(`--init-from ${dir}: its architecture (${shape(loaded.card.config)}) differs from this run's (${shape(config)})`);
  if (JSON.stringify(loaded.card.featurizer) !== JSON.stringify(defaultFeaturizerSettings(loadElementTable()))) throw new CliError(`--init-from ${dir}: it was trained with other featurizer settings`);
  return loaded;
}

/** Fits with a progress bar and Ctrl-C cancel; shared by `train` and `evaluate`. */
export async function fitWithProgress(run: FitRun): Promise<FitResult> {
  const table = loadElementTable();
  const sink = progressSink(`train ${run.training.split.name}`, 'epochs', run.quiet);
  const done = new Array<number>(run.members).fill(0);
  const interrupt = interruptSignal('training');
  try {
    return await fitModel({
      table,
      split: run.training.split,
      config: run.config,
      featurizer: defaultFeaturizerSettings(table),
      settings: run.settings,
      members: run.members,
      parallel: run.parallel,
      backend: run.backend,
      name: run.name,
      targetsMeaning: run.training.targetsMeaning,
      data: { source: run.training.source, sha256: run.training.sha256 },
      checkpointRoot: run.checkpointRoot,
      ...(run.initFrom ? { initFrom: run.initFrom } : {}),
      ...(run.training.excluded ? { excluded: run.training.excluded } : {}),
      signal: interrupt.signal,
      onProgress: (member, p) => {
        done[member] = p.epoch + 1;
        const mae = Object.entries(p.valMae).map(([k, v]) => `${k} MAE ${num(v, 3)}`).join(', ');
        const auc = p.valAuc === null ? '' : `, AUC ${num(p.valAuc, 3)}`;
        sink.update(done.reduce((a, b) => a + b, 0), run.members * p.epochs, `member ${member} epoch ${p.epoch + 1}: val ${mae}${auc}, ${Math.round(p.samplesPerSecond)} samples/s`);
      },
    });
  } catch (e) {
    if (e instanceof TrainingCancelled) throw new CliError(`${e.message}; run the same command again to resume from the checkpoints in ${run.checkpointRoot}`, 130);
    throw e;
  } finally {
    sink.stop();
    interrupt.dispose();
  }
}

export function printHeadline(label: string, values: Record<string, number>): void {
  console.log(`${label}: ${Object.entries(values).map(([k, v]) => `${k} ${num(v, 4)}`).join(', ')}`);
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model (an ensemble of EDM transformers) on a dataset and save it as a model folder')
    .requiredOption('--data <file-or-name>', 'a CSV, or a bundled dataset: mp_abx3, expt_gap, mp_gap')
    .option('--targets <list>', 'comma-separated targets; "stable" is the classification target', 'band_gap,stable')
    .option('--protocol <p>', 'R (seed set row split), G (one row per formula), rows (every row); default G for mp_abx3, rows otherwise')
    .option('--test-fold <k>', 'hold fold k (0-4) out as a test set and evaluate on it', foldIndex)
    .option('--formula <column>', 'formula column of a CSV', 'formula')
    .requiredOption('--out <dir>', 'model folder to write (model.json + weights.bin)')
    .option('--name <name>', 'model name for the card')
    .option('--exclude-formulas-of <datasets>', 'leave out rows whose reduced composition is in these datasets (names or CSVs), e.g. mp_abx3,expt_gap when pretraining')
    .option('--init-from <model>', 'fine-tune: start from this (pretrained) model\'s weights')
    .option('--quiet', 'no progress output');
  addModelOptions(cmd).action(async (opts: TrainOptions) => {
    const protocol = (opts.protocol ?? (opts.data === 'mp_abx3' ? 'G' : 'rows')) as TrainingProtocol;
    if (!['R', 'G', 'rows'].includes(protocol)) throw new CliError(`unknown protocol '${protocol}' (choose R, G or rows)`);
    const targets = opts.targets.split(',').map((t) => t.trim()).filter(Boolean);
    const config = modelConfigFrom(opts, targets);
    const backend = await initBackend(opts.backend);
    let training: TrainingData;
    try {
      training = loadTrainingData({
        data: opts.data,
        targets,
        protocol,
        formulaColumn: opts.formula,
        seed: opts.seed,
        maxElements: 6,
        ...(opts.testFold !== undefined ? { testFold: opts.testFold } : {}),
        ...(opts.excludeFormulasOf ? { excludeFormulasOf: opts.excludeFormulasOf.split(',').map((d) => d.trim()).filter(Boolean) } : {}),
      });
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const { split } = training;
    if (training.dataset.problems.length) console.error(`${training.dataset.problems.length} rows rejected (see 'pdw data info ${opts.data}')`);
    if (training.excluded) console.error(`${training.excluded.rows} rows left out: their composition is in ${training.excluded.datasets.join(', ')}`);
    const initFrom = opts.initFrom ? loadPretrained(opts.initFrom, config) : undefined;
    if (initFrom && split.test.length > 0) checkPretrainingExcludes(initFrom, opts.data);
    console.error(`backend ${describeBackend(backend)}; ${split.name}: ${split.train.length} train, ${split.val.length} val, ${split.test.length} test rows; ${opts.members} members`);
    const result = await fitWithProgress({
      training,
      config,
      settings: trainingSettingsFrom(opts),
      members: opts.members,
      parallel: opts.parallel,
      backend: backend.name,
      name: opts.name ?? `model-${protocol}`,
      checkpointRoot: join(opts.out, '.checkpoint'),
      ...(initFrom ? { initFrom } : {}),
      ...(opts.quiet ? { quiet: true } : {}),
    });
    const metrics = { validation: summarizeReport(result.validation), ...(result.test ? { test: summarizeReport(result.test) } : {}) };
    const card = { ...result.predictor.card, metrics };
    const { weights: _w, ...cardWithoutWeights } = card;
    await saveModel(opts.out, cardWithoutWeights, result.predictor.bundle.members);
    printHeadline('validation', headline(result.validation));
    if (result.test) printHeadline('test', headline(result.test));
    rmSync(join(opts.out, '.checkpoint'), { recursive: true, force: true });
    console.log(`saved ${opts.out} (${opts.members} members, ${Math.round(result.ensemble.seconds)} s)`);
    result.predictor.dispose();
  });
}
