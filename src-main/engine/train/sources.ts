/** Training data for `pdw train` and the training dashboard: a dataset, targets and a protocol -> a split. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  isNamedDataset,
  loadNamedSplit,
  namedDatasetPath,
  NAMED_DATASETS,
  csvColumnsOf,
  parseDatasetText,
  readCsvColumns,
  readDatasetFile,
  targetSpecsFor,
  type Dataset,
  type RowProblem,
} from '../../data/datasets/index.js';
import { dataDir } from '../../data/paths.js';
import { compositionKey } from '../../../shared/composition/key.js';
import type { Example } from './data.js';
import { holdOut, onePerFormula, protocolExptGap, protocolG, protocolR, type Split } from './protocols.js';
import { DOUBLES_SET, doubleFoldSplit, doublePerovskiteEntries, JOINT_MEANING, JOINT_DOUBLES_REPEATS, JOINT_MP_GAP_COMPOSITIONS, JOINT_SEED_REPEATS, JOINT_TARGETS, jointFoldSplit, jointSplit, rowSplitR, type JointSet } from './joint.js';
import type { OwnSplitRecord } from './split-file.js';

/** R: the seed set's random row split; G: one row per formula; rows: every row as given. */
export type TrainingProtocol = 'R' | 'G' | 'rows';

export interface TrainingDataRequest {
  /** A bundled dataset name (mp_abx3, expt_gap, mp_gap) or a CSV path; with `text`, a label for the upload. */
  readonly data: string;
  /** CSV text (an upload): read from memory, never written to disk. */
  readonly text?: string;
  readonly targets: readonly string[];
  readonly protocol: TrainingProtocol;
  readonly formulaColumn?: string;
  /** Hold this fold (0..4) out as the test set; without it every row trains or validates. */
  readonly testFold?: number;
  readonly seed: number;
  readonly maxElements: number;
  /**
   * Leave out every row whose composition (reduced: KMnO2 = K4Mn4O8) appears in these datasets
   * (bundled names or CSVs with a `formula` column): pretraining data must not contain the formulas
   * of any test set it will be evaluated on.
   */
  readonly excludeFormulasOf?: readonly string[];
  /** The joint data with `testFold`: protocol J's test rows (G's and expt_gap's fold) or protocol D's (double perovskites); 'R': protocol R's fixed test rows (no fold). */
  readonly jointTest?: 'J' | 'D' | 'R';
  /** The joint data: mp_gap compositions kept (the perovskite stoichiometries and hybrids, then a seeded sample up to this many); default JOINT_MP_GAP_COMPOSITIONS, the default model's. */
  readonly mpGapCompositions?: number;
  /** The joint data: training rows per double-perovskite example and epoch; default JOINT_DOUBLES_REPEATS (once). */
  readonly doublesRepeats?: number;
}

export interface TrainingData {
  readonly split: Split;
  readonly source: string;
  readonly sha256: string;
  readonly dataset: Dataset;
  /** The boolean target, if any: the model's classification target. */
  readonly classificationTarget: string | null;
  readonly targetsMeaning: Record<string, string>;
  readonly excluded?: { readonly datasets: readonly string[]; readonly rows: number };
  /** The joint data: how many mp_gap compositions it kept at most (JointRequest), recorded on the card so the split can be rebuilt. */
  readonly mpGapCompositions?: number;
  /** The joint data: training rows per double-perovskite example and epoch, where not once; recorded on the card. */
  readonly doublesRepeats?: number;
  /** The joint data: the seed of its mp_gap sample where it is not the training seed (an update's base's), recorded on the card. */
  readonly jointSeed?: number;
  /** The split written into the model folder (split-file.ts), where the bundle cannot give it again; recorded on the card. */
  readonly ownSplit?: OwnSplitRecord;
}

