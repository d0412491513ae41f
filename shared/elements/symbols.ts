/**
 * The 118 element symbols in order of atomic number (index + 1 = Z).
 * This is the periodic table itself, not data from the bundle: the composition
 * parser needs it in both processes, without loading any file.
 */
export const ELEMENT_SYMBOLS = [
  'H', 'He', 'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne', 'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl', 'Ar',
  'K', 'Ca', 'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br', 'Kr',
  'Rb', 'Sr', 'Y', 'Zr', 'Nb', 'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te', 'I', 'Xe',
  'Cs', 'Ba', 'La', 'Ce', 'Pr', 'Nd', 'Pm', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu',
  'Hf', 'Ta', 'W', 'Re', 'Os', 'Ir', 'Pt', 'Au', 'Hg', 'Tl', 'Pb', 'Bi', 'Po', 'At', 'Rn',
  'Fr', 'Ra', 'Ac', 'Th', 'Pa', 'U', 'Np', 'Pu', 'Am', 'Cm', 'Bk', 'Cf', 'Es', 'Fm', 'Md', 'No', 'Lr',
  'Rf', 'Db', 'Sg', 'Bh', 'Hs', 'Mt', 'Ds', 'Rg', 'Cn', 'Nh', 'Fl', 'Mc', 'Lv', 'Ts', 'Og',
] as const;

export type ElementSymbol = (typeof ELEMENT_SYMBOLS)[number];

const Z_BY_SYMBOL: ReadonlyMap<string, number> = new Map(ELEMENT_SYMBOLS.map((s, i) => [s, i + 1]));

/** True when `s` is exactly (case-sensitively) an element symbol. */
export function isElementSymbol(s: string): s is ElementSymbol {
  return Z_BY_SYMBOL.has(s);
}

/** Atomic number of a symbol, or undefined when it is not an element. */
export function atomicNumber(symbol: string): number | undefined {
  return Z_BY_SYMBOL.get(symbol);
}

/** Symbol of atomic number `z` (1..118). */
export function symbolOf(z: number): ElementSymbol {
  const s = ELEMENT_SYMBOLS[z - 1];
  if (s === undefined) throw new RangeError(`no element has atomic number ${z}`);
  return s;
}

/** The element symbol that `s` is a mis-cased spelling of ("co" -> "Co", "CL" -> "Cl"), if any. */
export function caseCorrected(s: string): ElementSymbol | undefined {
  if (s.length === 0 || s.length > 3) return undefined;
  const fixed = s[0]!.toUpperCase() + s.slice(1).toLowerCase();
  return isElementSymbol(fixed) && fixed !== s ? fixed : undefined;
}

/** What may sit on a site: an element symbol, or a molecular ion's abbreviation (capitals and digits, 2-5). */
export function isSpeciesSymbol(s: string): boolean {
  return isElementSymbol(s) || /^[A-Z][A-Z0-9]{1,4}$/.test(s);
}

/** One oxidation state set by hand, "Sn:2" or "I:-1" (spaces around allowed): the element and state, or null. */
export function readStateOverride(text: string): readonly [ElementSymbol, number] | null {
  const m = /^\s*([A-Z][a-z]?)\s*:\s*([+-]?\d)\s*$/.exec(text);
  if (!m || !isElementSymbol(m[1]!) || Number(m[2]) === 0) return null;
  return [m[1], Number(m[2])];
}
