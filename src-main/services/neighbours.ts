/**
 * The training compositions nearest to a candidate by the element mover's distance on Pettifor's
 * Mendeleev scale (composition-distance.ts), so that CsPbI3, CsGeI3 and RbSnI3 come before CsBaI3 for
 * CsSnI3 (the L1 distance between atomic fractions ties all four; it breaks the mover's ties, then the
 * formula): what the screen's model learned closest to it (its card names the data), with the recorded
 * PBE band gap and stability: the seed set's values, and for the joint default model also mp_gap's gaps
 * (none where a composition has only a measured gap).
 */
import type { NeighbourComposition } from '../../shared/api/types.js';
import type { Composition } from '../../shared/index.js';
import type { ElementTable } from '../data/elements/load.js';
import type { ModelCard } from '../engine/model/card.js';
import { bundledTrainingExamples } from '../engine/train/bundled.js';
import { atomicFractions, elementMoversDistance, fractionL1, onScale, type Fractions, type ScaledComposition } from './composition-distance.js';

interface Reference {
  readonly formula: string;
  readonly composition: Composition;
  readonly fractions: Fractions;
  readonly scaled: ScaledComposition;
  readonly bandGap: number | null;
  readonly stable: boolean | null;
}

/** An element's place on the distance's scale: its Mendeleev number (1-103), else its atomic number (the superheavy elements, 104-118, beyond the scale's end). */
export function mendeleevPosition(table: ElementTable): (element: string) => number {
  return (element) => {
    const record = table.get(element);
    return record.mendeleevNumber ?? record.z;
  };
}

/** A difference of sums of fractions, 0 where it is only floating-point rounding (so that ties are ties). */
function beyondRounding(d: number): number {
  return Math.abs(d) < 1e-9 ? 0 : d;
}

export class TrainingNeighbours {
  /** By model id: the training compositions of the models asked about (one or two in practice). */
  private readonly references = new Map<string, Reference[]>();
  private readonly position: (element: string) => number;

  constructor(table: ElementTable) {
    this.position = mendeleevPosition(table);
  }

  private load(card: ModelCard): Reference[] {
    let refs = this.references.get(card.id);
    if (!refs) {
      try {
        refs = (bundledTrainingExamples(card) ?? []).map((e) => {
          const fractions = atomicFractions(e.composition);
          return {
            formula: e.formula,
            composition: e.composition,
            fractions,
            scaled: onScale(fractions, this.position),
            bandGap: e.targets['band_gap'] ?? null,
            stable: e.targets['stable'] === undefined || e.targets['stable'] === null ? null : e.targets['stable'] === 1,
          };
        });
      } catch {
        refs = []; // no data bundle: no neighbours, nothing else breaks
      }
      this.references.set(card.id, refs);
    }
    return refs;
  }

  /**
   * The `k` training compositions of `card`'s model nearest to `composition` (none for a model trained
   * on an uploaded CSV), each with the band gap `predictGaps` gives for it (the model's own value
   * beside the recorded one: how well it does right here).
   */
  nearest(card: ModelCard, composition: Composition, predictGaps: (compositions: readonly Composition[]) => readonly (number | null)[], k = 6): NeighbourComposition[] {
    const fractions = atomicFractions(composition);
    const scaled = onScale(fractions, this.position);
    const nearest = this.load(card)
      .map((t) => ({ t, distance: elementMoversDistance(t.scaled, scaled), l1: fractionL1(t.fractions, fractions) }))
      .sort((a, b) => beyondRounding(a.distance - b.distance) || beyondRounding(a.l1 - b.l1) || (a.t.formula < b.t.formula ? -1 : a.t.formula > b.t.formula ? 1 : 0))
      .slice(0, k);
    const predicted = nearest.length ? predictGaps(nearest.map((n) => n.t.composition)) : [];
    return nearest.map(({ t, distance }, i) => ({ formula: t.formula, distance, bandGap: t.bandGap, predictedGap: predicted[i] ?? null, stable: t.stable }));
  }
}