/** Every row was rejected: the problems say why, line by line. */
export class NoUsableRows extends Error {
  override name = 'NoUsableRows';
  constructor(
    message: string,
    readonly problems: readonly RowProblem[],
  ) {
    super(message);
  }
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function loadDataset(req: TrainingDataRequest): { dataset: Dataset; file: string } {
  if (req.text !== undefined) {
    const spec = { formulaColumn: req.formulaColumn ?? 'formula', targets: targetSpecsFor(csvColumnsOf(req.text, req.data), req.targets), maxElements: req.maxElements };
    return { dataset: parseDatasetText(req.text, spec, req.data), file: req.data };
  }
  if (isNamedDataset(req.data)) {
    const file = namedDatasetPath(req.data);
    const named = NAMED_DATASETS[req.data]!;
    const targets = named.spec.targets.filter((t) => req.targets.includes(t.name) || t.name === 'energy_above_hull');
    const missing = req.targets.filter((t) => !named.spec.targets.some((s) => s.name === t));
    if (missing.length) throw new Error(`dataset ${req.data} has no target ${missing.join(', ')} (it has ${named.spec.targets.map((t) => t.name).join(', ')})`);
    return { dataset: readDatasetFile(file, { ...named.spec, targets, maxElements: req.maxElements }), file };
  }
  const columns = readCsvColumns(req.data);
  const spec = { formulaColumn: req.formulaColumn ?? 'formula', targets: targetSpecsFor(columns, req.targets), maxElements: req.maxElements };
  return { dataset: readDatasetFile(req.data, spec), file: req.data };
}

/** Deterministic fold 0..4 of a formula for datasets without a folds file. */
export function hashedFold(formula: string): number {
  return createHash('sha1').update(formula).digest()[0]! % 5;
}

/** Reduced-composition keys of every parsable formula in `datasets` (names or CSV paths). */
export function compositionKeysOf(datasets: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const name of datasets) {
    if (name === DOUBLES_SET) {
      for (const e of doublePerovskiteEntries(Number.POSITIVE_INFINITY)) keys.add(compositionKey(e.composition));
      continue;
    }
    const file = isNamedDataset(name) ? namedDatasetPath(name) : name;
    const formulaColumn = isNamedDataset(name) ? NAMED_DATASETS[name]!.spec.formulaColumn : 'formula';
    const ds = readDatasetFile(file, { formulaColumn, targets: [] });
    for (const row of ds.rows) keys.add(compositionKey(row.composition));
  }
  return keys;
}

function withoutFormulasOf(dataset: Dataset, datasets: readonly string[]): { dataset: Dataset; rows: number } {
  const keys = compositionKeysOf(datasets);
  const rows = dataset.rows.filter((r) => !keys.has(compositionKey(r.composition)));
  return { dataset: { ...dataset, rows }, rows: dataset.rows.length - rows.length };
}

/** The bundle's datasets together (joint.ts): the name `--data` takes for them. */
export const JOINT_DATA = 'joint';

function bundleSha256(): string {
  const hash = createHash('sha256');
  for (const name of ['mp_abx3', 'mp_gap', 'expt_gap']) hash.update(sha256File(namedDatasetPath(name)));
  return hash.digest('hex');
}

/** The joint training set: every target masked where its source has no value; fold k of protocol J as the test set with `testFold`. */
function jointTrainingData(req: TrainingDataRequest): TrainingData & { readonly counts: JointSet['counts'] } {
  const unknown = req.targets.filter((t) => !JOINT_TARGETS.includes(t));
  if (unknown.length) throw new Error(`the joint data has no target ${unknown.join(', ')} (it has ${JOINT_TARGETS.join(', ')})`);
  if (req.protocol !== 'rows') throw new Error(`the joint data takes protocol rows (one example per composition); its test folds are protocol J of pdw evaluate`);
  const doublesRepeats = req.doublesRepeats ?? JOINT_DOUBLES_REPEATS;
  if (!Number.isInteger(doublesRepeats) || doublesRepeats < 1) throw new Error(`the joint data repeats each double perovskite a whole number of times, at least once; got ${doublesRepeats}`);
  const settings = { seed: req.seed, mpGapCompositions: req.mpGapCompositions ?? JOINT_MP_GAP_COMPOSITIONS, maxElements: req.maxElements, doublesRepeats };
  const { split, counts } =
    req.jointTest === 'R' ? rowSplitR(settings)
    : req.testFold === undefined ? jointSplit(settings)
    : req.jointTest === 'D' ? doubleFoldSplit(req.testFold, settings)
    : jointFoldSplit(dataDir(), req.testFold, settings);
  const rows = [...split.train, ...split.val].map((e, i) => ({ line: i + 2, id: null, formula: e.formula, composition: e.composition, targets: e.targets }));
  return {
    split,
    source: `joint: mp_abx3 (one row per formula, ${JOINT_SEED_REPEATS} times per epoch), expt_gap, ${counts['mp_gap kept']} of ${counts['mp_gap available']} mp_gap compositions (perovskite stoichiometries and hybrids${counts['mp_gap sampled'] ? ', then a seeded sample' : ' only'}${doublesRepeats > 1 ? `; double perovskites ${doublesRepeats} times per epoch` : ''}), in the data bundle`,
    sha256: bundleSha256(),
    dataset: { source: JOINT_DATA, spec: { formulaColumn: 'formula', targets: [] }, rows, problems: [], rowsRead: rows.length },
    classificationTarget: req.targets.includes('stable') ? 'stable' : null,
    targetsMeaning: Object.fromEntries(req.targets.map((t) => [t, JOINT_MEANING[t]!])),
    mpGapCompositions: settings.mpGapCompositions,
    ...(doublesRepeats !== JOINT_DOUBLES_REPEATS ? { doublesRepeats } : {}),
    counts,
  };
}

