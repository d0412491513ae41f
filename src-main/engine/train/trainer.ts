/**
 * Trains one model (one ensemble member): AdamW with differential learning rates, warm-up and
 * cosine decay, gradient clipping, early stopping on validation (the best epoch's weights are
 * kept), a checkpoint every epoch, and resume from the checkpoint after an interruption.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { regressionMetrics, rocAuc } from '../evaluate/metrics.js';
import type { ModelConfig } from '../model/config.js';
import { Params, paramSpecs, taskNames, type ParamGroup } from '../model/params.js';
import { readTensorFile, toMap, writeTensorFile, type TensorEntry } from '../model/tensor-file.js';
import { forward } from '../model/transformer.js';
import { Rng } from '../random.js';
import { disposeBatch, makeBatch, type EncodedSet } from './data.js';
import { DEFAULT_LOSS, focalLoss, smoothL1, weightedTaskLoss, type LossSettings } from './losses.js';
import { AdamW } from './optimizer.js';

export interface TrainingSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly groupMultipliers: Readonly<Record<ParamGroup, number>>;
  readonly weightDecay: number;
  readonly warmupEpochs: number;
  readonly minLearningRateFraction: number;
  readonly clipNorm: number;
  /** Stop after this many epochs without a better validation score. */
  readonly patience: number;
  readonly seed: number;
  readonly loss: LossSettings;
}

export const DEFAULT_TRAINING: TrainingSettings = {
  epochs: 100,
  batchSize: 64,
  learningRate: 2e-3,
  groupMultipliers: { projection: 0.5, encoder: 1, heads: 2 },
  weightDecay: 0.01,
  warmupEpochs: 5,
  minLearningRateFraction: 0.02,
  clipNorm: 1,
  patience: 30,
  seed: 1,
  loss: DEFAULT_LOSS,
};

export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  /** Validation score used for early stopping (lower is better). */
  readonly valScore: number;
  /** Validation MAE per regression target, in target units. */
  readonly valMae: Readonly<Record<string, number>>;
  readonly valAuc: number | null;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

export interface TrainProgress extends EpochRecord {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly etaSeconds: number;
}

export interface TrainMemberArgs {
  readonly config: ModelConfig;
  readonly settings: TrainingSettings;
  readonly train: EncodedSet;
  readonly val: EncodedSet;
  /** Standard deviations of the regression targets, to report validation MAE in target units. */
  readonly targetStd: readonly number[];
  readonly checkpointDir?: string;
  /** Start from a pretrained model's weights (fine-tuning); `source` names them in checkpoints. */
  readonly initial?: InitialWeights;
  readonly onEpoch?: (p: TrainProgress) => void;
  readonly signal?: AbortSignal;
}

export interface InitialWeights {
  /** Model id and member the weights come from. */
  readonly source: string;
  readonly weights: ReadonlyMap<string, Float32Array>;
}

export interface TrainMemberResult {
  readonly params: Params;
  readonly history: readonly EpochRecord[];
  readonly bestEpoch: number;
  readonly seconds: number;
  readonly resumedFrom: number | null;
}

export class TrainingCancelled extends Error {
  override name = 'TrainingCancelled';
}

interface CheckpointState {
  readonly fingerprint: string;
  readonly epoch: number;
  readonly bestEpoch: number;
  readonly bestScore: number;
  readonly history: EpochRecord[];
  readonly step: number;
  readonly seconds: number;
}

function fingerprint(args: TrainMemberArgs): string {
  return JSON.stringify({ c: args.config, s: args.settings, n: [args.train.count, args.val.count, args.train.width], init: args.initial?.source ?? null });
}

