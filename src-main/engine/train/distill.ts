/**
 * Distils a trained ensemble (the teacher) into a screening model whose members share one encoder
 * and trunk and differ only in their heads (multi-head distillation, as in Tran et al. 2020, "Hydra").
 * The student learns every teacher member's standardized outputs (and classifier logits) on a
 * transfer set of compositions: the teacher's own training compositions and sampled screening
 * candidates, which need no labels. Its members' spread stands in for the teacher's; the sigma scale
 * is refitted so that the student's sigmas match the teacher's calibrated sigmas on held-out
 * transfer compositions. At prediction time the encoder runs once per batch instead of once per member.
 * The student starts from the teacher's member 0 and its architecture, or from another model's member 0
 * and that model's architecture (`initFrom`: a smaller pretrained encoder makes a faster screening model).
 */
import type { Composition } from '../../../shared/index.js';
import type { ElementTable } from '../../data/elements/load.js';
import { Featurizer } from '../featurize/index.js';
import { loadModel } from '../model/bundle.js';
import type { DistillationRecord, ModelCard } from '../model/card.js';
import { architectureOf, type ModelConfig } from '../model/config.js';
import { Params, paramSpecs, taskNames } from '../model/params.js';
import { EnsemblePredictor, INFERENCE_MAX_ELEMENTS } from '../model/predictor.js';
import { encodeExamples, fitTargetScaling, type EncodedSet, type Example } from './data.js';
import { DEFAULT_TRAINING, predictSet, trainMember, type TrainingSettings, type TrainProgress } from './trainer.js';

/** One composition to label, and where it came from (the teacher's training data, a screening space). */
export interface TransferComposition {
  readonly formula: string;
  readonly composition: Composition;
  readonly source: string;
}

export interface DistillArgs {
  readonly teacherDir: string;
  readonly table: ElementTable;
  /** Transfer compositions: to train on; held out for early stopping and the sigma scale; held out for the fidelity report. */
  readonly train: readonly TransferComposition[];
  readonly val: readonly TransferComposition[];
  readonly check: readonly TransferComposition[];
  readonly settings?: Partial<Omit<TrainingSettings, 'seed'>>;
  readonly name: string;
  /** Start the student from this model's member 0 and take its architecture (default: the teacher's member 0). */
  readonly initFrom?: StudentStart;
  /** Checkpoint every epoch here; an interrupted distillation resumes from it when run again. */
  readonly checkpointDir?: string;
  readonly onEpoch?: (p: TrainProgress) => void;
  readonly signal?: AbortSignal;
}

/** A model whose member 0 starts the student and whose architecture (widths, depth, heads) it takes. */
export interface StudentStart {
  readonly card: ModelCard;
  readonly weights: ReadonlyMap<string, Float32Array>;
}

/** The teacher's config (its targets) with the architecture of the model the student starts from. */
export function studentArchitecture(teacher: ModelConfig, start: ModelConfig): ModelConfig {
  return { ...teacher, ...architectureOf(start) };
}

function sameFeaturizer(a: ModelCard['featurizer'], b: ModelCard['featurizer']): boolean {
  // the number of element tokens is set per run (prediction allows more); every other setting must agree
  return JSON.stringify({ ...a, maxElements: 0 }) === JSON.stringify({ ...b, maxElements: 0 });
}

/** How closely the student follows the teacher on the held-out transfer compositions. */
export interface Fidelity {
  readonly rows: number;
  /** Per regression target: mean |student mean - teacher mean| and the teacher's own sigma for scale (target units). */
  readonly regression: Readonly<Record<string, { readonly meanAbsDifference: number; readonly teacherMeanSigma: number; readonly sigmaCorrelation: number; readonly sigmaRatio: number }>>;
  /** Mean |P_student - P_teacher| and the share of equal decisions at the teacher's threshold. */
  readonly classification: { readonly meanAbsDifference: number; readonly agreement: number } | null;
}

export interface DistillResult {
  readonly card: Omit<ModelCard, 'weights'>;
  readonly members: Params[];
  readonly fidelity: Fidelity;
  readonly seconds: number;
}

/** The student's regression target for member k's output `target` (its logit, for the classifier). */
export function memberTarget(target: string, k: number): string {
  return `${target}@${k}`;
}

const LOGIT_CLIP = 1e-6;

