import { describe, expect, it } from 'vitest';
import { normalCdf, paretoFronts, ucbScore, windowProbability } from '../../../src-main/library/ranking.js';

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
