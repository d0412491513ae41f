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

/** Buckets below this size are sorted by insertion; they hold one or two points on average. */
const SMALL_BUCKET = 16;

/**
 * Indices of the points by x descending, then y descending. A comparison sort of a million indices took
 * 0.9 s; this is a bucket sort on x (linear time; bucket order follows x exactly), and a bucket that
 * holds many points is sorted the same way again: on x over its own narrower span, or, where all its
 * points share one x, on y. That case is common: every candidate far from the gap window scores a
 * window probability of exactly 0 (0.3 million of a million in the results benchmark), and those points
 * are ordered by P(stable) alone.
 */
export function orderByXThenYDescending(xs: ArrayLike<number>, ys: ArrayLike<number>): Uint32Array {
  const order = Uint32Array.from({ length: xs.length }, (_, i) => i);
  sortDescending(order, xs, ys);
  return order;
}

/** Sorts `order` (indices) in place by `primary` descending, then `secondary` descending. */
function sortDescending(order: Uint32Array, primary: ArrayLike<number>, secondary: ArrayLike<number> | null): void {
  const n = order.length;
  if (n <= SMALL_BUCKET) {
    insertionSortDescending(order, primary, secondary);
    return;
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i += 1) {
    const v = primary[order[i]!]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) {
    if (secondary) sortDescending(order, secondary, null);
    return;
  }
  const buckets = Math.min(n, 1 << 20);
  const span = hi - lo;
  const bucketOf = (v: number): number => Math.min(buckets - 1, Math.floor(((hi - v) / span) * buckets));
  const start = new Uint32Array(buckets + 1);
  for (let i = 0; i < n; i += 1) start[bucketOf(primary[order[i]!]!) + 1]! += 1;
  for (let b = 0; b < buckets; b += 1) start[b + 1]! += start[b]!;
  const fill = start.slice(0, buckets);
  const input = order.slice();
  for (let i = 0; i < n; i += 1) order[fill[bucketOf(primary[input[i]!]!)]!++] = input[i]!;
  for (let b = 0; b < buckets; b += 1) {
    if (start[b + 1]! - start[b]! > 1) sortDescending(order.subarray(start[b]!, start[b + 1]!), primary, secondary);
  }
}

function insertionSortDescending(order: Uint32Array, primary: ArrayLike<number>, secondary: ArrayLike<number> | null): void {
  const before = (a: number, b: number): boolean => primary[a]! > primary[b]! || (secondary !== null && primary[a] === primary[b] && secondary[a]! > secondary[b]!);
  for (let i = 1; i < order.length; i += 1) {
    const v = order[i]!;
    let j = i - 1;
    while (j >= 0 && before(v, order[j]!)) {
      order[j + 1] = order[j]!;
      j -= 1;
    }
    order[j + 1] = v;
  }
}

/**
 * Non-dominated sorting of points (x, y), both to maximize: front 1 is the Pareto front, front 2 the
 * front once front 1 is removed, and so on. O(n log n) for two objectives.
 */
export function paretoFronts(xs: ArrayLike<number>, ys: ArrayLike<number>): number[] {
  const n = xs.length;
  const order = orderByXThenYDescending(xs, ys);
  const bestY = new Float64Array(n); // bestY[k]: largest y in front k+1 so far (decreasing in k)
  let fronts = 0;
  const front = new Uint32Array(n);
  let previous = -1;
  for (let k = 0; k < n; k += 1) {
    const i = order[k]!;
    const y = ys[i]!;
    // equal points do not dominate each other: the same front, whatever the input order
    if (previous >= 0 && xs[previous] === xs[i] && ys[previous] === y) {
      front[i] = front[previous]!;
      continue;
    }
    previous = i;
    // first front none of whose members dominates (x already >=, so: whose best y is below y)
    let lo = 0;
    let hi = fronts;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bestY[mid]! < y) hi = mid;
      else lo = mid + 1;
    }
    if (lo === fronts) {
      bestY[fronts] = y;
      fronts += 1;
    } else if (y > bestY[lo]!) bestY[lo] = y;
    front[i] = lo + 1;
  }
  return Array.from(front);
}

