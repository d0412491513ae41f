/**
 * Predictions from a trained ensemble: every target with an uncertainty. Regression: the members'
 * mean (a band gap at or below the card's zero gate reads 0, a metal), and sigma = their standard
 * deviation times the scale fitted on validation (a deep ensemble, recalibrated). Classification: the
 * members' mean probability, their spread (standard deviation), and the decision at the
 * validation-chosen threshold. Attention maps on demand.
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
import { bundledTrainingExamples } from '../train/bundled.js';
import { readReferenceCache, referenceCacheKey, spreadSample, writeReferenceCache, type EmbeddedReferences } from '../domain/reference-cache.js';

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
  /**
   * [trunk + 1, N]: -2 x the reference embeddings, transposed, over a last row of their squared norms,
   * so that [q, 1] x this = |r|^2 - 2 q.r, whose minimum over r plus |q|^2 is the squared distance to
   * the nearest reference: one matMul and one argMin per batch.
   */
  readonly references: tf.Tensor2D;
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

/** The reported value of a regression target from the members' mean: the card's zero gate where it has one, else clipped at 0 where the target cannot be negative. */
export function reportedValue(name: string, mean: number, zeroBelow: Readonly<Record<string, number>> | undefined): number {
  const cut = zeroBelow?.[name];
  if (cut !== undefined) return applyZeroGate(mean, cut);
  return NON_NEGATIVE.has(name) ? Math.max(0, mean) : mean;
}

/** The model's training compositions from the data bundle; null without the bundle (predictions then carry no domain score). */
function trainingCompositions(card: ModelCard): DomainReference[] | null {
  try {
    return bundledTrainingExamples(card);
  } catch {
    return null;
  }
}

export class EnsemblePredictor {
  readonly featurizer: Featurizer;
  #domain: LoadedDomain | null = null;

  constructor(
    readonly bundle: ModelBundle,
    table: ElementTable,
  ) {
    const trained = bundle.card.featurizer;
    this.featurizer = new Featurizer(table, { ...trained, maxElements: Math.max(trained.maxElements, INFERENCE_MAX_ELEMENTS) });
  }

  static load(dir: string, table: ElementTable): EnsemblePredictor {
    const predictor = new EnsemblePredictor(loadModel(dir), table);
    const domain = readDomainFile(dir);
    if (domain) predictor.#loadDomain(dir, domain);
    return predictor;
  }

  /** The domain of the model in `dir`: its references from the cache beside it, else rebuilt from the bundle (and cached). */
  #loadDomain(dir: string, file: DomainFile): void {
    const key = referenceCacheKey(dir);
    const cached = readReferenceCache(dir, key);
    if (cached && this.#agreesWith(cached)) {
      this.#useReferences(file, cached.formulas, tf.tensor2d(cached.embeddings, [cached.formulas.length, cached.dim]));
      return;
    }
    const references = trainingCompositions(this.card);
    if (!references) return;
    const embedded = this.embed(references.map((r) => r.composition));
    const formulas = references.map((r) => r.formula);
    writeReferenceCache(dir, key, { formulas, dim: embedded.shape[1], embeddings: embedded.dataSync() as Float32Array });
    this.#useReferences(file, formulas, embedded);
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

  /** Uses `file`'s threshold with `references` (the training compositions) as the domain. */
  setDomain(file: DomainFile, references: readonly DomainReference[]): void {
    this.#useReferences(file, references.map((r) => r.formula), this.embed(references.map((r) => r.composition)));
  }

  /** Takes ownership of `embedded` ([references, trunk]). */
  #useReferences(file: DomainFile, formulas: readonly string[], embedded: tf.Tensor2D): void {
    this.#domain?.references.dispose();
    const augmented = tf.tidy(() => tf.concat([tf.mul(-2, tf.transpose(embedded)), tf.reshape(tf.sum(tf.square(embedded), 1), [1, -1])], 0) as tf.Tensor2D);
    embedded.dispose();
    this.#domain = { file, formulas, references: augmented };
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

