/**
 * Group, row and metal / transition-metal / metalloid flags derived from the atomic number.
 * periodic_table.json does not store them; the definitions follow pymatgen's `Element`, which is
 * where the seed report took its attributes from.
 */

const ALKALI = new Set([3, 11, 19, 37, 55, 87]);
const ALKALINE_EARTH = new Set([4, 12, 20, 38, 56, 88]);
const POST_TRANSITION = new Set([13, 31, 49, 81, 50, 82, 83]); // Al Ga In Tl Sn Pb Bi
const METALLOIDS = new Set([5, 14, 32, 33, 51, 52, 84]); // B Si Ge As Sb Te Po
const ROW_ENDS = [2, 10, 18, 36, 54, 86, 118];

export function periodOf(z: number): number {
  checkZ(z);
  return ROW_ENDS.findIndex((end) => z <= end) + 1;
}

export function isLanthanoid(z: number): boolean {
  return z >= 57 && z <= 71;
}

export function isActinoid(z: number): boolean {
  return z >= 89 && z <= 103;
}

/** IUPAC group 1-18; f-block elements (La-Lu, Ac-Lr) are placed in group 3 as pymatgen does. */
export function groupOf(z: number): number {
  checkZ(z);
  if (z === 1) return 1;
  if (z === 2) return 18;
  if (isLanthanoid(z) || isActinoid(z)) return 3;
  const period = periodOf(z);
  const start = ROW_ENDS[period - 2]! + 1; // first Z of the period
  const offset = z - start; // 0-based position in the period
  if (period <= 3) return offset < 2 ? offset + 1 : offset + 11;
  if (period <= 5) return offset + 1;
  // periods 6 and 7: after the f-block (La-Lu, Ac-Lr, offsets 2-16) Hf / Rf (offset 17) is group 4
  return offset < 2 ? offset + 1 : offset - 13;
}

/** pymatgen's definition: Z in 21-30, 39-48, 57, 72-80, 89, 104-112. */
export function isTransitionMetal(z: number): boolean {
  return (z >= 21 && z <= 30) || (z >= 39 && z <= 48) || z === 57 || (z >= 72 && z <= 80) || z === 89 || (z >= 104 && z <= 112);
}

export function isMetalloid(z: number): boolean {
  return METALLOIDS.has(z);
}

/** pymatgen: alkali, alkaline earth, post-transition, transition, lanthanoid or actinoid. */
export function isMetal(z: number): boolean {
  return ALKALI.has(z) || ALKALINE_EARTH.has(z) || POST_TRANSITION.has(z) || isTransitionMetal(z) || isLanthanoid(z) || isActinoid(z);
}

function checkZ(z: number): void {
  if (!Number.isInteger(z) || z < 1 || z > 118) throw new RangeError(`atomic number ${z} is outside 1..118`);
}
