/**
 * Distilling the default ensemble into a screening model (engine/train/distill.ts): the transfer set
 * (the teacher's training compositions and candidates sampled from screening spaces), the student's
 * validation metrics on the teacher's own validation rows, the model folder and a fidelity report.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Space } from '../../shared/api/contract.js';
import { targetUnit } from '../../shared/api/labels.js';
import { compositionKey } from '../../shared/composition/key.js';
import type { ElementTable } from '../data/elements/load.js';
import { countCandidates, enumerateCandidates } from '../enumerate/enumerate.js';
import { evaluatePredictions, summarizeReport } from '../engine/evaluate/evaluate.js';
import { loadMemberWeights, readModelCard, saveModel } from '../engine/model/bundle.js';
import type { ModelCard } from '../engine/model/card.js';
import { describeArchitecture } from '../engine/model/config.js';
import { EnsemblePredictor, INFERENCE_MAX_ELEMENTS } from '../engine/model/predictor.js';
import { Rng } from '../engine/random.js';
import { bundledTrainingExamples, jointSampleOf, jointSeedOf } from '../engine/train/bundled.js';
import { distill, type DistillResult, type StudentStart, type TransferComposition } from '../engine/train/distill.js';
import { compositionFold } from '../engine/train/stoichiometry.js';
import { jointSplit } from '../engine/train/joint.js';
import type { TrainProgress } from '../engine/train/trainer.js';
import { TrainingError } from './training.js';

/** The screening benchmark's space (bench/screen.ts): about 1.58M candidates. */
export const SCREENING_BENCHMARK_SPACE: Space = {
  sites: { A: ['Li', 'Na', 'K', 'Rb', 'Cs', 'Ca', 'Sr', 'Ba', 'La', 'Y'], B: ['Ti', 'Zr', 'Hf', 'Sn', 'Pb', 'Ge', 'Nb', 'Ta', 'V', 'Mn', 'Fe', 'Co', 'Ni'], X: ['O', 'S', 'Se', 'F', 'Cl', 'Br', 'I'] },
  mixing: { A: 0.125, B: 0.125, X: 0.125 },
  double: true,
  maxElements: 6,
  oxidationStates: 'common',
  filters: { tolerance: [0.8, 1.1], octahedral: null, tauMax: null },
};

/**
 * Where the student must follow the teacher: the spaces users screen. Oxides, chalcogenides and
 * halides with site mixing at 1/8 and double perovskites (the screening benchmark's space), and
 * lead-free and hybrid halides (molecular A cations, Sn/Ge/Bi/Sb, A2B(I)B(III)X6 and A2BX6).
 */
export const TRANSFER_SPACES: Readonly<Record<string, Space>> = {
  'oxides, chalcogenides and halides, mixed 1/8, doubles': SCREENING_BENCHMARK_SPACE,
  'hybrid and lead-free halides, mixed 1/4, doubles and vacancy-ordered': {
    sites: { A: ['MA', 'FA', 'EA', 'GA', 'DMA', 'Cs', 'Rb', 'K'], B: ['Pb', 'Sn', 'Ge', 'Bi', 'Sb', 'Ag', 'Cu', 'Au', 'In', 'Tl', 'Na', 'Ti', 'Zr', 'Te', 'Pd', 'Pt'], X: ['Cl', 'Br', 'I'] },
    mixing: { A: 0.25, B: 0.25, X: 0.25 },
    double: true,
    layouts: { vacancyOrdered: true },
    maxElements: INFERENCE_MAX_ELEMENTS,
    oxidationStates: 'common',
    filters: { tolerance: [0.75, 1.15], octahedral: null, tauMax: null },
  },
};

export interface TransferSet {
  readonly train: TransferComposition[];
  readonly val: TransferComposition[];
  readonly check: TransferComposition[];
}

/** About `perSpace` candidates from each screening space, drawn with probability perSpace / its size (seeded). */
export function sampleSpaces(table: ElementTable, perSpace: number, seed: number, spaces: Readonly<Record<string, Space>> = TRANSFER_SPACES): TransferComposition[] {
  const out: TransferComposition[] = [];
  for (const [name, space] of Object.entries(spaces)) {
    const total = countCandidates(table, space).candidates;
    const p = Math.min(1, perSpace / Math.max(1, total));
    const rng = new Rng(seed);
    for (const c of enumerateCandidates(table, space)) if (rng.next() < p) out.push({ formula: c.formula, composition: c.composition, source: name });
  }
  return out;
}

