// Library test fixtures: a CaTiO3 screen's inputs and its candidates, for the tests that write rows by hand.
import { join } from 'node:path';
import type { ScreenInputs } from '../../../shared/api/contract.js';
import type { Candidate } from '../../../src-main/enumerate/types.js';

/** The committed model the library tests register (its card only: nothing is predicted). */
export const modelDir = join(import.meta.dirname, '..', '..', '..', 'resources', 'models', 'protocol-r');

export const inputs: ScreenInputs = {
  options: { sites: { A: ['Ca'], B: ['Ti'], X: ['O'] }, mixing: {}, double: false, maxElements: 6, oxidationStates: 'common', filters: { tolerance: null, octahedral: null, tauMax: null } },
  modelDir,
  shard: null,
};

/** CaTiO3 as enumeration makes it, numbered `seq`. */
export function caTiO3(seq: number): Candidate {
  return {
    seq,
    formula: 'CaTiO3',
    sites: [{ site: 'A', species: [{ element: 'Ca', amount: 1 }] }, { site: 'B', species: [{ element: 'Ti', amount: 1 }] }, { site: 'X', species: [{ element: 'O', amount: 3 }] }],
    oxidationStates: { Ca: 2, Ti: 4, O: -2 },
    tolerance: 0.97,
    octahedral: 0.43,
    tau: 3.88,
    radii: [],
  };
}
