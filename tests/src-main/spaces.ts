// Enumeration spaces the screening tests share: 96 candidates of (Ca,Sr,Ba)(Ti,Zr,Hf,Sn)(O,S)3 with A-site mixing at 1/4.
import type { Space } from '../../shared/api/contract.js';

export const SMALL_SPACE: Space = {
  sites: { A: ['Ca', 'Sr', 'Ba'], B: ['Ti', 'Zr', 'Hf', 'Sn'], X: ['O', 'S'] },
  mixing: { A: 0.25 },
  double: false,
  maxElements: 6,
  oxidationStates: 'common',
  filters: { tolerance: [0.8, 1.1], octahedral: null, tauMax: null },
};