/** Cells per axis of the grid that bounds fronts from below (firstParetoFronts). */
const FRONT_GRID = 256;

/**
 * The points of the first Pareto fronts, at least `count` of them where there are that many: their
 * indices and exact fronts (as paretoFronts gives them), every point of every front up to the last one
 * returned. A page of a Pareto ranking needs only these, and over a million points they are a few
 * thousand: the points are binned on a 256 x 256 grid, and the longest chain of occupied cells strictly
 * above and to the right of a point's cell is a lower bound of its front (each cell of the chain holds a
 * point that dominates the next one's). Points whose bound exceeds a cap C are left out; they have
 * front > C, and so does every point they dominate (its bound is at least theirs), so the fronts of the
 * points kept are exact. C starts at 8 and doubles until the fronts up to C hold `count` points.
 */
export function firstParetoFronts(xs: ArrayLike<number>, ys: ArrayLike<number>, count: number): { index: Uint32Array; front: Uint32Array } {
  const n = xs.length;
  const all = (): { index: Uint32Array; front: Uint32Array } => ({ index: Uint32Array.from({ length: n }, (_, i) => i), front: Uint32Array.from(paretoFronts(xs, ys)) });
  if (count >= n || n <= 4 * FRONT_GRID) return all();
  const G = FRONT_GRID;
  const range = (v: ArrayLike<number>): [number, number] => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i += 1) {
      if (v[i]! < lo) lo = v[i]!;
      if (v[i]! > hi) hi = v[i]!;
    }
    return [lo, hi];
  };
  const [xlo, xhi] = range(xs);
  const [ylo, yhi] = range(ys);
  // bin b holds values in [lo + b * w, lo + (b + 1) * w): a higher bin means a strictly larger value
  const bin = (v: number, lo: number, hi: number): number => (hi > lo ? Math.min(G - 1, Math.floor(((v - lo) / (hi - lo)) * G)) : 0);
  const cell = new Uint32Array(n);
  const occupied = new Uint8Array(G * G);
  for (let i = 0; i < n; i += 1) {
    const c = bin(xs[i]!, xlo, xhi) * G + bin(ys[i]!, ylo, yhi);
    cell[i] = c;
    occupied[c] = 1;
  }
  // chain[i][j]: longest chain of occupied cells, each strictly above and right of the last, within x-bins >= i and y-bins >= j
  const W = G + 1;
  const chain = new Uint32Array(W * W);
  for (let i = G - 1; i >= 0; i -= 1) {
    for (let j = G - 1; j >= 0; j -= 1) {
      const through = occupied[i * G + j] ? 1 + chain[(i + 1) * W + j + 1]! : 0;
      chain[i * W + j] = Math.max(chain[(i + 1) * W + j]!, chain[i * W + j + 1]!, through);
    }
  }
  const bound = new Uint32Array(G * G); // lowest possible front of a point in each cell
  for (let i = 0; i < G; i += 1) for (let j = 0; j < G; j += 1) bound[i * G + j] = 1 + chain[(i + 1) * W + j + 1]!;
  for (let cap = 8; ; cap *= 2) {
    const kept: number[] = [];
    for (let i = 0; i < n; i += 1) if (bound[cell[i]!]! <= cap) kept.push(i);
    if (kept.length > n / 2) return all(); // a deep page: sorting every point costs less than more rounds
    const fronts = paretoFronts(kept.map((i) => xs[i]!), kept.map((i) => ys[i]!));
    const within = kept.flatMap((i, k) => (fronts[k]! <= cap ? [k] : []));
    if (within.length >= count) return { index: Uint32Array.from(within, (k) => kept[k]!), front: Uint32Array.from(within, (k) => fronts[k]!) };
  }
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
