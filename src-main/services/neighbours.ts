/**
 * The training compositions nearest to a candidate (L1 distance between atomic-fraction vectors):
 * what the default model learned closest to it, with the recorded band gap and stability.
 */
import type { NeighbourComposition } from '../../shared/api/types.js';
import type { Composition } from '../../shared/index.js';
import { loadNamedDataset } from '../data/datasets/index.js';
import { onePerFormula } from '../engine/train/protocols.js';
import { atomicFractions, fractionL1, type Fractions } from './composition-distance.js';

interface Reference {
  readonly formula: string;
  readonly fractions: Fractions;
  readonly bandGap: number | null;
  readonly stable: boolean | null;
}

export class TrainingNeighbours {
  private references: Reference[] | null = null;

  private load(): Reference[] {
    if (!this.references) {
      try {
        this.references = onePerFormula(loadNamedDataset('mp_abx3')).map((e) => ({
          formula: e.formula,
          fractions: atomicFractions(e.composition),
          bandGap: e.targets['band_gap'] ?? null,
          stable: e.targets['stable'] === undefined || e.targets['stable'] === null ? null : e.targets['stable'] === 1,
        }));
      } catch {
        this.references = []; // no data bundle: no neighbours, nothing else breaks
      }
    }
    return this.references;
  }

  nearest(composition: Composition, k = 6): NeighbourComposition[] {
    const fractions = atomicFractions(composition);
    return this.load()
      .map((t) => ({ formula: t.formula, distance: fractionL1(t.fractions, fractions), bandGap: t.bandGap, stable: t.stable }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, k);
  }
}
