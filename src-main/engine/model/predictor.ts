/**
 * Predictions from a trained ensemble: every target with an uncertainty. Regression: the members'
 * mean, moved by the neighbour correction where the card has one (the residuals of the nearest
 * training rows, neighbour-correction.ts), then a band gap at or below the card's zero gate reads 0,
 * a metal; sigma = the members' standard deviation times the scale fitted on validation (a deep
 * ensemble, recalibrated). Classification: the members' mean probability, their spread (standard
 * deviation), and the decision at the validation-chosen threshold. Attention maps on demand.
 */
import * as tf from '@tensorflow/tfjs';
import type { Composition, ElementSymbol } from '../../../shared/index.js';
import { parseFormula } from '../../../shared/composition/parse.js';
import type { ElementTable } from '../../data/elements/load.js';
import { Featurizer, type DistinctRowBatch, type EdmMatrix } from '../featurize/index.js';
import { loadModel, type ModelBundle } from './bundle.js';
import type { ModelCard } from './card.js';
import { forward, readHeads } from './transformer.js';
import { readDomainFile } from '../domain/file.js';
import { applyZeroGate } from '../evaluate/zero-gate.js';
import type { DomainFile, DomainReference, DomainScore } from '../domain/index.js';
import { modelTrainingExamples, rebuildTrainingSplit, SplitFileError } from '../train/bundled.js';
import type { Example } from '../train/data.js';
import { MEMORY_CACHE_FILE, readReferenceCache, referenceCacheKey, spreadSample, writeReferenceCache, type EmbeddedReferences } from '../domain/reference-cache.js';
import { NEIGHBOURS_SEARCHED, neighbourCorrection, type Neighbourhood, type Residuals } from './neighbour-correction.js';
import { disposeSearchIndex, nearestReference, queriesOf, searchMemory, searchReferences, type CorrectionNeeds, type SearchIndex } from './neighbour-search.js';

export interface ValueWithSigma {
  readonly value: number;
  readonly sigma: number;
}

export interface ClassPrediction {
  readonly target: string;
  readonly probability: number;
  readonly spread: number;
  readonly decision: boolean;
}

export interface Prediction {
  readonly regression: Readonly<Record<string, ValueWithSigma>>;
  readonly classification: ClassPrediction | null;
  /** Distance to the training data and the extrapolation flag; absent for a model without domain.json. */
  readonly domain?: DomainScore;
}

/** The reference side of the domain: training compositions embedded once, and the threshold. */
interface LoadedDomain {
  readonly file: DomainFile;
  readonly formulas: readonly string[];
  /** The references laid out and clustered for the search (neighbour-search.ts's searchReferences). */
  readonly references: SearchIndex;
}

/** The neighbour correction's memory: the training rows embedded (as the domain's references are) and the ensemble's residuals on them. */
type NeighbourMemory = OwnMemory | SharedMemory;

interface MemoryRows {
  readonly formulas: readonly string[];
  /** Laid out as LoadedDomain's references; the domain's own index where the memory shares it. */
  readonly references: SearchIndex;
  readonly residuals: Residuals;
}

/** A memory searched on its own: every reference is a memory row. */
interface OwnMemory extends MemoryRows {
  readonly sharesDomain: false;
}

/**
 * A memory laid over the domain's references (its training compositions; those not trained on,
 * validation and test, are no memory rows), so one matMul and one selection serve both per batch;
 * `isMemoryRow` marks the references that are.
 */
interface SharedMemory extends MemoryRows {
  readonly sharesDomain: true;
  readonly isMemoryRow: Uint8Array;
}

/** The members' outputs for a batch: means and standard deviations [n, targets] (de-standardized, before any correction), probabilities [K, n]. */
interface EnsembleOutputs {
  readonly mean: Float32Array;
  readonly std: Float32Array;
  readonly probability: Float32Array;
  readonly nearest: { readonly distance: Float32Array; readonly index: Int32Array } | null;
  readonly hood: Neighbourhood | null;
}