/** Each teacher member's standardized regression outputs and classifier logits, as the student's targets. */
function teacherExamples(teacher: EnsemblePredictor, set: EncodedSet, items: readonly TransferComposition[]): Example[] {
  const { config } = teacher.card;
  const nReg = config.regressionTargets.length;
  const targets: Record<string, number>[] = items.map(() => ({}));
  teacher.bundle.members.forEach((params, k) => {
    const { regression, probabilities } = predictSet(params, config, set);
    items.forEach((_, i) => {
      const row = targets[i]!;
      config.regressionTargets.forEach((t, j) => (row[memberTarget(t, k)] = regression[i * nReg + j]!));
      if (config.classificationTarget !== null) {
        const p = Math.min(1 - LOGIT_CLIP, Math.max(LOGIT_CLIP, probabilities[i]!));
        row[memberTarget(config.classificationTarget, k)] = Math.log(p / (1 - p));
      }
    });
  });
  return items.map((item, i) => ({ formula: item.formula, composition: item.composition, targets: targets[i]! }));
}

function studentConfig(teacher: ModelConfig, members: number): ModelConfig {
  return { ...teacher, regressionTargets: Array.from({ length: members }, (_, k) => taskNames(teacher).map((t) => memberTarget(t, k))).flat(), classificationTarget: null };
}

/**
 * Member k of the distilled ensemble: the student's shared weights, and its heads for member k's
 * outputs with the student's target scaling folded in (w std, b std + mean), so that they produce
 * the teacher's standardized outputs and logits directly.
 */
function memberWeights(student: ReadonlyMap<string, Float32Array>, scaling: { mean: readonly number[]; std: readonly number[] }, studentTargets: readonly string[], teacher: ModelConfig, k: number): Map<string, Float32Array> {
  const out = new Map([...student].filter(([name]) => !name.startsWith('head.') && !name.startsWith('task.')));
  for (const task of taskNames(teacher)) {
    const j = studentTargets.indexOf(memberTarget(task, k));
    const std = scaling.std[j]!;
    const w = student.get(`head.${memberTarget(task, k)}.w`)!;
    const b = student.get(`head.${memberTarget(task, k)}.b`)!;
    out.set(`head.${task}.w`, w.map((v) => v * std));
    out.set(`head.${task}.b`, b.map((v) => v * std + scaling.mean[j]!));
    out.set(`task.${task}.logvar`, new Float32Array(1));
  }
  return out;
}

function rms(values: readonly number[]): number {
  return Math.sqrt(values.reduce((s, v) => s + v * v, 0) / Math.max(1, values.length));
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i += 1) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

