/**
 * Streams every candidate composition for element sets on the A, B and X sites: plain ABX3, two-element
 * mixing on a site at a fraction step, and ordered double perovskites A2BB'X6. A candidate is kept
 * when some assignment of allowed oxidation states balances its charge (the assignment with the
 * lowest tau is recorded; without a tau, the one with t closest to 1) and it passes the geometric
 * filters. An element occupies at most one site of a candidate. Compositions reached twice (an
 * element listed on two sites, or a double perovskite equal to a 50/50 B-site mix) are kept once.
 */
import {
  cleanFloat,
  compositionFromAmounts,
  formatSites,
  isElementSymbol,
  type SpeciesSymbol,
  type Composition,
  type ElementAmount,
  type ElementSymbol,
  type SiteComposition,
  type SiteLabel,
  type SiteOccupancy,
} from '../../shared/index.js';
import type { ElementTable } from '../data/elements/load.js';
import { bartelTau, octahedralFactor, shannonRadius, SITE_COORDINATION, toleranceFactor } from './geometry.js';
import type { Candidate, EnumerationCounts, EnumerationOptions, RadiusChoice } from './types.js';

const SITES: readonly SiteLabel[] = ['A', 'B', 'X'];
/** Duplicate removal keeps a key per composition only when sites share elements; this bounds its memory. */
const MAX_DEDUPE_KEYS = 5_000_000;

/** An element or a molecular ion (by abbreviation) on a site, with its amount per formula unit. */
interface Species {
  readonly element: SpeciesSymbol;
  readonly amount: number;
}

/** One way to assign oxidation states to a site's species. */
interface StateOption {
  readonly states: readonly number[];
  /** Total charge of the site per formula unit. */
  readonly charge: number;
  /** Fraction-weighted radius and oxidation state (null radius: a radius is missing). */
  readonly radius: number | null;
  readonly meanState: number;
  readonly radii: readonly RadiusChoice[];
  /** Ions of this option without any Shannon radius (e.g. "Sn+2"). */
  readonly missing: readonly string[];
}

interface Occupancy {
  readonly site: SiteLabel;
  readonly species: readonly Species[];
  readonly options: readonly StateOption[];
  /** Built once per occupancy, shared by every candidate that uses it: the site as a record, */
  readonly occupancy: SiteOccupancy;
  /** its part of the formula, */
  readonly text: string;
  /** and its elements with amounts and atomic fractions (the layout's atoms per formula unit are fixed). */
  readonly elements: readonly ElementAmount[];
  readonly atoms: number;
  /** With a molecular ion: its atoms' amounts (the candidate's composition is then built from them). */
  readonly atomAmounts: readonly (readonly [ElementSymbol, number])[] | null;
  /** Distinct elements of the site (a molecular ion counts its atoms), for the element cap. */
  readonly elementSymbols: readonly string[];
}

/** Atoms per formula unit: ABX3 5, A2BB'X6 10, A2BX6 9, A3B2X9 14. */
const LAYOUT_ATOMS = { plain: 5, double: 10, vacancyOrdered: 9, layered: 14 } as const;

function occupancy(table: ElementTable, opts: EnumerationOptions, site: SiteLabel, species: Species[], atoms: number): Occupancy {
  const record: SiteOccupancy = { site, species };
  const hasMolecule = species.some((s) => table.molecules.has(s.element));
  const atomAmounts = hasMolecule
    ? species.flatMap((s): (readonly [ElementSymbol, number])[] => {
        const m = table.molecules.get(s.element);
        return m ? m.atoms.map(([el, n]) => [el, n * s.amount] as const) : [[s.element as ElementSymbol, s.amount] as const];
      })
    : null;
  return {
    atomAmounts,
    elementSymbols: atomAmounts ? [...new Set(atomAmounts.map(([el]) => el))] : species.map((s) => s.element),
    site,
    species,
    options: stateOptions(table, site, species, opts),
    occupancy: record,
    text: formatSites([record]),
    elements: hasMolecule ? [] : species.map((s) => ({ element: s.element as ElementSymbol, amount: cleanFloat(s.amount), fraction: cleanFloat(s.amount / atoms) })),
    atoms,
  };
}

export class EnumerationError extends Error {
  override name = 'EnumerationError';
}

