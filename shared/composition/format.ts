/** Canonical text for compositions: reduced, in a stable element order, or in A-B-X site order. */
import type { ElementSymbol } from '../elements/symbols.js';
import { atomicNumber } from '../elements/symbols.js';
import type { Composition, SiteComposition } from './types.js';

export interface FormatOptions {
  /**
   * Sort key per element, ascending (the CLI passes Pauling electronegativity, so cations come
   * before anions as in `BaTiO3`); ties and elements without a key are ordered by atomic number.
   * Without it, elements keep the order in which the formula first named them.
   */
  readonly orderBy?: ReadonlyMap<ElementSymbol, number | null>;
  /** Divide integer amounts by their greatest common divisor (default true). */
  readonly reduce?: boolean;
  /**
   * Molecular ions' atoms by abbreviation: a composition parsed with molecular ions is then written with
   * them first, as named (MAPbI3, FA0.83Cs0.17PbI2.7Br0.3), and the remaining atoms after them.
   */
  readonly molecules?: ReadonlyMap<string, readonly (readonly [ElementSymbol, number])[]>;
}

const INTEGER_TOLERANCE = 1e-9;

function isIntegral(x: number): boolean {
  return Math.abs(x - Math.round(x)) < INTEGER_TOLERANCE;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** An amount as written in a formula: omitted when 1, integers plain, decimals to 6 significant digits. */
export function formatAmount(x: number): string {
  if (isIntegral(x)) return Math.round(x) === 1 ? '' : String(Math.round(x));
  return String(Number(x.toPrecision(6)));
}

/** Formats a composition canonically (see FormatOptions). */
export function formatComposition(composition: Composition, options: FormatOptions = {}): string {
  const named = composition.molecules;
  if (named?.length && options.molecules) {
    const left = new Map(composition.elements.map((e) => [e.element, e.amount]));
    for (const m of named) for (const [el, k] of options.molecules.get(m.abbreviation) ?? []) left.set(el, (left.get(el) ?? 0) - k * m.amount);
    const rest = composition.elements.filter((e) => (left.get(e.element) ?? 0) > INTEGER_TOLERANCE).map((e) => ({ element: e.element, amount: left.get(e.element)!, fraction: 0 }));
    const atoms = rest.length ? formatComposition({ elements: rest, totalAmount: 0 }, { ...(options.orderBy ? { orderBy: options.orderBy } : {}), reduce: false }) : '';
    return named.map((m) => m.abbreviation + formatAmount(m.amount)).join('') + atoms;
  }
  let amounts = composition.elements.map((e) => ({ element: e.element, amount: e.amount }));
  if ((options.reduce ?? true) && amounts.every((a) => isIntegral(a.amount))) {
    const divisor = amounts.reduce((g, a) => gcd(g, Math.round(a.amount)), 0);
    if (divisor > 1) amounts = amounts.map((a) => ({ ...a, amount: Math.round(a.amount) / divisor }));
  }
  const order = options.orderBy;
  if (order) {
    const key = (el: ElementSymbol): number => order.get(el) ?? Number.POSITIVE_INFINITY;
    amounts = [...amounts].sort(
      (p, q) => key(p.element) - key(q.element) || atomicNumber(p.element)! - atomicNumber(q.element)!,
    );
  }
  return amounts.map((a) => a.element + formatAmount(a.amount)).join('');
}

/**
 * Formats a site-assigned composition in A, B, X order. A site with one species, or with whole-number
 * amounts (the ordered B-site pair of a double perovskite, `Cs2AgBiBr6`), is written plainly; a
 * mixed site is bracketed with per-site fractions and the site multiplicity: `CsPb(I0.5Br0.5)3`.
 */
export function formatSites(sites: SiteComposition): string {
  const order = { A: 0, B: 1, X: 2 } as const;
  return [...sites]
    .sort((p, q) => order[p.site] - order[q.site])
    .map((site) => {
      const species = site.species;
      if (species.length === 1 || species.every((s) => isIntegral(s.amount))) {
        return species.map((s) => s.element + formatAmount(s.amount)).join('');
      }
      const multiplicity = species.reduce((sum, s) => sum + s.amount, 0);
      const inner = species.map((s) => s.element + formatFraction(s.amount / multiplicity)).join('');
      return `(${inner})${formatAmount(multiplicity)}`;
    })
    .join('');
}

function formatFraction(x: number): string {
  return String(Number(x.toPrecision(6)));
}
