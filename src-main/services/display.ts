/** Text for people: element tooltips and the radii behind a candidate's geometry, with their provenance. */
import type { ElementInfo, MolecularIonInfo } from '../../shared/api/types.js';
import type { ElementSymbol, SiteComposition } from '../../shared/index.js';
import type { ElementTable } from '../data/elements/load.js';
import { shannonRadius, SITE_COORDINATION } from '../enumerate/geometry.js';

function signed(state: number): string {
  return `${state > 0 ? '+' : ''}${state}`;
}

export function elementInfo(table: ElementTable): ElementInfo[] {
  return table.elements.map((e) => {
    const radii = e.shannonRadii
      .filter((r) => [6, 8, 12].includes(r.coordination))
      .map((r) => `${signed(r.oxidationState)} CN${r.coordination}${r.spin ? ` ${r.spin === 'High Spin' ? 'HS' : 'LS'}` : ''}: ${r.ionicRadius} Å (${r.source === 'pymatgen' ? 'pymatgen' : 'shannon_radii.csv'})`);
    return {
      symbol: e.symbol,
      z: e.z,
      name: e.name,
      layout: e.layout,
      commonOxidationStates: e.commonOxidationStates,
      icsdOxidationStates: e.icsdOxidationStates,
      allOxidationStates: e.allOxidationStates,
      radii,
      usable: e.mat2vec !== null && (e.commonOxidationStates.length > 0 || e.icsdOxidationStates.length > 0) && e.shannonRadii.length > 0,
    };
  });
}

export function molecularIonInfo(table: ElementTable): MolecularIonInfo[] {
  return [...table.molecules.values()].map((m) => ({
    abbreviation: m.abbreviation,
    name: m.name,
    formula: m.formula,
    atoms: m.atoms.map(([el, n]) => (n === 1 ? el : `${el}${n}`)).join(' '),
    charge: m.charge,
    site: m.site,
    radius: m.radius,
    radiusSource: m.radiusSource,
  }));
}

/** One line per species: its ion, site, and the Shannon radius used (coordination, fallback). */
export function radiusLines(table: ElementTable, sites: SiteComposition, oxidationStates: Readonly<Record<string, number>>): string[] {
  return sites.flatMap((site) =>
    site.species.map((sp) => {
      const state = oxidationStates[sp.element];
      if (state === undefined) return `${sp.element} (site ${site.site}): no oxidation state recorded`;
      const molecule = table.molecules.get(sp.element);
      if (molecule) return `${sp.element} = ${molecule.name}, ${molecule.formula}${signed(state)} (site ${site.site}): effective radius ${molecule.radius} Å; ${molecule.radiusSource}`;
      const r = shannonRadius(table, sp.element as ElementSymbol, state, SITE_COORDINATION[site.site]);
      const ion = `${sp.element}${signed(state)}`;
      const source = r?.source === 'pymatgen' ? "Shannon 1976 via pymatgen" : "Shannon 1976 + additions, shannon_radii.csv (Bartel et al.)";
      return r
        ? `${ion} (site ${site.site}): ${r.radius} Å at CN ${r.coordination}${r.spin ? `, ${r.spin.toLowerCase()}` : ''}${r.fallback ? ` (fallback: no CN ${SITE_COORDINATION[site.site]} radius)` : ''}; ${source}`
        : `${ion} (site ${site.site}): no Shannon radius`;
    }),
  );
}