export async function distill(args: DistillArgs): Promise<DistillResult> {
  const started = performance.now();
  const teacher = new EnsemblePredictor(loadModel(args.teacherDir), args.table);
  const tc = teacher.card;
  const K = tc.ensemble.members;
  const start = args.initFrom;
  if (start && !sameFeaturizer(start.card.featurizer, tc.featurizer)) {
    teacher.dispose();
    throw new Error(`${start.card.name} was trained with other featurizer settings than the teacher ${tc.name}`);
  }
  const arch = start ? studentArchitecture(tc.config, start.card.config) : tc.config;
  // as many rows as prediction allows: screening candidates (mixed hybrids) have up to 8 elements
  const featurizer = new Featurizer(args.table, { ...tc.featurizer, maxElements: INFERENCE_MAX_ELEMENTS });
  // no dropout: the transfer set is as large as we like, and the student should match the teacher, not regularize it
  const config = { ...studentConfig(arch, K), dropout: 0 };
  // the teacher's config only selects which outputs predictSet reads; the targets are filled below
  const none = { names: [], mean: [], std: [] };
  const encode = (items: readonly TransferComposition[]): Example[] =>
    teacherExamples(teacher, encodeExamples(items.map((c) => ({ formula: c.formula, composition: c.composition, targets: {} })), featurizer, { ...tc.config, regressionTargets: [], classificationTarget: null }, none), items);
  const trainExamples = encode(args.train);
  const valExamples = encode(args.val);
  const scaling = fitTargetScaling(trainExamples, config.regressionTargets);
  const train = encodeExamples(trainExamples, featurizer, config, scaling);
  const val = encodeExamples(valExamples, featurizer, config, scaling);

  const settings: TrainingSettings = {
    ...DEFAULT_TRAINING,
    epochs: 30,
    batchSize: 256,
    learningRate: 1e-3,
    warmupEpochs: 1,
    patience: 5,
    groupMultipliers: { projection: 1, encoder: 1, heads: 1 },
    ...args.settings,
    // the student keeps the teacher's seed: its card's data section rebuilds the same joint sample from it
    seed: tc.training.seed,
  };
  const initial = start ? { source: `${start.card.id}/member0`, weights: start.weights } : { source: `${tc.id}/member0`, weights: await teacher.bundle.members[0]!.snapshot() };
  const result = await trainMember({
    config,
    settings,
    train,
    val,
    targetStd: scaling.std,
    initial,
    ...(args.checkpointDir ? { checkpointDir: args.checkpointDir } : {}),
    ...(args.onEpoch ? { onEpoch: args.onEpoch } : {}),
    ...(args.signal ? { signal: args.signal } : {}),
  });
  const studentValues = await result.params.snapshot();
  result.params.dispose();
  const specs = paramSpecs(arch, train.width);
  const members = Array.from({ length: K }, (_, k) => {
    const values = memberWeights(studentValues, scaling, config.regressionTargets, arch, k);
    return new Params(specs, (spec) => values.get(spec.name)!);
  });

  // sigma scale: the student's spread rescaled to the teacher's calibrated sigmas on the validation compositions
  const base: Omit<ModelCard, 'weights'> = {
    ...tc,
    id: `${args.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    name: args.name,
    createdAt: new Date().toISOString(),
    config: arch,
    ...(start ? { pretrainedFrom: { id: start.card.id, name: start.card.name, data: start.card.data.source } } : {}),
    training: settings,
    metrics: {},
    trainingSeconds: 0,
    ensemble: { ...tc.ensemble, seeds: [settings.seed], bestEpochs: [result.bestEpoch], histories: [result.history], sharedTrunk: true, sigmaScale: Object.fromEntries(tc.config.regressionTargets.map((t) => [t, 1])) },
  };
  const student = new EnsemblePredictor({ card: { ...base, weights: { file: '', tensors: [] } }, members }, args.table);
  const valCompositions = args.val.map((c) => c.composition);
  const valTeacher = teacher.predict(valCompositions);
  const valStudent = student.predict(valCompositions);
  const sigmaScale = Object.fromEntries(
    tc.config.regressionTargets.map((t) => [t, rms(valTeacher.map((p) => p.regression[t]!.sigma)) / Math.max(1e-12, rms(valStudent.map((p) => p.regression[t]!.sigma)))]),
  );
  const checkCompositions = args.check.map((c) => c.composition);
  const want = teacher.predict(checkCompositions);
  const raw = student.predict(checkCompositions);
  const regression: Record<string, Fidelity['regression'][string]> = {};
  for (const t of tc.config.regressionTargets) {
    const teacherSigma = want.map((p) => p.regression[t]!.sigma);
    const studentSigma = raw.map((p) => p.regression[t]!.sigma * sigmaScale[t]!);
    regression[t] = {
      meanAbsDifference: want.reduce((s, p, i) => s + Math.abs(p.regression[t]!.value - raw[i]!.regression[t]!.value), 0) / want.length,
      teacherMeanSigma: teacherSigma.reduce((s, v) => s + v, 0) / teacherSigma.length,
      sigmaCorrelation: pearson(teacherSigma, studentSigma),
      sigmaRatio: rms(studentSigma) / Math.max(1e-12, rms(teacherSigma)),
    };
  }
  let classification: Fidelity['classification'] = null;
  if (tc.config.classificationTarget !== null) {
    let diff = 0;
    let same = 0;
    want.forEach((p, i) => {
      diff += Math.abs(p.classification!.probability - raw[i]!.classification!.probability);
      if (p.classification!.decision === raw[i]!.classification!.decision) same += 1;
    });
    classification = { meanAbsDifference: diff / want.length, agreement: same / want.length };
  }
  teacher.dispose(); // the student's predictor is not disposed: it would dispose the members returned
  const sources: Record<string, number> = {};
  for (const c of [...args.train, ...args.val, ...args.check]) sources[c.source] = (sources[c.source] ?? 0) + 1;
  const distilledFrom: DistillationRecord = { id: tc.id, name: tc.name, transfer: { train: args.train.length, val: args.val.length, check: args.check.length, sources } };
  const seconds = (performance.now() - started) / 1000;
  const card: Omit<ModelCard, 'weights'> = { ...base, trainingSeconds: seconds, ensemble: { ...base.ensemble, sigmaScale, distilledFrom } };
  return { card, members, fidelity: { rows: want.length, regression, classification }, seconds };
}
