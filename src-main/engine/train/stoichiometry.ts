/** Telling compositions apart by stoichiometry and chemistry and assigning them to folds: shared by the joint set, the domain calibration and protocols D and H. */
import { createHash } from 'node:crypto';
import type { Composition } from '../../../shared/index.js';
import { compositionKey, stoichiometryPattern } from '../../../shared/composition/key.js';

/** Fold 0-4 of a composition (sha1 of its reduced-composition key), so every entry of one composition lands in one fold. */
export function compositionFold(composition: Composition): number {
  return createHash('sha1').update(compositionKey(composition)).digest()[0]! % 5;
}

/** Atom counts 2:1:1:6 (A2BB'X6) or 2:1:6 (A2BX6), in any order: a double or vacancy-ordered perovskite's stoichiometry. */
export function doubleLike(composition: Composition): boolean {
  const pattern = stoichiometryPattern(composition);
  return pattern === '1:1:2:6' || pattern === '1:2:6';
}

const HALIDES = new Set(['F', 'Cl', 'Br', 'I']);

/** C, H and N (an organic cation's atoms) with a halide: the hybrid halides the joint set keeps and protocol H scores. */
export function organicHalide(elements: readonly string[]): boolean {
  return ['C', 'H', 'N'].every((e) => elements.includes(e)) && elements.some((e) => HALIDES.has(e));
}
