/** Option parsers shared by the CLI's commands: each refuses bad text with a message naming the value. */
import { InvalidArgumentError } from 'commander';
import { isElementSymbol, isSpeciesSymbol, readStateOverride, type ElementSymbol, type SiteLabel } from '../../shared/index.js';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`'${value}' is not a positive integer`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${value}' is not a whole number >= 0`);
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive number`);
  return n;
}

/** Two or more report folders, comma-separated (pdw evaluate --combine). */
export function reportList(value: string): string[] {
  const dirs = value.split(',').map((d) => d.trim()).filter(Boolean);
  if (dirs.length < 2) throw new InvalidArgumentError(`'${value}' is not two or more report folders, comma-separated`);
  return dirs;
}

/** A number in [0, 1). */
export function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`'${value}' is not in [0, 1)`);
  return n;
}

/** A probability in [0, 1]. */
export function probability(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`'${value}' is not a probability in [0, 1]`);
  return n;
}

export function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`'${value}' is not a number`);
  return n;
}

/** LO:HI with LO <= HI. */
export function range(value: string): [number, number] {
  const m = /^\s*(-?[\d.]+)\s*:\s*(-?[\d.]+)\s*$/.exec(value);
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || !Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new InvalidArgumentError(`'${value}' is not a range LO:HI`);
  return [lo, hi];
}

export function elementList(value: string): ElementSymbol[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of list) if (!isElementSymbol(e)) throw new InvalidArgumentError(`'${e}' is not an element symbol`);
  return list as ElementSymbol[];
}

/** SITE:STEP,... e.g. A:0.25,X:0.5 */
export function mixing(value: string): Partial<Record<SiteLabel, number>> {
  const out: Partial<Record<SiteLabel, number>> = {};
  for (const part of value.split(',')) {
    const m = /^\s*([ABX])\s*:\s*([\d.]+)\s*$/.exec(part);
    if (!m) throw new InvalidArgumentError(`'${part}' is not SITE:STEP (e.g. A:0.25)`);
    out[m[1] as SiteLabel] = Number(m[2]);
  }
  return out;
}

export function foldIndex(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 4) throw new InvalidArgumentError(`'${value}' is not a fold 0..4`);
  return n;
}

export function foldList(value: string): number[] {
  return value.split(',').map((v) => foldIndex(v.trim()));
}

export function commaList(value: string): string[] {
  return value.split(',').map((t) => t.trim()).filter(Boolean);
}

/** SYMBOL:STATE,... e.g. Sn:2,Dy:2,Dy:3 -> { Sn: [2], Dy: [2, 3] } (states given by hand, replacing the set's). */
export function stateOverrides(value: string): Partial<Record<ElementSymbol, number[]>> {
  const out: Partial<Record<ElementSymbol, number[]>> = {};
  for (const part of value.split(',')) {
    const read = readStateOverride(part);
    if (!read) throw new InvalidArgumentError(`'${part}' is not ELEMENT:STATE (e.g. Sn:2 or I:-1)`);
    const [element, state] = read;
    const list = (out[element] ??= []);
    if (!list.includes(state)) list.push(state);
  }
  return out;
}

/** Site species: element symbols, and molecular ions by abbreviation (MA, FA, ...), e.g. MA,FA,Cs. */
export function speciesList(value: string): string[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of list) if (!isSpeciesSymbol(e)) throw new InvalidArgumentError(`'${e}' is not an element symbol or a molecular-ion abbreviation (MA, FA, ...)`);
  return list;
}
