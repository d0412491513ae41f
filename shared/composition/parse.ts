/**
 * Chemical formula parser: `BaTiO3`, `CsPb(I0.5Br0.5)3`, `(Ca0.5Sr0.5)TiO3`, `Cs2AgBiBr6`,
 * nested `()` and `[]`, decimal amounts, whitespace between groups (`Ac1 Al1 O3`).
 *
 * Written by hand rather than taken from a library: the error messages (what and where) are the
 * point, and we must reject notation that general-purpose parsers silently mis-read, such as the
 * hydrate dot in `CuSO4.5H2O`, which a decimal-aware tokenizer reads as O4.5 H2 O.
 */
import { caseCorrected, isElementSymbol, type ElementSymbol } from '../elements/symbols.js';
import { FormulaParseError, type FormulaError, type FormulaErrorCode, type ParseResult } from './errors.js';
import type { Composition, ElementAmount } from './types.js';

/** Molecular ions by abbreviation (MA, FA, ...) with their atoms; the main process loads them from data. */
export type MolecularIons = ReadonlyMap<string, readonly (readonly [ElementSymbol, number])[]>;

export interface ParseOptions {
  /** Reject compositions with more distinct elements than this (the model's row limit). */
  readonly maxElements?: number;
  /**
   * Abbreviations read as molecular ions and expanded into their atoms (MAPbI3 = CH6NPbI3). They are
   * capitals only and never followed by a lower-case letter, so they cannot shadow an element (GA is
   * guanidinium, Ga gallium; HAu is H + Au).
   */
  readonly molecules?: MolecularIons;
}

const MAX_INPUT_LENGTH = 500;
/** Amounts (and products of nested amounts) must lie in this range: no Infinity, no underflow to 0. */
const MIN_AMOUNT = 1e-6;
const MAX_AMOUNT = 1e6;
/** A water or ammonia molecule after a decimal amount and at the end: hydrate or adduct notation (CuSO4.5H2O, AlCl3.6NH3). */
const ADDUCT_TAIL = /^\s*\(?(?:[HD]2O|NH3)\)?\s*$/;
const MAX_DEPTH = 16;
const OPENERS: Readonly<Record<string, string>> = { '(': ')', '[': ']' };
const CLOSERS = new Set([')', ']']);

/** Internal control flow: a parse failure unwinds the recursion to `parseFormula`. */
class Failure {
  constructor(readonly error: FormulaError) {}
}

/** Element amounts; a molecular ion is kept as '@ABBR' until the end, so groups scale it like an element. */
type Amounts = Map<string, number>;

class FormulaReader {
  pos = 0;
  /** Position where each element first appears, for error messages. */
  readonly firstSeen = new Map<string, number>();

  /** Abbreviations, longest first. */
  private readonly abbreviations: readonly string[];

  constructor(
    readonly input: string,
    private readonly molecules: MolecularIons = new Map(),
  ) {
    this.abbreviations = [...molecules.keys()].sort((a, b) => b.length - a.length);
  }

  /** The molecular ion abbreviated at the current position, if any. */
  private molecule(): string | null {
    for (const abbreviation of this.abbreviations) {
      if (this.input.startsWith(abbreviation, this.pos) && !isLower(this.input[this.pos + abbreviation.length] ?? '')) return abbreviation;
    }
    return null;
  }

  fail(code: FormulaErrorCode, message: string, position: number): never {
    throw new Failure({ code, message, position, input: this.input });
  }

  /** Reads groups until the end of input or a closing bracket (left for the caller). */
  sequence(depth: number): Amounts {
    const out: Amounts = new Map();
    for (;;) {
      this.skipSpace();
      const c = this.input[this.pos];
      if (c === undefined || CLOSERS.has(c)) return out;
      if (c in OPENERS) {
        merge(out, this.bracketGroup(depth), 1);
      } else if (isUpper(c) && this.molecule() !== null) {
        const abbreviation = this.molecule()!;
        const at = this.pos;
        this.pos += abbreviation.length;
        const amount = this.amount(abbreviation);
        const key = `@${abbreviation}`;
        if (!this.firstSeen.has(key)) this.firstSeen.set(key, at);
        out.set(key, (out.get(key) ?? 0) + amount);
      } else if (isUpper(c)) {
        const [element, at] = this.element();
        const amount = this.amount(element);
        if (!this.firstSeen.has(element)) this.firstSeen.set(element, at);
        out.set(element, (out.get(element) ?? 0) + amount);
      } else {
        this.unexpected(c);
      }
    }
  }