/**
 * The teacher's training compositions and the sampled candidates, one per reduced composition (the
 * training composition wins), at most INFERENCE_MAX_ELEMENTS elements; of composition fold 4, every
 * fourth held out for validation and every fourth (the next) for the fidelity check (5% each).
 */
export function transferSet(card: ModelCard, table: ElementTable, perSpace: number): TransferSet {
  const training = bundledTrainingExamples(card);
  if (!training) throw new TrainingError(`model ${card.name} was not trained on bundled data; its training compositions cannot be rebuilt for distillation`);
  const byKey = new Map<string, TransferComposition>();
  for (const e of training) byKey.set(compositionKey(e.composition), { formula: e.formula, composition: e.composition, source: 'teacher training compositions' });
  for (const c of sampleSpaces(table, perSpace, card.training.seed)) {
    const key = compositionKey(c.composition);
    if (!byKey.has(key) && c.composition.elements.length <= INFERENCE_MAX_ELEMENTS) byKey.set(key, c);
  }
  const train: TransferComposition[] = [];
  const val: TransferComposition[] = [];
  const check: TransferComposition[] = [];
  let k = 0;
  for (const c of byKey.values()) {
    const part = compositionFold(c.composition) === 4 ? k++ % 4 : -1;
    (part === 0 ? val : part === 1 ? check : train).push(c);
  }
  return { train, val, check };
}

export interface DistillationRun {
  readonly result: DistillResult;
  readonly card: ModelCard;
  /** Band-gap validation MAE (eV) of teacher and student on the teacher's own validation rows. */
  readonly validation: { readonly rows: number; readonly teacher: Readonly<Record<string, number>>; readonly student: Readonly<Record<string, number>> };
  readonly report: string;
}

export interface DistillationRequest {
  readonly teacherDir: string;
  readonly out: string;
  readonly name: string;
  readonly perSpace: number;
  readonly epochs: number;
  readonly reportDir: string;
  readonly command: string;
  /** A model folder whose member 0 starts the student and whose architecture it takes (default: the teacher's). */
  readonly initFrom?: string;
  readonly onEpoch?: (p: TrainProgress) => void;
  readonly signal?: AbortSignal;
}