export interface AttentionMaps {
  /** Token labels: "[CLS]", the elements in EDM row order, then "pad". */
  readonly tokens: readonly string[];
  readonly elements: readonly ElementSymbol[];
  /** [layer][head][query token][key token], from ensemble member 0. */
  readonly layers: number[][][][];
  /** [layer][query][key]: the average over heads (member 0). */
  readonly layerAverage: number[][][];
  /** [head][element]: attention-pooling weights over the element tokens (member 0). */
  readonly pooling: number[][];
}

/**
 * Elements per composition a model predicts for, whatever it was trained on: the encoder has no
 * positional encoding and its weights do not depend on the number of tokens, so a mixed hybrid such
 * as (FA0.83Cs0.17)Pb(I0.9Br0.1)3 (C, H, N, Cs, Pb, I, Br: 7 elements) can be predicted by a model
 * trained on up to 6, as an extrapolation that callers flag.
 */
export const INFERENCE_MAX_ELEMENTS = 8;

/** Cached references embedded again on load, to check that the encoder and featurizer still agree with them. */
const CACHE_CHECK_ROWS = 64;
/** How far a re-embedded reference may drift from its cached embedding (float32 round-off across builds). */
const CACHE_CHECK_TOLERANCE = 1e-4;

/** Targets that cannot be negative; their predicted means are clipped at 0 (a gated target is zeroed at its cut instead). */
const NON_NEGATIVE = new Set(['band_gap', 'band_gap_expt', 'energy_above_hull', 'density', 'volume']);

/** Whether a target's values cannot be negative (its means are clipped at 0 where it has no zero gate). */
export function isNonNegative(name: string): boolean {
  return NON_NEGATIVE.has(name);
}

/** The reported value of a regression target from the members' mean: the card's zero gate where it has one, else clipped at 0 where the target cannot be negative. */
export function reportedValue(name: string, mean: number, zeroBelow: Readonly<Record<string, number>> | undefined): number {
  const cut = zeroBelow?.[name];
  if (cut !== undefined) return applyZeroGate(mean, cut);
  return isNonNegative(name) ? Math.max(0, mean) : mean;
}

/**
 * The model's training compositions (the data bundle's, and its split file's in `dir`); null without the
 * bundle (predictions then carry no domain score). A split file that is missing or changed is an error:
 * its domain.json says it has a domain, and a silent loss of the flag would pass extrapolations as safe.
 */
function trainingCompositions(card: ModelCard, dir: string | null): DomainReference[] | null {
  try {
    return modelTrainingExamples(card, dir);
  } catch (e) {
    if (e instanceof SplitFileError) throw e;
    return null;
  }
}

export class EnsemblePredictor {
  readonly featurizer: Featurizer;
  #domain: LoadedDomain | null = null;
  #memory: NeighbourMemory | null = null;
  /** Where the memory is cached (a model loaded from a folder); null: rebuilt in memory only. */
  #dir: string | null = null;

  readonly #table: ElementTable;

  constructor(
    readonly bundle: ModelBundle,
    table: ElementTable,
  ) {
    this.#table = table;
    const trained = bundle.card.featurizer;
    this.featurizer = new Featurizer(table, { ...trained, maxElements: Math.max(trained.maxElements, INFERENCE_MAX_ELEMENTS) });
  }

  /** The model in `dir`, with its domain.json unless `withDomain` is false (a calibration that chooses a new one). */
  static load(dir: string, table: ElementTable, withDomain = true): EnsemblePredictor {
    const predictor = new EnsemblePredictor(loadModel(dir), table);
    predictor.#dir = dir;
    const domain = withDomain ? readDomainFile(dir) : null;
    if (domain) predictor.#loadDomain(dir, domain);
    if (predictor.#corrects()) predictor.#loadMemory();
    return predictor;
  }

  /** Whether the card corrects any target by its neighbours. */
  #corrects(): boolean {
    return Object.keys(this.card.ensemble.neighbourCorrection ?? {}).length > 0;
  }