  private bracketGroup(depth: number): Amounts {
    const open = this.pos;
    const opener = this.input[open]!;
    if (depth >= MAX_DEPTH) this.fail('unsupported-notation', `brackets nested more than ${MAX_DEPTH} deep`, open);
    this.pos += 1;
    const inner = this.sequence(depth + 1);
    const close = this.input[this.pos];
    if (close === undefined) {
      this.fail('unbalanced-bracket', `'${opener}' at position ${open + 1} is never closed`, open);
    }
    if (close !== OPENERS[opener]) {
      this.fail(
        'unbalanced-bracket',
        `'${close}' at position ${this.pos + 1} does not match '${opener}' at position ${open + 1}`,
        this.pos,
      );
    }
    if (inner.size === 0) this.fail('empty', `empty brackets at position ${open + 1}`, open);
    this.pos += 1;
    const factor = this.amount(`the group at position ${open + 1}`);
    const scaled: Amounts = new Map();
    merge(scaled, inner, factor);
    for (const [el, n] of scaled) {
      if (!(n >= MIN_AMOUNT && n <= MAX_AMOUNT)) {
        this.fail('invalid-amount', `the amount of ${el} in the group at position ${open + 1} comes to ${n}, outside ${MIN_AMOUNT} to ${MAX_AMOUNT}`, open);
      }
    }
    return scaled;
  }

  private element(): [ElementSymbol, number] {
    const at = this.pos;
    let end = at + 1;
    while (end < this.input.length && isLower(this.input[end]!)) end += 1;
    const symbol = this.input.slice(at, end);
    if (!isElementSymbol(symbol)) {
      const fixed = caseCorrected(symbol);
      if (fixed) this.fail('wrong-case', `'${symbol}' is not an element symbol; did you mean '${fixed}'?`, at);
      const capitals = /^[A-Z]{2,4}(?![a-z])/.exec(this.input.slice(at))?.[0];
      if (capitals && this.abbreviations.length) {
        this.fail('unknown-element', `'${capitals}' at position ${at + 1} is neither an element nor a known molecular ion (known: ${[...this.molecules.keys()].join(', ')})`, at);
      }
      this.fail('unknown-element', `unknown element symbol '${symbol}' at position ${at + 1}`, at);
    }
    this.pos = end;
    return [symbol, at];
  }

  /** Optional amount after an element or a group; 1 when absent. */
  private amount(owner: string): number {
    const at = this.pos;
    const text = /^\d*\.?\d*/.exec(this.input.slice(at))![0];
    if (text.length === 0) {
      if (this.input[at] === '-' && isDigit(this.input[at + 1] ?? '')) {
        this.fail('non-positive-amount', `negative amount for ${owner} at position ${at + 1}`, at);
      }
      return 1;
    }
    this.pos = at + text.length;
    const next = this.input[this.pos] ?? '';
    if (text.includes('.')) {
      const rest = this.input.slice(this.pos);
      if (text.endsWith('.') || ADDUCT_TAIL.test(rest)) {
        const dot = at + text.indexOf('.');
        this.fail(
          'unsupported-notation',
          `'.' at position ${dot + 1} looks like hydrate or adduct notation (as in CuSO4.5H2O), which is not supported; write the formula without it`,
          dot,
        );
      }
      if (text.startsWith('.')) {
        this.fail('invalid-amount', `amount '${text}' at position ${at + 1} needs a digit before the '.'`, at);
      }
      if (next === '.') this.fail('invalid-amount', `amount at position ${at + 1} has more than one '.'`, at);
    }
    const value = Number(text);
    if (!Number.isFinite(value)) this.fail('invalid-amount', `amount '${clip(text)}' at position ${at + 1} is not a number`, at);
    if (value <= 0) this.fail('non-positive-amount', `amount ${clip(text)} for ${owner} at position ${at + 1} must be positive`, at);
    if (value < MIN_AMOUNT || value > MAX_AMOUNT) this.fail('invalid-amount', `amount ${clip(text)} for ${owner} at position ${at + 1} is outside ${MIN_AMOUNT} to ${MAX_AMOUNT}`, at);
    return value;
  }

  private unexpected(c: string): never {
    const at = this.pos;
    if (isDigit(c) || c === '.') {
      this.fail('invalid-amount', `amount at position ${at + 1} has no element or group before it`, at);
    }
    if (isLower(c)) {
      let end = at + 1;
      while (end < this.input.length && /[a-zA-Z]/.test(this.input[end]!) && end - at < 3) end += 1;
      for (let len = end - at; len >= 1; len -= 1) {
        const fixed = caseCorrected(this.input.slice(at, at + len));
        if (fixed) {
          this.fail('wrong-case', `'${this.input.slice(at, at + len)}' at position ${at + 1} is not an element symbol; did you mean '${fixed}'?`, at);
        }
      }
      this.fail('unknown-element', `unknown element symbol starting with '${c}' at position ${at + 1}`, at);
    }
    if (c === '·' || c === '•' || c === '*') {
      this.fail('unsupported-notation', `'${c}' at position ${at + 1} (hydrate or adduct notation) is not supported`, at);
    }
    if (c === '+' || c === '^') {
      this.fail('unsupported-notation', `'${c}' at position ${at + 1}: charges and superscripts are not supported`, at);
    }
    if (c === '-') this.fail('non-positive-amount', `'-' at position ${at + 1}: negative amounts are not allowed`, at);
    if (c === '{' || c === '}') this.fail('unsupported-notation', `'${c}' at position ${at + 1}: use () or [] for groups`, at);
    this.fail('unexpected-character', `unexpected character ${shown(c)} at position ${at + 1}`, at);
  }