/** The states an element may take on a site: its override, else the chosen set (ICSD falls back to common when empty). */
function allowedStates(table: ElementTable, element: SpeciesSymbol, site: SiteLabel, opts: Pick<EnumerationOptions, 'oxidationStates' | 'stateOverrides'>): number[] {
  const molecule = table.molecules.get(element);
  if (molecule) return molecule.site === site || (site === 'A' && molecule.charge > 0) ? [molecule.charge].filter((q) => (site === 'X' ? q < 0 : q > 0)) : [];
  const record = table.get(element);
  const override = opts.stateOverrides?.[element as ElementSymbol];
  const set = opts.oxidationStates;
  const states =
    override ??
    (set === 'common' ? record.commonOxidationStates : set === 'all' ? record.allOxidationStates : record.icsdOxidationStates.length ? record.icsdOxidationStates : record.commonOxidationStates);
  return states.filter((s) => (site === 'X' ? s < 0 : s > 0));
}

/** What the enumeration assumes for these options that a user should be told. */
export function enumerationNotes(table: ElementTable, opts: EnumerationOptions): string[] {
  const notes: string[] = [];
  if (opts.oxidationStates === 'icsd') {
    for (const e of new Set(SITES.flatMap((s) => opts.sites[s]))) {
      if (!isElementSymbol(e)) continue; // molecular ions have one charge
      const r = table.get(e);
      if (r.icsdOxidationStates.length === 0 && opts.stateOverrides?.[e] === undefined) notes.push(`${e} has no ICSD oxidation states; its common states (${r.commonOxidationStates.join(', ') || 'none'}) are used`);
    }
  }
  for (const [e, states] of Object.entries(opts.stateOverrides ?? {})) notes.push(`${e}: oxidation states ${(states ?? []).map(signed).join(', ')} (set by hand)`);
  if (opts.layouts?.vacancyOrdered || opts.layouts?.layered) notes.push("tau is defined for ABX3 and A2BB'X6 only: A2BX6 and A3B2X9 candidates have no tau, and the tau filter does not apply to them");
  return notes;
}

function signed(n: number): string {
  return `${n > 0 ? '+' : ''}${n}`;
}

function stateOptions(table: ElementTable, site: SiteLabel, species: readonly Species[], opts: EnumerationOptions): StateOption[] {
  const perSpecies = species.map((s) => allowedStates(table, s.element, site, opts));
  const total = species.reduce((a, s) => a + s.amount, 0);
  const out: StateOption[] = [];
  const walk = (i: number, chosen: number[]): void => {
    if (i === species.length) {
      const radii: RadiusChoice[] = [];
      const missing: string[] = [];
      let radius: number | null = 0;
      let charge = 0;
      let meanState = 0;
      species.forEach((s, k) => {
        const state = chosen[k]!;
        charge += s.amount * state;
        meanState += (s.amount / total) * state;
        const m = table.molecules.get(s.element);
        const r: RadiusChoice | null = m
          ? { element: s.element, oxidationState: state, radius: m.radius, coordination: SITE_COORDINATION[site], fallback: false, spin: null, source: 'molecular ion' }
          : shannonRadius(table, s.element as ElementSymbol, state, SITE_COORDINATION[site]);
        if (r === null) missing.push(`${s.element}${signed(state)}`);
        if (r === null || radius === null) radius = null;
        else {
          radii.push(r);
          radius += (s.amount / total) * r.radius;
        }
      });
      out.push({ states: [...chosen], charge, radius, meanState, radii, missing });
      return;
    }
    for (const state of perSpecies[i]!) walk(i + 1, [...chosen, state]);
  };
  walk(0, []);
  return out;
}

/** How many parts a mixing step cuts a site into (checked: the step must divide 1). */
function mixingParts(step: number, site: SiteLabel): number {
  const n = Math.round(1 / step);
  if (!(step > 0 && step <= 0.5) || Math.abs(n * step - 1) > 1e-9) {
    throw new EnumerationError(`mixing step for site ${site} must divide 1 and be at most 0.5 (e.g. 0.5, 0.25, 0.125), got ${step}`);
  }
  return n;
}

function mixingFractions(step: number, site: SiteLabel): number[] {
  const n = mixingParts(step, site);
  return Array.from({ length: n - 1 }, (_, k) => (k + 1) / n);
}

/** The ways to fill one site with `multiplicity` atoms per formula unit, in a layout of `atoms`. */
function occupancies(table: ElementTable, opts: EnumerationOptions, site: SiteLabel, multiplicity: number, atoms: number): Occupancy[] {
  const elements = opts.sites[site];
  const out: Occupancy[] = [];
  const add = (species: Species[]): void => {
    out.push(occupancy(table, opts, site, species, atoms));
  };
  for (const e of elements) add([{ element: e, amount: multiplicity }]);
  const step = opts.mixing[site];
  if (step !== undefined) {
    const fractions = mixingFractions(step, site);
    for (let i = 0; i < elements.length; i += 1) {
      for (let j = i + 1; j < elements.length; j += 1) {
        for (const f of fractions) add([{ element: elements[i]!, amount: f * multiplicity }, { element: elements[j]!, amount: (1 - f) * multiplicity }]);
      }
    }
  }
  return out;
}

