/** Ranking scores for choosing candidates: gap-window probability, UCB acquisition, Pareto fronts. */

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** P(lo <= gap <= hi) for a prediction gap ~ N(value, sigma^2): closeness to the window, with its uncertainty. */
export function windowProbability(value: number, sigma: number, lo: number, hi: number): number {
  if (!(sigma > 0)) return value >= lo && value <= hi ? 1 : 0;
  return normalCdf((hi - value) / sigma) - normalCdf((lo - value) / sigma);
}

/**
 * Upper-confidence-bound acquisition for "what to compute or synthesize next": optimistic estimates of
 * both objectives, P(stable) + kappa * spread, and the window probability with sigma widened by kappa
 * (an uncertain gap near the window is worth a look), multiplied.
 */
export function ucbScore(value: number, sigma: number, pStable: number, spread: number, lo: number, hi: number, kappa = 1): number {
  const stable = Math.min(1, pStable + kappa * spread);
  return stable * windowProbability(value, sigma * (1 + kappa), lo, hi);
}

/**
 * Non-dominated sorting of points (x, y), both to maximize: front 1 is the Pareto front, front 2 the
 * front once front 1 is removed, and so on. O(n log n) for two objectives.
 */
export function paretoFronts(xs: readonly number[], ys: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[b]! - xs[a]! || ys[b]! - ys[a]!);
  const bestY: number[] = []; // bestY[k]: largest y in front k+1 so far (decreasing in k)
  const front = new Array<number>(xs.length);
  let previous = -1;
  for (const i of order) {
    const y = ys[i]!;
    // equal points do not dominate each other: the same front, whatever the input order
    if (previous >= 0 && xs[previous] === xs[i] && ys[previous] === y) {
      front[i] = front[previous]!;
      continue;
    }
    previous = i;
    // first front none of whose members dominates (x already >=, so: whose best y is below y)
    let lo = 0;
    let hi = bestY.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bestY[mid]! < y) hi = mid;
      else lo = mid + 1;
    }
    if (lo === bestY.length) bestY.push(y);
    else bestY[lo] = Math.max(bestY[lo]!, y);
    front[i] = lo + 1;
  }
  return front;
}

/**
 * The same scores as SQL expressions (SQLite's built-in math functions, evaluated in C): ranking a
 * million candidates calls no JavaScript per row. Arguments are SQL expressions (columns or
 * @parameters); results equal the functions above to floating-point rounding (tested).
 */
export function normalCdfSql(z: string): string {
  const x = `(abs(${z}) / 1.4142135623730951)`;
  const t = `(1.0 / (1.0 + 0.3275911 * ${x}))`;
  const erf = `(1.0 - ((((1.061405429 * ${t} - 1.453152027) * ${t} + 1.421413741) * ${t} - 0.284496736) * ${t} + 0.254829592) * ${t} * exp(-${x} * ${x}))`;
  return `(CASE WHEN ${z} >= 0 THEN 0.5 * (1.0 + ${erf}) ELSE 0.5 * (1.0 - ${erf}) END)`;
}

export function windowProbabilitySql(value: string, sigma: string, lo: string, hi: string): string {
  return `(CASE WHEN ${value} IS NULL THEN 0.0 WHEN NOT coalesce(${sigma}, 0.0) > 0.0 THEN (CASE WHEN ${value} BETWEEN ${lo} AND ${hi} THEN 1.0 ELSE 0.0 END) ELSE ${normalCdfSql(`((${hi} - ${value}) / ${sigma})`)} - ${normalCdfSql(`((${lo} - ${value}) / ${sigma})`)} END)`;
}

export function ucbScoreSql(value: string, sigma: string, pStable: string, spread: string, lo: string, hi: string, kappa: string): string {
  return `(CASE WHEN ${value} IS NULL OR ${pStable} IS NULL THEN 0.0 ELSE min(1.0, ${pStable} + ${kappa} * coalesce(${spread}, 0.0)) * ${windowProbabilitySql(value, `(coalesce(${sigma}, 0.0) * (1.0 + ${kappa}))`, lo, hi)} END)`;
}