  /**
   * The neighbour correction's memory: from the cache beside the model, else the training rows rebuilt
   * from the data bundle as the card names its split (and cached). A model whose split cannot be rebuilt
   * cannot predict as it was calibrated: an error says why.
   */
  #loadMemory(): void {
    const key = this.#dir ? referenceCacheKey(this.#dir) : null;
    const cached = this.#dir && key ? readReferenceCache(this.#dir, key, MEMORY_CACHE_FILE) : null;
    if (cached?.values && this.#agreesWith(cached)) {
      this.#useMemory(cached.formulas, tf.tensor2d(cached.embeddings, [cached.formulas.length, cached.dim]), { targets: cached.values.width, values: cached.values.data });
      this.#shareDomain();
      return;
    }
    const rebuilt = rebuildTrainingSplit(this.card, this.#dir);
    if ('problem' in rebuilt) throw new Error(`model ${this.card.name} (${this.card.id}) corrects its predictions by its training rows' residuals, but ${rebuilt.problem}`);
    const memory = this.#memoryOf(rebuilt.memoryRows);
    if (this.#dir && key) writeReferenceCache(this.#dir, key, memory, MEMORY_CACHE_FILE);
    this.#useMemory(memory.formulas, tf.tensor2d(memory.embeddings, [memory.formulas.length, memory.dim]), { targets: memory.values.width, values: memory.values.data });
    this.#shareDomain();
  }

  /**
   * Lays the memory over the domain's references where every memory row is a domain reference, one per
   * composition (the joint default model: its training rows are among the 14,951 compositions its domain
   * measures from), so that a batch needs one search instead of two. The residuals move with their
   * compositions; the other references (validation and test compositions) are marked as no memory rows
   * and skipped by the search (neighbour-search.ts), so a correction sees the same training rows either way.
   */
  #shareDomain(): void {
    const memory = this.#memory;
    const domain = this.#domain;
    if (!memory || !domain || memory.sharesDomain) return;
    const at = new Map<string, number>();
    domain.formulas.forEach((f, i) => at.set(f, i));
    if (at.size !== domain.formulas.length || new Set(memory.formulas).size !== memory.formulas.length) return;
    const width = memory.residuals.targets;
    const values = new Float32Array(domain.formulas.length * width).fill(Number.NaN);
    const isMemoryRow = new Uint8Array(domain.formulas.length);
    for (let row = 0; row < memory.formulas.length; row += 1) {
      const i = at.get(memory.formulas[row]!);
      if (i === undefined) return; // a training row the domain does not hold: keep two searches
      values.set(memory.residuals.values.subarray(row * width, (row + 1) * width), i * width);
      isMemoryRow[i] = 1;
    }
    disposeSearchIndex(memory.references);
    this.#memory = { formulas: domain.formulas, references: domain.references, residuals: { targets: width, values }, sharesDomain: true, isMemoryRow };
  }

  /** Uses `rows` (the rows the model was trained on) as the neighbour correction's memory (see #memoryOf). */
  setNeighbourMemory(rows: readonly Example[]): void {
    const memory = this.#memoryOf(rows);
    this.#useMemory(memory.formulas, tf.tensor2d(memory.embeddings, [memory.formulas.length, memory.dim]), { targets: memory.values.width, values: memory.values.data });
  }