/** Ordered B-site pairs of a double perovskite: B and B', one each per A2BB'X6. */
function doubleBOccupancies(table: ElementTable, opts: EnumerationOptions): Occupancy[] {
  const elements = opts.sites.B;
  const out: Occupancy[] = [];
  for (let i = 0; i < elements.length; i += 1) {
    for (let j = i + 1; j < elements.length; j += 1) {
      out.push(occupancy(table, opts, 'B', [{ element: elements[i]!, amount: 1 }, { element: elements[j]!, amount: 1 }], LAYOUT_ATOMS.double));
    }
  }
  return out;
}

export function validateOptions(table: ElementTable, opts: EnumerationOptions): void {
  for (const site of SITES) {
    const list = opts.sites[site];
    if (list.length === 0) throw new EnumerationError(`no elements chosen for site ${site}`);
    if (new Set(list).size !== list.length) throw new EnumerationError(`site ${site} lists an element twice`);
    for (const e of list) {
      const molecule = table.molecules.get(e);
      if (!molecule && !isElementSymbol(e)) throw new EnumerationError(`'${e}' on site ${site} is neither an element nor a known molecular ion (known: ${[...table.molecules.keys()].join(', ')})`);
      if (molecule && molecule.site !== site) throw new EnumerationError(`${molecule.name} (${e}) sits on site ${molecule.site}, not ${site}`);
      if (allowedStates(table, e, site, opts).length === 0) {
        const how = isElementSymbol(e) && opts.stateOverrides?.[e] ? 'of the states set for it' : `${opts.oxidationStates} oxidation state`;
        throw new EnumerationError(`${e} has no ${site === 'X' ? 'negative' : 'positive'} ${how}, so it cannot sit on site ${site}`);
      }
    }
  }
  if (!(opts.maxElements >= 3)) throw new EnumerationError(`the element cap must be at least 3, got ${opts.maxElements}`);
  const walk = siteCombinationsToWalk(opts);
  if (walk.total > MAX_SITE_COMBINATIONS) {
    const sites = SITES.map((s) => `${s} ${walk.perSite[s].toLocaleString('en')}`).join(' × ');
    throw new EnumerationError(
      `this space has ${walk.total.toExponential(1).replace('e+', 'e')} site combinations to walk (${sites} ways to fill the sites${walk.layouts > 1 ? `, over ${walk.layouts} layouts` : ''}), more than the ${MAX_SITE_COMBINATIONS.toExponential(0).replace('e+', 'e')} that can be counted in time: use a coarser mixing step or fewer elements`,
    );
  }
}

/**
 * Past this many site combinations, counting a space cannot finish in the screen's counting budget
 * (about 4 million combinations a second are checked for charge and geometry on one core; combinations
 * cut by the element cap go faster, so this is generous): such a space is refused before any work.
 */
export const MAX_SITE_COMBINATIONS = 5e9;

/** How many site combinations enumeration walks, computed without walking them (an upper bound on `combinations`). */
export function siteCombinationsToWalk(opts: EnumerationOptions): { total: number; perSite: Record<SiteLabel, number>; layouts: number } {
  const ways = (site: SiteLabel): number => {
    const n = opts.sites[site].length;
    const step = opts.mixing[site];
    return n + (step === undefined ? 0 : ((n * (n - 1)) / 2) * (mixingParts(step, site) - 1));
  };
  const perSite = { A: ways('A'), B: ways('B'), X: ways('X') };
  const plain = perSite.A * perSite.B * perSite.X;
  const nB = opts.sites.B.length;
  let total = plain;
  let layouts = 1;
  if (opts.double) {
    total += perSite.A * ((nB * (nB - 1)) / 2) * perSite.X;
    layouts += 1;
  }
  for (const extra of [opts.layouts?.vacancyOrdered, opts.layouts?.layered]) {
    if (!extra) continue;
    total += plain;
    layouts += 1;
  }
  return { total, perSite, layouts };
}

function compositionKey(species: readonly Species[]): string {
  const totals = new Map<string, number>();
  let sum = 0;
  for (const s of species) {
    totals.set(s.element, (totals.get(s.element) ?? 0) + s.amount);
    sum += s.amount;
  }
  return [...totals].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([e, n]) => `${e}${(n / sum).toFixed(9)}`).join('');
}

type Rejection = keyof EnumerationCounts['rejected'];

