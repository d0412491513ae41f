/** Telling compositions apart by stoichiometry and chemistry and assigning them to folds: shared by the joint set, the domain calibration and protocols D and H. */
import { createHash } from 'node:crypto';
import type { Composition } from '../../../shared/index.js';
import { compositionKey, stoichiometryPattern } from '../../../shared/composition/key.js';

/** The sha1 digest of a composition's reduced-composition key: every entry of one composition gets the same bytes. */
function compositionDigest(composition: Composition): Buffer {
  return createHash('sha1').update(compositionKey(composition)).digest();
}

/** Fold 0-4 of a composition (its digest's first byte), so every entry of one composition lands in one fold. */
export function compositionFold(composition: Composition): number {
  return compositionDigest(composition)[0]! % 5;
}

/** Half 0 or 1 of a composition (its digest's second byte, not the fold's), so every entry of one composition lands in one half. */
export function compositionHalf(composition: Composition): number {
  return compositionDigest(composition)[1]! & 1;
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