  /** Spaces and tabs separate groups; other white space (no-break, ideographic, line separators, BOM) is refused. */
  skipSpace(): void {
    while (this.pos < this.input.length && (this.input[this.pos] === ' ' || this.input[this.pos] === '\t')) this.pos += 1;
  }
}

/** A character for an error message: printable ones quoted, others (controls, escapes, odd spaces) as U+XXXX. */
function shown(c: string): string {
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(c) ? `'${c}'` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Long text cut for an error message. */
function clip(text: string): string {
  return text.length > 24 ? `${text.slice(0, 20)}…` : text;
}

function merge(into: Amounts, from: Amounts, factor: number): void {
  for (const [el, n] of from) into.set(el, (into.get(el) ?? 0) + n * factor);
}

function isUpper(c: string): boolean {
  return c >= 'A' && c <= 'Z';
}
function isLower(c: string): boolean {
  return c >= 'a' && c <= 'z';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Parses a formula into element amounts and atomic fractions, or says what is wrong and where. */
export function parseFormula(input: string, options: ParseOptions = {}): ParseResult<Composition> {
  const reader = new FormulaReader(input, options.molecules);
  try {
    if (input.length > MAX_INPUT_LENGTH) {
      reader.fail('unsupported-notation', `formula is longer than ${MAX_INPUT_LENGTH} characters`, MAX_INPUT_LENGTH);
    }
    reader.skipSpace();
    if (reader.pos === input.length) reader.fail('empty', 'formula is empty', 0);
    const parsed = reader.sequence(0);
    const stray = input[reader.pos];
    if (stray !== undefined) {
      reader.fail('unbalanced-bracket', `'${stray}' at position ${reader.pos + 1} has no matching opening bracket`, reader.pos);
    }
    // molecular ions become their atoms here, in the place the formula named them
    const molecules: { abbreviation: string; amount: number }[] = [];
    const atoms = new Map<ElementSymbol, number>();
    for (const [key, n] of parsed) {
      if (!key.startsWith('@')) {
        atoms.set(key as ElementSymbol, (atoms.get(key as ElementSymbol) ?? 0) + n);
        continue;
      }
      const abbreviation = key.slice(1);
      molecules.push({ abbreviation, amount: cleanFloat(n) });
      for (const [el, k] of options.molecules!.get(abbreviation)!) {
        if (!reader.firstSeen.has(el)) reader.firstSeen.set(el, reader.firstSeen.get(key) ?? 0);
        atoms.set(el, (atoms.get(el) ?? 0) + k * n);
      }
    }
    const amounts = atoms;
    for (const [el, n] of amounts) {
      if (!(n >= MIN_AMOUNT && n <= MAX_AMOUNT)) reader.fail('invalid-amount', `the amount of ${el} comes to ${n}, outside ${MIN_AMOUNT} to ${MAX_AMOUNT}`, reader.firstSeen.get(el) ?? 0);
    }
    const max = options.maxElements;
    if (max !== undefined && amounts.size > max) {
      const extra = [...amounts.keys()][max]!;
      reader.fail(
        'too-many-elements',
        `${amounts.size} distinct elements; the model supports at most ${max} (the first one over is ${extra})`,
        reader.firstSeen.get(extra) ?? 0,
      );
    }
    const composition = compositionFromAmounts(amounts);
    return { ok: true, value: molecules.length ? { ...composition, molecules } : composition };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, error: e.error };
    throw e;
  }
}

/** Like `parseFormula`, but throws `FormulaParseError`. */
export function parseFormulaOrThrow(input: string, options: ParseOptions = {}): Composition {
  const result = parseFormula(input, options);
  if (!result.ok) throw new FormulaParseError(result.error);
  return result.value;
}

/** Builds a composition from element amounts (order kept), computing atomic fractions. */
export function compositionFromAmounts(amounts: Iterable<readonly [ElementSymbol, number]>): Composition {
  const entries = [...amounts];
  const total = entries.reduce((s, [, n]) => s + n, 0);
  const elements: ElementAmount[] = entries.map(([element, amount]) => ({
    element,
    amount: cleanFloat(amount),
    fraction: cleanFloat(amount / total),
  }));
  return { elements, totalAmount: cleanFloat(total) };
}

/** Removes binary floating-point noise (0.1 * 3 = 0.30000000000000004 -> 0.3). */
export function cleanFloat(x: number): number {
  return Number(x.toPrecision(12));
}