/** The best balancing assignment of a combination: its geometry and the state option per site. */
interface Assignment {
  readonly tau: number | null;
  readonly t: number;
  readonly mu: number;
  readonly choice: readonly [StateOption, StateOption, StateOption];
}

interface RadiusRejection {
  readonly missing: readonly string[];
}

function evaluate(a: Occupancy, b: Occupancy, x: Occupancy, opts: EnumerationOptions, withTau: boolean): Assignment | Exclude<Rejection, 'radius'> | RadiusRejection {
  let best: Assignment | null = null;
  let balanced = false;
  const missing = new Set<string>();
  for (const oa of a.options) {
    for (const ob of b.options) {
      for (const ox of x.options) {
        if (Math.abs(oa.charge + ob.charge + ox.charge) > 1e-9) continue;
        balanced = true;
        if (oa.radius === null || ob.radius === null || ox.radius === null) {
          for (const ion of [...oa.missing, ...ob.missing, ...ox.missing]) missing.add(ion);
          continue;
        }
        const t = toleranceFactor(oa.radius, ob.radius, ox.radius);
        const mu = octahedralFactor(ob.radius, ox.radius);
        const tau = withTau ? bartelTau(oa.radius, ob.radius, ox.radius, oa.meanState) : null;
        const better =
          best === null ||
          (tau !== null && (best.tau === null || tau < best.tau)) ||
          (tau === null && best.tau === null && Math.abs(t - 1) < Math.abs(best.t - 1));
        if (better) best = { tau, t, mu, choice: [oa, ob, ox] };
      }
    }
  }
  if (!balanced) return 'charge';
  if (best === null) return { missing: [...missing] };
  const f = opts.filters;
  if (f.tolerance && (best.t < f.tolerance[0] || best.t > f.tolerance[1])) return 'tolerance';
  if (f.octahedral && (best.mu < f.octahedral[0] || best.mu > f.octahedral[1])) return 'octahedral';
  if (withTau && f.tauMax !== null && (best.tau === null || best.tau >= f.tauMax)) return 'tau';
  return best;
}

export interface EnumeratedCandidate extends Candidate {
  readonly composition: Composition;
}

/** A kept combination before its candidate record is built (counting needs no more). */
interface Kept {
  readonly occupancies: readonly [Occupancy, Occupancy, Occupancy];
  readonly assignment: Assignment;
}

/** Walks every combination in the fixed order, tallying each stage, and yields the kept ones. */
function* keptCombinations(table: ElementTable, opts: EnumerationOptions, tally: Record<string, number>, deadline = Number.POSITIVE_INFINITY): Generator<Kept> {
  validateOptions(table, opts);
  for (const k of ['combinations', 'chargeNeutral', 'candidates', 'charge', 'radius', 'tolerance', 'octahedral', 'tau']) tally[k] = 0;
  const overlap = SITES.some((s, i) => SITES.slice(i + 1).some((t) => opts.sites[s].some((e) => opts.sites[t].includes(e))));
  const stepB = opts.mixing.B;
  // With 50/50 B-site mixing, every A2BB'X6 composition is already an A(B0.5B'0.5)X3 one; the model sees
  // compositions only, so the double-perovskite layout would add nothing but duplicates.
  const doubleCollides = opts.double && stepB !== undefined && Math.round(1 / stepB) % 2 === 0;
  const seen = overlap ? new Set<string>() : null;

  const plain = LAYOUT_ATOMS.plain;
  // each layout: its site occupancies and whether Bartel's tau is defined for it
  const layouts: [Occupancy[], Occupancy[], Occupancy[], boolean][] = [
    [occupancies(table, opts, 'A', 1, plain), occupancies(table, opts, 'B', 1, plain), occupancies(table, opts, 'X', 3, plain), true],
  ];
  const double = LAYOUT_ATOMS.double;
  if (opts.double && !doubleCollides) layouts.push([occupancies(table, opts, 'A', 2, double), doubleBOccupancies(table, opts), occupancies(table, opts, 'X', 6, double), true]);
  const vacancy = LAYOUT_ATOMS.vacancyOrdered;
  if (opts.layouts?.vacancyOrdered) layouts.push([occupancies(table, opts, 'A', 2, vacancy), occupancies(table, opts, 'B', 1, vacancy), occupancies(table, opts, 'X', 6, vacancy), false]);
  const layered = LAYOUT_ATOMS.layered;
  if (opts.layouts?.layered) layouts.push([occupancies(table, opts, 'A', 3, layered), occupancies(table, opts, 'B', 2, layered), occupancies(table, opts, 'X', 9, layered), false]);

  for (const [aList, bList, xList, withTau] of layouts) {
    for (const a of aList) {
      for (const b of bList) {
        for (const x of xList) {
          if (a.atomAmounts || b.atomAmounts || x.atomAmounts ? new Set([...a.elementSymbols, ...b.elementSymbols, ...x.elementSymbols]).size > opts.maxElements : a.species.length + b.species.length + x.species.length > opts.maxElements) continue;
          if (seen) {
            // only when sites share elements: an element may not sit on two sites, and one composition
            // may be reached twice
            const species = [...a.species, ...b.species, ...x.species];
            if (new Set(species.map((s) => s.element)).size !== species.length) continue;
            const key = compositionKey(species);
            if (seen.has(key)) continue;
            if (seen.size >= MAX_DEDUPE_KEYS) {
              throw new EnumerationError(`more than ${MAX_DEDUPE_KEYS.toLocaleString('en')} compositions with an element listed on two sites; list each element on one site only`);
            }
            seen.add(key);
          }
          tally['combinations']! += 1;
          if ((tally['combinations']! & 4095) === 0 && performance.now() > deadline) {
            tally['stopped'] = 1;
            return;
          }
          const result = evaluate(a, b, x, opts, withTau);
          if (result !== 'charge') tally['chargeNeutral']! += 1;
          if (typeof result === 'string') {
            tally[result]! += 1;
            continue;
          }
          if ('missing' in result) {
            tally['radius']! += 1;
            for (const ion of result.missing) tally[`missing ${ion}`] = (tally[`missing ${ion}`] ?? 0) + 1;
            continue;
          }
          tally['candidates']! += 1;
          yield { occupancies: [a, b, x], assignment: result };
        }
      }
    }
  }
}

