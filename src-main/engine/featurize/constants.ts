/** Fixed roles and defaults of the element descriptor matrix (EDM); see SEED_MODEL.md. */

export const MAT2VEC_WIDTH = 200;

/** The 10 elemental attributes, in column order. */
export const ATTRIBUTE_NAMES = [
  'atomicNumber',
  'atomicMass',
  'electronegativity',
  'atomicRadius',
  'averageIonicRadius',
  'group',
  'row',
  'isMetal',
  'isTransitionMetal',
  'isMetalloid',
] as const;
export type AttributeName = (typeof ATTRIBUTE_NAMES)[number];

export const DEFAULT_MAX_ELEMENTS = 6;
export const DEFAULT_FRACTION_WIDTH = 256;

/** Angular frequencies of the sinusoidal fraction encoding span this range, geometrically. */
export const FRACTION_OMEGA_MIN = 1;
export const FRACTION_OMEGA_MAX = 1000;
/** The log scale maps log10(x) from -LOG_DECADES..0 onto 0..1 (fractions down to 1e-4). */
export const FRACTION_LOG_DECADES = 4;