/** Standardized predictions and probabilities of `params` on a whole set (eval mode, batched). */
export function predictSet(params: Params, config: ModelConfig, set: EncodedSet, batchSize = 512): { regression: Float32Array; probabilities: Float32Array } {
  const nReg = config.regressionTargets.length;
  const regression = new Float32Array(set.count * nReg);
  const probabilities = new Float32Array(set.count);
  for (let start = 0; start < set.count; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, set.count - start) }, (_, i) => start + i);
    const batch = makeBatch(set, idx, nReg);
    tf.tidy(() => {
      const out = forward(params, config, batch, { training: false });
      if (out.regression) regression.set(out.regression.dataSync(), start * nReg);
      if (out.logits) probabilities.set(tf.sigmoid(out.logits).dataSync(), start);
    });
    disposeBatch(batch);
  }
  return { regression, probabilities };
}

/** Validation score: mean standardized MAE over regression targets + (1 - ROC-AUC) of the classifier. */
function validate(params: Params, args: TrainMemberArgs): { score: number; mae: Record<string, number>; auc: number | null } {
  const { config, val } = args;
  const nReg = config.regressionTargets.length;
  const { regression, probabilities } = predictSet(params, config, val);
  const mae: Record<string, number> = {};
  let score = 0;
  config.regressionTargets.forEach((name, j) => {
    const truth: number[] = [];
    const pred: number[] = [];
    for (let i = 0; i < val.count; i += 1) {
      if (val.regressionMask[i * nReg + j] === 1) {
        truth.push(val.regression[i * nReg + j]!);
        pred.push(regression[i * nReg + j]!);
      }
    }
    const m = truth.length ? regressionMetrics(truth, pred).mae : 0;
    mae[name] = m * args.targetStd[j]!;
    score += m / Math.max(1, nReg);
  });
  let auc: number | null = null;
  if (config.classificationTarget !== null) {
    const labels: number[] = [];
    const probs: number[] = [];
    for (let i = 0; i < val.count; i += 1) {
      if (val.labelMask[i] === 1) {
        labels.push(val.labels[i]!);
        probs.push(probabilities[i]!);
      }
    }
    auc = labels.length ? rocAuc(labels, probs) : 0.5;
    score += 1 - auc;
  }
  return { score, mae, auc };
}

function entries(params: Params, values: ReadonlyMap<string, Float32Array>, prefix = ''): TensorEntry[] {
  return params.specs.map((s) => ({ name: prefix + s.name, shape: s.shape, values: values.get(s.name)! }));
}

