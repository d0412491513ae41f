/**
 * Sinusoidal encoding of an atomic fraction x in (0, 1] on three scales (SEED_MODEL.md): linear (x),
 * logarithmic (log10 x) and square root (sqrt x), each part sin/cos pairs at geometrically spaced
 * frequencies. Our choices: each scale is first mapped onto u in [0, 1]; the width splits into three
 * even parts, the linear part taking the remainder (256 -> 88 + 84 + 84).
 */
import { FRACTION_LOG_DECADES, FRACTION_OMEGA_MAX, FRACTION_OMEGA_MIN } from './constants.js';

export interface FractionEncodingParts {
  readonly linear: number;
  readonly log: number;
  readonly sqrt: number;
}

export function fractionEncodingParts(width: number): FractionEncodingParts {
  if (!Number.isInteger(width) || width < 6 || width % 2 !== 0) {
    throw new RangeError(`fraction encoding width must be an even integer >= 6, got ${width}`);
  }
  const part = 2 * Math.floor(width / 6);
  return { linear: width - 2 * part, log: part, sqrt: part };
}

/** The three scales of x, each mapped onto [0, 1]. */
export function fractionScales(x: number): { linear: number; log: number; sqrt: number } {
  if (!(x > 0 && x <= 1)) throw new RangeError(`atomic fraction must be in (0, 1], got ${x}`);
  const log = Math.min(1, Math.max(0, 1 + Math.log10(x) / FRACTION_LOG_DECADES));
  return { linear: x, log, sqrt: Math.sqrt(x) };
}

/** Angular frequency k of n, geometric from FRACTION_OMEGA_MIN to FRACTION_OMEGA_MAX. */
export function omega(k: number, n: number): number {
  if (n === 1) return FRACTION_OMEGA_MIN;
  return FRACTION_OMEGA_MIN * (FRACTION_OMEGA_MAX / FRACTION_OMEGA_MIN) ** (k / (n - 1));
}

function writeSinusoid(u: number, size: number, out: Float32Array, offset: number): void {
  const n = size / 2;
  for (let k = 0; k < n; k += 1) {
    const angle = u * omega(k, n);
    out[offset + 2 * k] = Math.sin(angle);
    out[offset + 2 * k + 1] = Math.cos(angle);
  }
}

/** Writes the encoding of x into out[offset .. offset + width). */
export function encodeFraction(x: number, width: number, out: Float32Array, offset = 0): void {
  const parts = fractionEncodingParts(width);
  const u = fractionScales(x);
  writeSinusoid(u.linear, parts.linear, out, offset);
  writeSinusoid(u.log, parts.log, out, offset + parts.linear);
  writeSinusoid(u.sqrt, parts.sqrt, out, offset + parts.linear + parts.log);
}
