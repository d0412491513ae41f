/**
 * Chemical families of the screening space, for reporting where a model holds up: a test set's MAE is
 * an average over oxides, fluorides and the Cl/Br/I halides of solar cells, whose gaps and errors differ,
 * so every report also gives each family's rows on their own (report.ts, "by chemical family").
 *
 * A composition's family is the first of these that applies (anions decide, then the B-site metal of a
 * halide; the hybrids first, whatever else they hold):
 */
import { organicHalide } from '../train/stoichiometry.js';

export const CHEMICAL_FAMILIES = [
  { name: 'hybrid halide', rule: 'C, H and N (an organic cation) with a halide' },
  { name: 'Pb halide', rule: 'Cl, Br or I with Pb; no O, S, Se or Te' },
  { name: 'Sn or Ge halide', rule: 'Cl, Br or I with Sn or Ge and no Pb; no O, S, Se or Te' },
  { name: 'other Cl/Br/I halide', rule: 'Cl, Br or I without Pb, Sn or Ge; no O, S, Se or Te' },
  { name: 'fluoride', rule: 'F as the only anion' },
  { name: 'oxide', rule: 'O as the only anion (no halide, S, Se or Te)' },
  { name: 'mixed anion', rule: 'O with a halide, S, Se or Te' },
  { name: 'chalcogenide', rule: 'S, Se or Te without O or a halide' },
  { name: 'other', rule: 'none of the above (nitrides, hydrides, pnictides, intermetallics)' },
] as const;

export type ChemicalFamily = (typeof CHEMICAL_FAMILIES)[number]['name'];

const HEAVY_HALIDES = ['Cl', 'Br', 'I'];
const CHALCOGENS = ['S', 'Se', 'Te'];

/** The family of a composition given by its element symbols. */
export function chemicalFamily(elements: readonly string[]): ChemicalFamily {
  const has = (e: string): boolean => elements.includes(e);
  const heavyHalide = HEAVY_HALIDES.some(has);
  const halide = heavyHalide || has('F');
  const chalcogen = CHALCOGENS.some(has);
  if (organicHalide(elements)) return 'hybrid halide';
  if (has('O')) return halide || chalcogen ? 'mixed anion' : 'oxide';
  if (heavyHalide && !chalcogen) {
    if (has('Pb')) return 'Pb halide';
    if (has('Sn') || has('Ge')) return 'Sn or Ge halide';
    return 'other Cl/Br/I halide';
  }
  if (halide) return chalcogen ? 'mixed anion' : 'fluoride';
  return chalcogen ? 'chalcogenide' : 'other';
}
