/** The element descriptor matrix of one composition, as the model sees it (for `pdw featurize`). */
import type { Composition, ElementSymbol } from '../../shared/index.js';
import type { ElementTable } from '../data/elements/load.js';
import { defaultFeaturizerSettings, Featurizer, type EdmLayout } from '../engine/featurize/index.js';

export { DEFAULT_FRACTION_WIDTH, DEFAULT_MAX_ELEMENTS, FeaturizeError } from '../engine/featurize/index.js';

export interface DescriptorMatrix {
  readonly rows: number;
  readonly width: number;
  readonly layout: EdmLayout;
  readonly elements: readonly ElementSymbol[];
  readonly fractions: readonly number[];
  readonly mask: readonly number[];
  readonly matrix: readonly (readonly number[])[];
}

export function descriptorMatrix(table: ElementTable, composition: Composition, settings: { readonly maxElements: number; readonly fractionWidth: number }): DescriptorMatrix {
  const featurizer = new Featurizer(table, defaultFeaturizerSettings(table, settings));
  const edm = featurizer.featurize(composition);
  return {
    rows: edm.rows,
    width: edm.width,
    layout: featurizer.layout,
    elements: edm.elements,
    fractions: edm.fractions,
    mask: Array.from(edm.mask),
    matrix: Array.from({ length: edm.rows }, (_, r) => Array.from(edm.values.subarray(r * edm.width, (r + 1) * edm.width))),
  };
}