export function loadTrainingData(req: TrainingDataRequest): TrainingData {
  if (req.data === JOINT_DATA && req.text === undefined) return jointTrainingData(req);
  const loaded = loadDataset(req);
  const file = loaded.file;
  let dataset = loaded.dataset;
  let excluded: TrainingData['excluded'];
  if (req.excludeFormulasOf?.length) {
    const kept = withoutFormulasOf(dataset, req.excludeFormulasOf);
    dataset = kept.dataset;
    excluded = { datasets: req.excludeFormulasOf, rows: kept.rows };
  }
  if (dataset.rows.length === 0) throw new NoUsableRows(`${file}: no usable rows (${dataset.problems.length} rejected; see the list)`, dataset.problems);
  const isSeed = req.data === 'mp_abx3';
  let split: Split;
  const meaning: Record<string, string> = {};
  if (req.protocol === 'R') {
    if (!isSeed) throw new Error('protocol R is the seed set\'s row split; use --data mp_abx3 (or protocol G / rows for other data)');
    split = protocolR(dataset, loadNamedSplit('mp_abx3_random'));
    if (req.testFold !== undefined) throw new Error('protocol R has a fixed test split; drop --test-fold');
    meaning['band_gap'] = 'PBE band gap (eV) of one Materials Project entry (polymorphs are separate rows)';
    meaning['stable'] = '1 if the entry is on the Materials Project convex hull';
  } else if (req.protocol === 'G') {
    if (isSeed && req.testFold !== undefined) {
      split = protocolG(dataset, loadNamedSplit('mp_abx3_by_formula'), req.testFold, req.seed);
    } else {
      const examples = onePerFormula(dataset);
      split = withFold(examples, req, 'G');
    }
    if (isSeed) {
      meaning['band_gap'] = "PBE band gap (eV; Materials Project, GGA/GGA+U) of the composition's lowest-energy polymorph (lowest energy above hull)";
      meaning['stable'] = '1 if any polymorph of the composition is on the Materials Project convex hull (energy above hull 0)';
    }
  } else {
    split = withFold(dataset.rows.map((r) => ({ formula: r.formula, composition: r.composition, targets: r.targets })), req, 'rows');
  }
  for (const t of req.targets) meaning[t] ??= `${t} as given in ${file}`;
  return {
    split,
    source: req.text !== undefined ? `${file} (uploaded)` : isNamedDataset(req.data) ? `${req.data} (${NAMED_DATASETS[req.data]!.file} in the data bundle)` : file,
    sha256: req.text !== undefined ? createHash('sha256').update(req.text).digest('hex') : sha256File(file),
    dataset,
    classificationTarget: dataset.spec.targets.find((t) => t.kind === 'boolean' && req.targets.includes(t.name))?.name ?? null,
    targetsMeaning: Object.fromEntries(req.targets.map((t) => [t, meaning[t]!])),
    ...(excluded ? { excluded } : {}),
  };
}

function withFold(examples: readonly Example[], req: TrainingDataRequest, name: string): Split {
  let rest: readonly Example[] = examples;
  let test: Example[] = [];
  if (req.testFold !== undefined) {
    test = examples.filter((e) => hashedFold(e.formula) === req.testFold);
    rest = examples.filter((e) => hashedFold(e.formula) !== req.testFold);
  }
  const { train, val } = holdOut(rest, 0.1, req.seed);
  return { name: req.testFold === undefined ? name : `${name}/fold${req.testFold}`, train, val, test };
}

/** Splits for cross-validation protocols (G on the seed set, expt_gap), fold by fold. */
export function crossValidationSplit(protocol: 'G' | 'expt_gap', fold: number, seed: number, maxElements: number): TrainingData {
  if (protocol === 'G') return loadTrainingData({ data: 'mp_abx3', targets: ['band_gap', 'stable'], protocol: 'G', testFold: fold, seed, maxElements });
  const split = protocolExptGap(dataDir(), fold);
  const file = namedDatasetPath('expt_gap');
  return {
    split,
    source: file,
    sha256: sha256File(file),
    dataset: readDatasetFile(file, NAMED_DATASETS['expt_gap']!.spec),
    classificationTarget: null,
    targetsMeaning: { band_gap: 'experimental band gap (eV), Matbench expt_gap' },
  };
}