export async function trainMember(args: TrainMemberArgs): Promise<TrainMemberResult> {
  const { config, settings, train } = args;
  const nReg = config.regressionTargets.length;
  const specs = paramSpecs(config, train.width);
  const params = Params.initialize(specs, settings.seed, args.initial?.weights);
  const stepsPerEpoch = Math.ceil(train.count / settings.batchSize);
  const optimizer = new AdamW(params, {
    learningRate: settings.learningRate,
    groupMultipliers: settings.groupMultipliers,
    weightDecay: settings.weightDecay,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    clipNorm: settings.clipNorm,
    warmupSteps: settings.warmupEpochs * stepsPerEpoch,
    totalSteps: settings.epochs * stepsPerEpoch,
    minLearningRateFraction: settings.minLearningRateFraction,
  });
  const tasks = taskNames(config);
  const logVars = tasks.map((t) => params.get(`task.${t}.logvar`));

  let history: EpochRecord[] = [];
  let bestScore = Number.POSITIVE_INFINITY;
  let bestEpoch = -1;
  let best: Map<string, Float32Array> | null = null;
  let startEpoch = 0;
  let priorSeconds = 0;
  let resumedFrom: number | null = null;
  const fp = fingerprint(args);
  const dir = args.checkpointDir;
  if (dir && existsSync(join(dir, 'state.json'))) {
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as CheckpointState;
    if (state.fingerprint === fp) {
      params.assign(toMap(readTensorFile(join(dir, 'current.bin'))));
      const all = toMap(readTensorFile(join(dir, 'optimizer.bin')));
      const pick = (prefix: string): Map<string, Float32Array> =>
        new Map([...all].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
      optimizer.restore({ step: state.step, m: pick('m/'), v: pick('v/') });
      best = existsSync(join(dir, 'best.bin')) ? toMap(readTensorFile(join(dir, 'best.bin'))) : null;
      history = state.history;
      bestScore = state.bestScore;
      bestEpoch = state.bestEpoch;
      startEpoch = state.epoch + 1;
      priorSeconds = state.seconds;
      resumedFrom = state.epoch;
    }
  }
  if (dir) mkdirSync(dir, { recursive: true });

  const started = performance.now();
  for (let epoch = startEpoch; epoch < settings.epochs; epoch += 1) {
    if (epoch - bestEpoch > settings.patience && bestEpoch >= 0) break;
    const epochStart = performance.now();
    const order = new Rng(settings.seed * 7919 + epoch).shuffle(Array.from({ length: train.count }, (_, i) => i));
    let lossSum = 0;
    for (let b = 0; b < stepsPerEpoch; b += 1) {
      if (args.signal?.aborted) {
        params.dispose();
        optimizer.dispose();
        throw new TrainingCancelled(`training cancelled during epoch ${epoch + 1}${dir ? `; the checkpoint in ${dir} resumes it` : ''}`);
      }
      const idx = order.slice(b * settings.batchSize, (b + 1) * settings.batchSize);
      const batch = makeBatch(train, idx, nReg);
      const stepSeed = settings.seed * 1_000_003 + optimizer.step * 31;
      const { value, grads } = tf.variableGrads(() => {
        const out = forward(params, config, batch, { training: true, dropoutSeed: stepSeed });
        const losses: tf.Scalar[] = [];
        config.regressionTargets.forEach((_, j) => {
          const pick = (t: tf.Tensor2D): tf.Tensor => tf.slice(t, [0, j], [idx.length, 1]);
          losses.push(smoothL1(pick(out.regression!), pick(batch.regression), pick(batch.regressionMask), settings.loss.huberBeta));
        });
        if (out.logits) losses.push(focalLoss(out.logits, batch.labels, batch.labelMask, settings.loss));
        return weightedTaskLoss(losses, logVars);
      }, params.variables());
      optimizer.apply(grads);
      lossSum += (await value.data())[0]!;
      tf.dispose([value, ...Object.values(grads)]);
      disposeBatch(batch);
      await new Promise<void>((resolve) => setImmediate(resolve)); // let cancel and progress through
    }
    const v = validate(params, args);
    const seconds = (performance.now() - epochStart) / 1000;
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / stepsPerEpoch,
      valScore: v.score,
      valMae: v.mae,
      valAuc: v.auc,
      seconds,
      samplesPerSecond: train.count / seconds,
    };
    history.push(record);
    if (v.score < bestScore) {
      bestScore = v.score;
      bestEpoch = epoch;
      best = await params.snapshot();
    }
    if (dir) {
      const opt = await optimizer.state();
      writeTensorFile(join(dir, 'current.bin'), entries(params, await params.snapshot()));
      writeTensorFile(join(dir, 'optimizer.bin'), [...entries(params, opt.m, 'm/'), ...entries(params, opt.v, 'v/')]);
      if (best && bestEpoch === epoch) writeTensorFile(join(dir, 'best.bin'), entries(params, best));
      const state: CheckpointState = { fingerprint: fp, epoch, bestEpoch, bestScore, history, step: optimizer.step, seconds: priorSeconds + (performance.now() - started) / 1000 };
      writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
    }
    const remaining = Math.min(settings.epochs - epoch - 1, bestEpoch + settings.patience + 1 - epoch - 1);
    args.onEpoch?.({ ...record, epochs: settings.epochs, bestEpoch, etaSeconds: Math.max(0, remaining) * seconds });
  }
  optimizer.dispose();
  if (best) params.assign(best);
  return { params, history, bestEpoch, seconds: priorSeconds + (performance.now() - started) / 1000, resumedFrom };
}
