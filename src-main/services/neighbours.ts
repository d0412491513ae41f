/**
 * The training compositions nearest to a candidate (L1 distance between atomic-fraction vectors):
 * what the screen's model learned closest to it (its card names the data), with the recorded PBE band gap
 * and stability: the seed set's values, and for the joint default model also mp_gap's gaps (none where a
 * composition has only a measured gap).
 */
import type { NeighbourComposition } from '../../shared/api/types.js';
import type { Composition } from '../../shared/index.js';
import type { ModelCard } from '../engine/model/card.js';
import { bundledTrainingExamples } from '../engine/train/bundled.js';
import { atomicFractions, fractionL1, type Fractions } from './composition-distance.js';

interface Reference {
  readonly formula: string;
  readonly fractions: Fractions;
  readonly bandGap: number | null;
  readonly stable: boolean | null;
}

export class TrainingNeighbours {
  /** By model id: the training compositions of the models asked about (one or two in practice). */
  private readonly references = new Map<string, Reference[]>();

  private load(card: ModelCard): Reference[] {
    let refs = this.references.get(card.id);
    if (!refs) {
      try {
        refs = (bundledTrainingExamples(card) ?? []).map((e) => ({
          formula: e.formula,
          fractions: atomicFractions(e.composition),
          bandGap: e.targets['band_gap'] ?? null,
          stable: e.targets['stable'] === undefined || e.targets['stable'] === null ? null : e.targets['stable'] === 1,
        }));
      } catch {
        refs = []; // no data bundle: no neighbours, nothing else breaks
      }
      this.references.set(card.id, refs);
    }
    return refs;
  }

  /** The `k` training compositions of `card`'s model nearest to `composition` (none for a model trained on an uploaded CSV). */
  nearest(card: ModelCard, composition: Composition, k = 6): NeighbourComposition[] {
    const fractions = atomicFractions(composition);
    return this.load(card)
      .map((t) => ({ formula: t.formula, distance: fractionL1(t.fractions, fractions), bandGap: t.bandGap, stable: t.stable }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, k);
  }
}
