/** Writers for DFT codes: VASP's POSCAR (VASP 5, element names on line 6) and a P1 CIF. */
import type { Structure } from './cells.js';

const f = (x: number): string => x.toFixed(8);

/** Species grouped in order of first appearance, as POSCAR wants them. */
function grouped(s: Structure): { species: string[]; counts: number[]; order: number[] } {
  const species = [...new Set(s.species)];
  const order = species.flatMap((sp) => s.species.map((x, i) => (x === sp ? i : -1)).filter((i) => i >= 0));
  return { species, counts: species.map((sp) => s.species.filter((x) => x === sp).length), order };
}

export function toPoscar(s: Structure): string {
  const g = grouped(s);
  return [
    `${s.formula}${s.supercell ? ` (cell: ${s.supercell.composition})` : ''} ${s.prototype}; ${s.latticeRule}${s.molecules ? '; molecular cations in one standard orientation (README.txt)' : ''} (Perovskite Workbench starting structure)`,
    '1.0',
    `  ${f(s.cell[0])} 0.00000000 0.00000000`,
    `  0.00000000 ${f(s.cell[1])} 0.00000000`,
    `  0.00000000 0.00000000 ${f(s.cell[2])}`,
    `  ${g.species.join(' ')}`,
    `  ${g.counts.join(' ')}`,
    'Direct',
    ...g.order.map((i) => `  ${s.positions[i]!.map(f).join(' ')}`),
    '',
  ].join('\n');
}

export function toCif(s: Structure): string {
  const name = s.formula.replace(/[^A-Za-z0-9]/g, '_');
  return [
    `data_${name}`,
    `_chemical_formula_sum '${s.formula}'`,
    `# ${s.prototype}; ${s.latticeRule}; Perovskite Workbench starting structure`,
    ...(s.supercell ? [`# the cell holds ${s.supercell.composition}; ${s.supercell.arrangement}`] : []),
    ...(s.molecules ? [`# ${s.molecules}`] : []),
    `_cell_length_a ${f(s.cell[0])}`,
    `_cell_length_b ${f(s.cell[1])}`,
    `_cell_length_c ${f(s.cell[2])}`,
    '_cell_angle_alpha 90',
    '_cell_angle_beta 90',
    '_cell_angle_gamma 90',
    "_symmetry_space_group_name_H-M 'P 1'",
    'loop_',
    '_atom_site_label',
    '_atom_site_type_symbol',
    '_atom_site_fract_x',
    '_atom_site_fract_y',
    '_atom_site_fract_z',
    ...s.species.map((sp, i) => `${sp}${i + 1} ${sp} ${s.positions[i]!.map(f).join(' ')}`),
    '',
  ].join('\n');
}