export async function distillModel(table: ElementTable, req: DistillationRequest): Promise<DistillationRun> {
  const teacherCard = readModelCard(req.teacherDir);
  if (teacherCard.ensemble.members < 2) throw new TrainingError(`model ${teacherCard.name} has one member: there is no ensemble spread to distil`);
  const initFrom = req.initFrom === undefined ? undefined : studentStart(req.initFrom);
  const transfer = transferSet(teacherCard, table, req.perSpace);
  const result = await distill({
    teacherDir: req.teacherDir,
    table,
    train: transfer.train,
    val: transfer.val,
    check: transfer.check,
    settings: { epochs: req.epochs },
    name: req.name,
    ...(initFrom ? { initFrom } : {}),
    checkpointDir: join(req.out, '.checkpoint'),
    ...(req.onEpoch ? { onEpoch: req.onEpoch } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  // the student's validation metrics on the teacher's validation rows (the teacher's card holds its own)
  const { split } = jointSplit({ seed: jointSeedOf(teacherCard), mpGapCompositions: jointSampleOf(teacherCard), maxElements: teacherCard.featurizer.maxElements });
  const stable = split.train.map((e) => e.targets['stable']).filter((v): v is number => v !== null && v !== undefined);
  const positiveRate = stable.length ? stable.reduce((a, b) => a + b, 0) / stable.length : null;
  const student = new EnsemblePredictor({ card: { ...result.card, weights: { file: '', tensors: [] } }, members: result.members }, table);
  const report = evaluatePredictions(student, split.val, student.predict(split.val.map((e) => e.composition)), positiveRate);
  const metrics = { validation: summarizeReport(report) };
  const card = await saveModel(req.out, { ...result.card, metrics }, result.members);
  rmSync(join(req.out, '.checkpoint'), { recursive: true, force: true });
  student.dispose();
  const teacherValidation = (teacherCard.metrics as { validation?: { regression?: Record<string, { mae: number }> } }).validation?.regression ?? {};
  const validation = {
    rows: split.val.length,
    teacher: Object.fromEntries(Object.entries(teacherValidation).map(([t, m]) => [t, m.mae])),
    student: Object.fromEntries(Object.entries(metrics.validation.regression).map(([t, m]) => [t, m.mae])),
  };
  const run = { result, card, validation, report: join(req.reportDir, 'summary.md') };
  writeDistillationReport(run, req, teacherCard);
  return run;
}

function studentStart(dir: string): StudentStart {
  try {
    const { card, members } = loadMemberWeights(dir);
    return { card, weights: members[0]! };
  } catch (e) {
    throw new TrainingError(`--init-from ${dir}: ${(e as Error).message}`);
  }
}

function writeDistillationReport(run: DistillationRun, req: DistillationRequest, teacher: ModelCard): void {
  const { result, validation } = run;
  const f = result.fidelity;
  const from = run.card.ensemble.distilledFrom!;
  const unit = (target: string): string => targetUnit(target) || 'target units';
  const lines = [
    `# Distilled screening model: ${run.card.name}, from ${from.name}`,
    '',
    `Command: \`${req.command}\`  `,
    `Written ${new Date().toISOString()}; ${result.seconds.toFixed(0)} s (labelling, training, checks).`,
    '',
    `One encoder and trunk shared by ${run.card.ensemble.members} members that differ only in their heads, trained to reproduce each teacher`,
    "member's outputs (standardized regressions, classifier logits) on compositions that need no labels.",
    `Student: ${describeArchitecture(run.card.config)}, started from ${req.initFrom === undefined ? "the teacher's member 0" : `member 0 of \`${req.initFrom}\``}; teacher: ${describeArchitecture(teacher.config)}.`,
    '',
    '| transfer compositions | count |',
    '|---|---|',
    ...Object.entries(from.transfer.sources).map(([s, n]) => `| ${s} | ${n.toLocaleString('en')} |`),
    `| of which held out for early stopping and the sigma scale / for this check | ${from.transfer.val.toLocaleString('en')} / ${from.transfer.check.toLocaleString('en')} |`,
    '',
    `## How closely it follows the teacher (${f.rows.toLocaleString('en')} held-out transfer compositions)`,
    '',
    '| head | mean abs. difference of the means | teacher mean sigma | correlation of the sigmas | student / teacher sigma (RMS) | sigma scale (fitted on the validation part) |',
    '|---|---|---|---|---|---|',
    ...Object.entries(f.regression).map(
      ([t, r]) => `| ${t} (${unit(t)}) | ${r.meanAbsDifference.toFixed(3)} | ${r.teacherMeanSigma.toFixed(3)} | ${r.sigmaCorrelation.toFixed(2)} | ${r.sigmaRatio.toFixed(2)} | ${(run.card.ensemble.sigmaScale[t] ?? 1).toFixed(3)} |`,
    ),
    ...(f.classification ? ['', `P(stable): mean abs. difference ${f.classification.meanAbsDifference.toFixed(3)}; same decision at the teacher's threshold (${run.card.ensemble.threshold}) for ${(100 * f.classification.agreement).toFixed(1)}% of them.`] : []),
    '',
    `## Against measured and computed values: the teacher's validation rows (${validation.rows.toLocaleString('en')})`,
    '',
    "Both models' mean absolute error on the joint set's validation rows (the teacher stopped early on them; the student saw",
    "them only as compositions with the teacher's outputs). Not a test set: protocol J and D report the teacher's recipe on held-out folds.",
    '',
    '| target | teacher MAE | student MAE |',
    '|---|---|---|',
    ...Object.keys(validation.student).map((t) => `| ${t} (${unit(t)}) | ${validation.teacher[t]?.toFixed(3) ?? '-'} | ${validation.student[t]!.toFixed(3)} |`),
    '',
    `Model folder: \`${req.out}\`.`,
  ];
  mkdirSync(req.reportDir, { recursive: true });
  writeFileSync(join(req.reportDir, 'summary.md'), `${lines.join('\n')}\n`);
  writeFileSync(join(req.reportDir, 'fidelity.json'), `${JSON.stringify({ fidelity: f, validation, transfer: from.transfer }, null, 2)}\n`);
}
