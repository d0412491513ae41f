import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { firstParetoFronts, normalCdf, paretoFronts, ucbScore, ucbScoreSql, windowProbability, windowProbabilitySql } from '../../../src-main/library/ranking.js';

describe('ranking scores', () => {
  it('normal CDF', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1)).toBeCloseTo(0.841345, 6);
    expect(normalCdf(-1.96)).toBeCloseTo(0.024998, 5);
  });

  it('window probability: centred, off-window, and without sigma', () => {
    expect(windowProbability(1.5, 0.3, 1.2, 1.8)).toBeCloseTo(0.682689, 5);
    expect(windowProbability(3, 0.1, 1.2, 1.8)).toBeLessThan(1e-6);
    expect(windowProbability(1.5, 0, 1.2, 1.8)).toBe(1);
  });

  it('ucb rewards uncertainty near the window', () => {
    expect(ucbScore(2.2, 0.5, 0.5, 0.1, 1.2, 1.8)).toBeGreaterThan(ucbScore(2.2, 0.05, 0.5, 0.1, 1.2, 1.8));
    expect(ucbScore(1.5, 0.1, 0.9, 0, 1.2, 1.8)).toBeGreaterThan(ucbScore(1.5, 0.1, 0.2, 0, 1.2, 1.8));
  });

  it('Pareto fronts by non-dominated sorting (worked by hand)', () => {
    //            a    b    c    d    e    f
    const x = [0.9, 0.5, 0.1, 0.5, 0.3, 0.9];
    const y = [0.1, 0.5, 0.9, 0.4, 0.3, 0.05];
    // front 1: a (0.9,0.1), b (0.5,0.5), c (0.1,0.9); front 2: d (dominated by b), f (dominated by a); front 3: e (dominated by d)
    expect(paretoFronts(x, y)).toEqual([1, 1, 1, 2, 3, 2]);
  });
});

describe('the scores in SQL', () => {
  it('equal the JavaScript functions on random predictions, edge cases included', () => {
    const db = new Database(':memory:');
    const window = windowProbabilitySql('@v', '@s', '@lo', '@hi');
    const ucb = ucbScoreSql('@v', '@s', '@p', '@sp', '@lo', '@hi', '@k');
    const w = db.prepare(`SELECT ${window}`).pluck();
    const u = db.prepare(`SELECT ${ucb}`).pluck();
    let seed = 3;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const cases: [number, number][] = [[1.5, 0], [1.2, 0], [1.9, 0], [1.5, 0.3], [1.8, 1e-9], [0, 2]];
    for (let i = 0; i < 2000; i += 1) cases.push([rnd() * 6 - 0.5, rnd() * 0.8]);
    for (const [v, s] of cases) {
      const p = rnd();
      const sp = rnd() * 0.3;
      expect(w.get({ v, s, lo: 1.2, hi: 1.8 }) as number).toBeCloseTo(windowProbability(v, s, 1.2, 1.8), 12);
      expect(u.get({ v, s, p, sp, lo: 1.2, hi: 1.8, k: 1 }) as number).toBeCloseTo(ucbScore(v, s, p, sp, 1.2, 1.8, 1), 12);
    }
    expect(w.get({ v: null, s: 0.1, lo: 1, hi: 2 })).toBe(0);
    expect(w.get({ v: 1.5, s: null, lo: 1, hi: 2 })).toBe(1);
    db.close();
  });
});

describe('Pareto fronts', () => {
  it('put equal points on the same front, whatever their order', () => {
    expect(paretoFronts([1, 1, 0.5], [0.5, 0.5, 0.5])).toEqual([1, 1, 2]);
    expect(paretoFronts([0.5, 1, 1], [0.5, 0.5, 0.5])).toEqual([2, 1, 1]);
    expect(paretoFronts([1, 1, 1], [0.2, 0.5, 0.5])).toEqual([2, 1, 1]);
  });

  /** Fronts by definition: 1 + the longest chain of points dominating each point (O(n^2) per layer). */
  function bruteFronts(xs: readonly number[], ys: readonly number[]): number[] {
    const n = xs.length;
    const dominates = (a: number, b: number): boolean => xs[a]! >= xs[b]! && ys[a]! >= ys[b]! && (xs[a]! > xs[b]! || ys[a]! > ys[b]!);
    const front = new Array<number>(n).fill(0);
    let left = Array.from({ length: n }, (_, i) => i);
    for (let f = 1; left.length; f += 1) {
      const layer = left.filter((i) => !left.some((j) => dominates(j, i)));
      for (const i of layer) front[i] = f;
      left = left.filter((i) => front[i] === 0);
    }
    return front;
  }

  /** Random points shaped like window scores: many exactly 0, others tied on a coarse grid. */
  function points(n: number, seed: number): { xs: number[]; ys: number[] } {
    let s = seed;
    const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
    const xs = Array.from({ length: n }, () => (rnd() < 0.3 ? 0 : rnd() < 0.5 ? Math.round(rnd() * 20) / 20 : rnd()));
    const ys = Array.from({ length: n }, () => (rnd() < 0.3 ? Math.round(rnd() * 10) / 10 : rnd()));
    return { xs, ys };
  }

  it('agree with the definition on points with many ties and exact zeros', () => {
    for (const seed of [1, 2, 3]) {
      const { xs, ys } = points(1500, seed);
      expect(paretoFronts(xs, ys)).toEqual(bruteFronts(xs, ys));
    }
  });

  it('of the first fronts only: exact, complete up to the last front returned, and enough for the page', () => {
    const { xs, ys } = points(200_000, 7);
    const full = paretoFronts(xs, ys);
    for (const count of [1, 200, 5_000]) {
      const { index, front } = firstParetoFronts(xs, ys, count);
      expect(index.length).toBeGreaterThanOrEqual(count);
      if (count <= 200) expect(index.length).toBeLessThan(xs.length / 100); // the grid left most points out
      index.forEach((i, k) => expect(front[k]).toBe(full[i]));
      const last = front.reduce((m, f) => Math.max(m, f), 0);
      expect(index.length).toBe(full.filter((f) => f <= last).length);
    }
    // more than the points: every point
    const small = points(300, 9);
    expect(Array.from(firstParetoFronts(small.xs, small.ys, 1000).front)).toEqual(paretoFronts(small.xs, small.ys));
    // one point repeated: one front
    expect(new Set(firstParetoFronts(new Array(5000).fill(0.5), new Array(5000).fill(0.5), 10).front)).toEqual(new Set([1]));
  });
});