  /** Predicts a pre-featurized batch of distinct rows (the screening hot path). */
  predictBatch(batch: DistinctRowBatch): Prediction[] {
    const { config, targetScaling, ensemble } = this.card;
    const n = batch.count;
    const nReg = config.regressionTargets.length;
    const K = this.bundle.members.length;
    const reg = new Float32Array(K * n * nReg);
    const prob = new Float32Array(K * n);
    const domain = this.#domain;
    let nearestDistance: Float32Array | null = null;
    let nearestIndex: Int32Array | null = null;
    const distinct = tf.tensor2d(batch.features, [batch.distinctRows, batch.width]);
    const index = batch.index;
    const mask = tf.tensor2d(batch.mask, [n, batch.rows]);
    // a distilled model's members share the encoder and trunk: computed once, then each member's heads
    const shared = ensemble.sharedTrunk ? tf.tidy(() => forward(this.bundle.members[0]!, config, { distinct, index, mask }, { training: false, embedding: true }).embedding!) : null;
    // one tidy per member: keeping every member's intermediates until the end multiplies peak memory by K
    this.bundle.members.forEach((params, k) => {
      tf.tidy(() => {
        const out = shared
          ? { ...readHeads(params, config, shared), embedding: shared }
          : forward(params, config, { distinct, index, mask }, { training: false, embedding: k === 0 && domain !== null });
        if (out.regression) reg.set(out.regression.dataSync(), k * n * nReg);
        if (out.logits) prob.set(tf.sigmoid(out.logits).dataSync(), k * n);
        if (k === 0 && out.embedding && domain) {
          const q = out.embedding;
          const partial = tf.matMul(tf.concat([q, tf.ones([n, 1])], 1), domain.references); // |r|^2 - 2 q.r
          const nearest = tf.argMin(partial, 1);
          const N = domain.formulas.length;
          const atNearest = tf.gather(tf.reshape(partial, [-1]), tf.add(nearest, tf.range(0, n * N, N, 'int32')));
          nearestDistance = tf.sqrt(tf.relu(tf.add(atNearest, tf.sum(tf.square(q), 1)))).dataSync() as Float32Array;
          nearestIndex = nearest.dataSync() as Int32Array;
        }
      });
    });
    tf.dispose([distinct, mask]);
    if (shared) shared.dispose();
    const predictions: Prediction[] = [];
    for (let i = 0; i < n; i += 1) {
      const regression: Record<string, ValueWithSigma> = {};
      config.regressionTargets.forEach((name, j) => {
        const values = Array.from({ length: K }, (_, k) => reg[k * n * nReg + i * nReg + j]! * targetScaling.std[j]! + targetScaling.mean[j]!);
        const { mean, std } = meanStd(values);
        regression[name] = { value: reportedValue(name, mean, ensemble.zeroBelow), sigma: std * (ensemble.sigmaScale[name] ?? 1) };
      });
      let classification: ClassPrediction | null = null;
      if (config.classificationTarget !== null) {
        const { mean, std } = meanStd(Array.from({ length: K }, (_, k) => prob[k * n + i]!));
        classification = { target: config.classificationTarget, probability: mean, spread: std, decision: mean >= (ensemble.threshold ?? 0.5) };
      }
      if (domain && nearestDistance && nearestIndex) {
        const distance = nearestDistance[i]!;
        predictions.push({ regression, classification, domain: { distance, inDomain: distance <= domain.file.threshold, nearest: domain.formulas[nearestIndex[i]!]! } });
      } else predictions.push({ regression, classification });
    }
    return predictions;
  }

  /**
   * Predicts in batches of compositions with the same number of elements, each featurized with no
   * more rows than it needs (plain ABX3 runs on 4 tokens instead of maxElements + 1).
   */
  predict(compositions: readonly Composition[], batchSize = 1024): Prediction[] {
    const out = new Array<Prediction>(compositions.length);
    const byCount = new Map<number, number[]>();
    compositions.forEach((c, i) => {
      const group = byCount.get(c.elements.length);
      if (group) group.push(i);
      else byCount.set(c.elements.length, [i]);
    });
    for (const [elements, members] of byCount) {
      for (let start = 0; start < members.length; start += batchSize) {
        const part = members.slice(start, start + batchSize);
        const predictions = this.predictBatch(this.featurizer.featurizeDistinctRows(part.map((i) => compositions[i]!), Math.max(1, elements)));
        part.forEach((i, k) => (out[i] = predictions[k]!));
      }
    }
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
    this.#domain?.references.dispose();
    for (const p of this.bundle.members) p.dispose();
  }
}

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}