  /**
   * The neighbour correction's memory of `rows`: each row embedded, and its residual (label - ensemble
   * mean, NaN where unlabelled) per regression target. A row repeated with the same labels (the joint
   * set repeats the seed set's rows each epoch) is kept once: k neighbours are k compositions' errors,
   * not one error counted k times.
   */
  #memoryOf(rows: readonly Example[]): EmbeddedReferences & { readonly values: NonNullable<EmbeddedReferences['values']> } {
    const seen = new Set<string>();
    const training = rows.filter((e) => {
      const key = `${e.formula}\u0000${JSON.stringify(e.targets)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const names = this.card.config.regressionTargets;
    const compositions = training.map((e) => e.composition);
    const means = this.ensembleMeans(compositions);
    const values = new Float32Array(training.length * names.length);
    training.forEach((e, i) =>
      names.forEach((name, j) => {
        const label = e.targets[name];
        values[i * names.length + j] = label === null || label === undefined ? Number.NaN : label - means[i * names.length + j]!;
      }),
    );
    const embedded = this.embed(compositions);
    const embeddings = embedded.dataSync() as Float32Array;
    const dim = embedded.shape[1];
    embedded.dispose();
    return { formulas: training.map((e) => e.formula), dim, embeddings, values: { width: names.length, data: values } };
  }

  /** Takes ownership of `embedded` ([rows, trunk]). */
  #useMemory(formulas: readonly string[], embedded: tf.Tensor2D, residuals: Residuals): void {
    this.#disposeMemory();
    this.#memory = { formulas, references: searchReferences(embedded), residuals, sharesDomain: false };
    embedded.dispose();
  }

  #disposeMemory(): void {
    if (this.#memory && !this.#memory.sharesDomain) disposeSearchIndex(this.#memory.references);
    this.#memory = null;
  }

  /**
   * A predictor of the same members with another card (calibration's steps), taking over this one's
   * neighbour memory (this one keeps none). Nothing else is carried over: no domain, no cache folder.
   */
  withCard(card: ModelCard): EnsemblePredictor {
    const next = new EnsemblePredictor({ card, members: this.bundle.members }, this.#table);
    if (this.#memory?.sharesDomain) throw new Error('withCard: the memory is laid over this predictor\'s domain');
    next.#memory = this.#memory;
    this.#memory = null;
    return next;
  }

  /** Whether the memory is laid over the domain's references (one search per batch for both). */
  get memorySharesDomain(): boolean {
    return this.#memory?.sharesDomain ?? false;
  }

  /** The memory's residuals (null: none set); calibration chooses the correction from them. */
  get neighbourResiduals(): Residuals | null {
    return this.#memory?.residuals ?? null;
  }

  /** The ensemble means [n, targets] of `compositions`, de-standardized, with no correction, gate or clipping. */
  ensembleMeans(compositions: readonly Composition[]): Float32Array {
    const width = this.card.config.regressionTargets.length;
    const out = new Float32Array(compositions.length * width);
    this.#batches(compositions, 1024, (part, batch) => {
      const mean = this.#run(batch, null).mean;
      part.forEach((i, k) => out.set(mean.subarray(k * width, (k + 1) * width), i * width));
    });
    return out;
  }

  /** The nearest memory rows of each composition ([n, NEIGHBOURS_SEARCHED], padded at an infinite distance where the memory holds fewer); requires a memory. */
  neighbourhood(compositions: readonly Composition[]): Neighbourhood {
    if (!this.#memory) throw new Error('neighbourhood: no neighbour memory set');
    const searched = NEIGHBOURS_SEARCHED;
    const distance2 = new Float32Array(compositions.length * searched);
    const index = new Int32Array(compositions.length * searched);
    this.#batches(compositions, 1024, (part, batch) => {
      const hood = this.#run(batch, 'all').hood!;
      part.forEach((i, k) => {
        distance2.set(hood.distance2.subarray(k * searched, (k + 1) * searched), i * searched);
        index.set(hood.index.subarray(k * searched, (k + 1) * searched), i * searched);
      });
    });
    return { count: compositions.length, searched, distance2, index };
  }


  /** The domain of the model in `dir`: its references from the cache beside it, else rebuilt from the bundle and its split file (and cached). */
  #loadDomain(dir: string, file: DomainFile): void {
    const key = referenceCacheKey(dir);
    const cached = readReferenceCache(dir, key);
    if (cached && this.#agreesWith(cached)) {
      this.#useReferences(file, cached.formulas, tf.tensor2d(cached.embeddings, [cached.formulas.length, cached.dim]));
      return;
    }
    const references = trainingCompositions(this.card, dir);
    if (references) this.setDomain(file, references, dir);
  }

  /** Whether a spread sample of cached references embeds as cached (the featurizer, element table and encoder unchanged). */
  #agreesWith(cached: EmbeddedReferences): boolean {
    const rows = spreadSample(cached.formulas.length, CACHE_CHECK_ROWS);
    const compositions: Composition[] = [];
    for (const row of rows) {
      const parsed = parseFormula(cached.formulas[row]!);
      if (!parsed.ok) return false;
      compositions.push(parsed.value);
    }
    const again = this.embed(compositions);
    const values = again.dataSync();
    again.dispose();
    if (again.shape[1] !== cached.dim) return false;
    return rows.every((row, i) => {
      for (let j = 0; j < cached.dim; j += 1) {
        const was = cached.embeddings[row * cached.dim + j]!;
        if (!(Math.abs(values[i * cached.dim + j]! - was) <= CACHE_CHECK_TOLERANCE * (1 + Math.abs(was)))) return false;
      }
      return true;
    });
  }

  /** The applicability domain in use (null: none; predictions then carry no domain score). */
  get domain(): DomainFile | null {
    return this.#domain?.file ?? null;
  }

  /**
   * Uses `file`'s threshold with `references` (the training compositions) as the domain; with `cacheIn`
   * (the model's folder, whose training compositions they are) the embedded references are cached there,
   * so the next load of the model reads them instead of embedding them again.
   */
  setDomain(file: DomainFile, references: readonly DomainReference[], cacheIn?: string): void {
    const embedded = this.embed(references.map((r) => r.composition));
    const formulas = references.map((r) => r.formula);
    if (cacheIn) writeReferenceCache(cacheIn, referenceCacheKey(cacheIn), { formulas, dim: embedded.shape[1], embeddings: embedded.dataSync() as Float32Array });
    this.#useReferences(file, formulas, embedded);
  }

  /** Takes ownership of `embedded` ([references, trunk]). */
  #useReferences(file: DomainFile, formulas: readonly string[], embedded: tf.Tensor2D): void {
    if (this.#memory?.sharesDomain) this.#disposeMemory(); // laid over the old references: loaded again when needed
    if (this.#domain) disposeSearchIndex(this.#domain.references);
    this.#domain = { file, formulas, references: searchReferences(embedded) };
    embedded.dispose();
  }

  /** [n, trunk]: the shared trunk's output of member 0 for each composition (the domain's space). */
  embed(compositions: readonly Composition[]): tf.Tensor2D {
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < compositions.length; start += 1024) {
      const part = compositions.slice(start, start + 1024);
      const rows = Math.max(1, ...part.map((c) => c.elements.length));
      const batch = this.featurizer.featurizeDistinctRows(part, rows);
      parts.push(tf.tidy(() => {
        const distinct = tf.tensor2d(batch.features, [batch.distinctRows, batch.width]);
        const mask = tf.tensor2d(batch.mask, [batch.count, batch.rows]);
        return forward(this.bundle.members[0]!, this.card.config, { distinct, index: batch.index, mask }, { training: false, embedding: true }).embedding!;
      }));
    }
    const all = tf.concat(parts, 0) as tf.Tensor2D;
    tf.dispose(parts);
    return all;
  }

  get card(): ModelCard {
    return this.bundle.card;
  }

  /**
   * The members' outputs for a pre-featurized batch: means, standard deviations and probabilities; the
   * nearest domain reference when the model has a domain, and (with `neighbours`) the nearest memory
   * rows: as many as these corrections need, or (`all`) as many as calibration chooses from.
   */
  #run(batch: DistinctRowBatch, neighbours: CorrectionNeeds | 'all' | null): EnsembleOutputs {
    const { config, targetScaling, ensemble } = this.card;
    const n = batch.count;
    const nReg = config.regressionTargets.length;
    const K = this.bundle.members.length;
    const reg = new Float32Array(K * n * nReg);
    const probability = new Float32Array(K * n);
    const domain = this.#domain;
    const memory = neighbours !== null ? this.#memory : null;
    let nearest: EnsembleOutputs['nearest'] = null;
    let hood: Neighbourhood | null = null;
    const distinct = tf.tensor2d(batch.features, [batch.distinctRows, batch.width]);
    const index = batch.index;
    const mask = tf.tensor2d(batch.mask, [n, batch.rows]);
    const wantEmbedding = domain !== null || memory !== null;
    // a distilled model's members share the encoder and trunk: computed once, then each member's heads
    const shared = ensemble.sharedTrunk ? tf.tidy(() => forward(this.bundle.members[0]!, config, { distinct, index, mask }, { training: false, embedding: true }).embedding!) : null;
    // one tidy per member: keeping every member's intermediates until the end multiplies peak memory by K
    this.bundle.members.forEach((params, k) => {
      tf.tidy(() => {
        const out = shared
          ? { ...readHeads(params, config, shared), embedding: shared }
          : forward(params, config, { distinct, index, mask }, { training: false, embedding: k === 0 && wantEmbedding });
        if (out.regression) reg.set(out.regression.dataSync(), k * n * nReg);
        if (out.logits) probability.set(tf.sigmoid(out.logits).dataSync(), k * n);
        if (k !== 0 || !out.embedding) return;
        const queries = queriesOf(out.embedding);
        const needs = neighbours === 'all' ? null : neighbours;
        if (memory?.sharesDomain && domain) {
          // one search: the nearest reference for the domain, the nearest memory rows among them for the correction
          ({ hood, nearest } = searchMemory(queries, { references: memory.references, isMemoryRow: memory.isMemoryRow }, needs));
          return;
        }
        if (domain) nearest = nearestReference(queries, domain.references);
        if (memory) hood = searchMemory(queries, { references: memory.references, isMemoryRow: null }, needs).hood;
      });
    });
    tf.dispose([distinct, mask]);
    if (shared) shared.dispose();
    const mean = new Float32Array(n * nReg);
    const std = new Float32Array(n * nReg);
    const values = new Array<number>(K);
    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j < nReg; j += 1) {
        for (let k = 0; k < K; k += 1) values[k] = reg[k * n * nReg + i * nReg + j]! * targetScaling.std[j]! + targetScaling.mean[j]!;
        const stats = meanStd(values);
        mean[i * nReg + j] = stats.mean;
        std[i * nReg + j] = stats.std;
      }
    }
    return { mean, std, probability, nearest, hood };
  }

  /** Predicts a pre-featurized batch of distinct rows (the screening hot path). */
  predictBatch(batch: DistinctRowBatch): Prediction[] {
    const { config, ensemble } = this.card;
    const corrections = ensemble.neighbourCorrection ?? {};
    if (this.#corrects() && !this.#memory) this.#loadMemory();
    const n = batch.count;
    const nReg = config.regressionTargets.length;
    const K = this.bundle.members.length;
    const memory = this.#memory;
    const corrected = config.regressionTargets.flatMap((name, column) => (corrections[name] ? [{ column, neighbours: corrections[name].neighbours }] : []));
    const needs = memory && corrected.length > 0 ? { residuals: memory.residuals, targets: corrected } : null;
    const out = this.#run(batch, needs);
    const domain = this.#domain;
    const predictions: Prediction[] = [];
    for (let i = 0; i < n; i += 1) {
      const regression: Record<string, ValueWithSigma> = {};
      config.regressionTargets.forEach((name, j) => {
        const settings = corrections[name];
        const shift = settings && out.hood && memory ? neighbourCorrection(out.hood, i, memory.residuals, j, settings) : 0;
        regression[name] = { value: reportedValue(name, out.mean[i * nReg + j]! + shift, ensemble.zeroBelow), sigma: out.std[i * nReg + j]! * (ensemble.sigmaScale[name] ?? 1) };
      });
      let classification: ClassPrediction | null = null;
      if (config.classificationTarget !== null) {
        const { mean, std } = meanStd(Array.from({ length: K }, (_, k) => out.probability[k * n + i]!));
        classification = { target: config.classificationTarget, probability: mean, spread: std, decision: mean >= (ensemble.threshold ?? 0.5) };
      }
      if (domain && out.nearest) {
        const distance = out.nearest.distance[i]!;
        predictions.push({ regression, classification, domain: { distance, inDomain: distance <= domain.file.threshold, nearest: domain.formulas[out.nearest.index[i]!]! } });
      } else predictions.push({ regression, classification });
    }
    return predictions;
  }

  /** Featurizes `compositions` in batches of the same number of elements (no more rows than each needs) and hands each batch to `use` with the input positions it holds. */
  #batches(compositions: readonly Composition[], batchSize: number, use: (part: readonly number[], batch: DistinctRowBatch) => void): void {
    const byCount = new Map<number, number[]>();
    compositions.forEach((c, i) => {
      const group = byCount.get(c.elements.length);
      if (group) group.push(i);
      else byCount.set(c.elements.length, [i]);
    });
    for (const [elements, members] of byCount) {
      for (let start = 0; start < members.length; start += batchSize) {
        const part = members.slice(start, start + batchSize);
        use(part, this.featurizer.featurizeDistinctRows(part.map((i) => compositions[i]!), Math.max(1, elements)));
      }
    }
  }

  /**
   * Predicts in batches of compositions with the same number of elements, each featurized with no
   * more rows than it needs (plain ABX3 runs on 4 tokens instead of maxElements + 1).
   */
  predict(compositions: readonly Composition[], batchSize = 1024): Prediction[] {
    const out = new Array<Prediction>(compositions.length);
    this.#batches(compositions, batchSize, (part, batch) => {
      const predictions = this.predictBatch(batch);
      part.forEach((i, k) => (out[i] = predictions[k]!));
    });
    return out;
  }

  /**
   * The element descriptor matrix of one composition as the model was trained to see it: padded to
   * the training cap (more rows only when the composition has more elements).
   */
  descriptorMatrix(composition: Composition): EdmMatrix {
    const full = this.featurizer.featurize(composition);
    const rows = Math.max(this.card.featurizer.maxElements, full.elements.length);
    return { ...full, rows, values: full.values.subarray(0, rows * full.width), mask: full.mask.subarray(0, rows) };
  }

  attention(composition: Composition): AttentionMaps {
    const edm = this.descriptorMatrix(composition);
    const { config } = this.card;
    const params = this.bundle.members[0]!;
    const result = tf.tidy(() => {
      const features = tf.tensor3d(edm.values, [1, edm.rows, edm.width]);
      const mask = tf.tensor2d(Float32Array.from(edm.mask), [1, edm.rows]);
      const out = forward(params, config, { features, mask }, { training: false, attention: true });
      return { layers: out.layerAttention!, pooling: out.poolingAttention! };
    });
    const layers = result.layers.map((a) => (a.arraySync() as number[][][][])[0]!);
    const poolingByElement = (result.pooling.arraySync() as number[][][])[0]!; // [R][H]
    tf.dispose([...result.layers, result.pooling]);
    const layerAverage = layers.map((heads) => heads[0]!.map((row, q) => row.map((_, k) => heads.reduce((s, h) => s + h[q]![k]!, 0) / heads.length)));
    const nEl = edm.elements.length;
    const pooling = Array.from({ length: config.heads }, (_, h) => poolingByElement.slice(0, nEl).map((row) => row[h]!));
    const tokens = ['[CLS]', ...edm.elements, ...Array.from({ length: edm.rows - nEl }, () => 'pad')];
    return { tokens, elements: edm.elements, layers, layerAverage, pooling };
  }

  dispose(): void {
    this.#disposeMemory();
    if (this.#domain) disposeSearchIndex(this.#domain.references);
    for (const p of this.bundle.members) p.dispose();
  }
}

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}