/** The atoms of a candidate with a molecular ion (MAPbI3 = C H6 N Pb I3), merged across sites. */
function moleculeComposition(occ: readonly Occupancy[]): Composition {
  const amounts = new Map<ElementSymbol, number>();
  for (const o of occ) {
    for (const [el, n] of o.atomAmounts ?? o.species.map((s) => [s.element as ElementSymbol, s.amount] as const)) amounts.set(el, (amounts.get(el) ?? 0) + n);
  }
  return compositionFromAmounts([...amounts]);
}

/**
 * Streams candidates in a fixed order (`seq` counts kept candidates from 0). With `counts`, tallies
 * every stage.
 */
export function* enumerateCandidates(table: ElementTable, opts: EnumerationOptions, counts?: Record<string, number>): Generator<EnumeratedCandidate> {
  let seq = 0;
  for (const { occupancies: occ, assignment: best } of keptCombinations(table, opts, counts ?? {})) {
    const [a, b, x] = occ;
    const oxidationStates: Record<SpeciesSymbol, number> = {};
    occ.forEach((o, k) => o.species.forEach((s, i) => (oxidationStates[s.element] = best.choice[k]!.states[i]!)));
    const sites: SiteComposition = [a.occupancy, b.occupancy, x.occupancy];
    yield {
      seq: seq++,
      formula: a.text + b.text + x.text,
      sites,
      composition: a.atomAmounts || b.atomAmounts || x.atomAmounts ? moleculeComposition(occ) : { elements: [...a.elements, ...b.elements, ...x.elements], totalAmount: a.atoms },
      oxidationStates,
      tolerance: best.t,
      octahedral: best.mu,
      tau: best.tau,
      radii: best.choice.flatMap((o) => o.radii),
    };
  }
}

/** Exact counts for the options, without keeping any candidate; with `stopAt`, stops once that many candidates are found. */
export function countCandidates(table: ElementTable, opts: EnumerationOptions, stopAt = Number.POSITIVE_INFINITY, deadline = Number.POSITIVE_INFINITY): EnumerationCounts & { exact: boolean } {
  const tally: Record<string, number> = {};
  let n = 0;
  let exact = true;
  for (const _ of keptCombinations(table, opts, tally, deadline)) {
    n += 1;
    if (n >= stopAt || (n % 2000 === 0 && performance.now() > deadline)) {
      exact = false;
      break;
    }
  }
  if (tally['stopped']) exact = false;
  return {
    combinations: tally['combinations']!,
    chargeNeutral: tally['chargeNeutral']!,
    candidates: tally['candidates']!,
    rejected: { charge: tally['charge']!, radius: tally['radius']!, tolerance: tally['tolerance']!, octahedral: tally['octahedral']!, tau: tally['tau']! },
    missingRadii: Object.fromEntries(Object.entries(tally).filter(([k]) => k.startsWith('missing ')).map(([k, v]) => [k.slice('missing '.length), v])),
    notes: enumerationNotes(table, opts),
    exact,
  };
}
